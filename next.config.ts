import type { NextConfig } from "next";

/**
 * The benchmark build (BERTH_BENCH_ROUTES=1 at build time) also compiles the `*.bench.ts(x)`
 * reference routes and the hello-world page that `npm run bench` compares with; the production
 * build leaves them out and differs from it by nothing else.
 */
const BENCH_ROUTES = process.env.BERTH_BENCH_ROUTES === "1";

const nextConfig: NextConfig = {
  pageExtensions: BENCH_ROUTES ? ["bench.tsx", "bench.ts", "tsx", "ts", "jsx", "js"] : ["tsx", "ts", "jsx", "js"],
  // A second build directory lets a UI check run beside the main build (BERTH_DIST_DIR=.next-ui).
  distDir: process.env.BERTH_DIST_DIR || ".next",
  // PGlite ships a WASM build that must be loaded by Node, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pino", "@node-rs/argon2"],
  /**
   * A self-contained server in `<distDir>/standalone` (server.js + the traced node_modules) for
   * the container image and plain-Node deployments; `npm run build` copies static and public in.
   */
  output: "standalone",
  /**
   * Files read at run time, which the tracer cannot see from imports: the SQL migrations (applied
   * at every start, from `<cwd>/db/migrations`) and the client files served at /downloads/*.
   */
  outputFileTracingIncludes: {
    "/*": ["./db/migrations/**/*"],
    "/downloads/*": ["./lib/clients/**/*"],
  },
  poweredByHeader: false,
  typedRoutes: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
      // The files proxy.ts does not see (its matcher skips them); every other answer gets its CSP
      // there (lib/security-headers.ts NON_PAGE_CSP, the same value).
      ...["/_next/static/:path*", "/_next/image", "/favicon.ico"].map((source) => ({
        source,
        headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" }],
      })),
    ];
  },
};

export default nextConfig;
