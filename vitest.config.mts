import { defineConfig } from "vitest/config";
import path from "node:path";
import { fileURLToPath } from "node:url";

const __dirname = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(__dirname),
      // `server-only` throws outside a React Server environment; tests run server code directly.
      "server-only": path.resolve(__dirname, "lib/testing/server-only-stub.ts"),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", ".next-*/**", "bench/out/**", "e2e/**", ".data/**"],
    environment: "node",
    setupFiles: ["./lib/testing/vitest-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // next-auth imports `next/server` without an extension, which Node's ESM resolver refuses:
    // let Vite resolve it, so tests can drive Auth.js' own handlers (sign-in, sign-out).
    server: { deps: { inline: ["next-auth"] } },
  },
});
