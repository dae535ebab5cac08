/**
 * Memory: the bare hello-world Next.js build (a page and a constant-JSON route, same Next and
 * React, nothing of Berth) under the same load as the API ceiling runs, for the RSS comparison.
 * Berth's own RSS (idle, and after the API runs) comes from bench/api.ts on each database.
 *
 *   npx tsx --conditions=react-server bench/memory.ts [--connections 1,8,32] [--seconds 3] [--rounds 5]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, fmt, log, startServer, wrk } from "./lib";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};

export interface BareResult {
  idleMb: number;
  afterLoadMb: number;
  requests: number;
}

/**
 * Writes and builds the bare app in a temporary directory outside the repository (inside it, Next
 * would pick up Berth's proxy and instrumentation), with a hard-linked copy of node_modules.
 */
export function buildBare(): string {
  const BARE_DIR = mkdtempSync(path.join(os.tmpdir(), "berth-bare-"));
  mkdirSync(path.join(BARE_DIR, "app/api/hello"), { recursive: true });
  const cp = spawnSync("cp", ["-al", path.join(ROOT, "node_modules"), path.join(BARE_DIR, "node_modules")]);
  if (cp.status !== 0) throw new Error(`could not link node_modules: ${cp.stderr}`);
  writeFileSync(path.join(BARE_DIR, "package.json"), JSON.stringify({ name: "bare-hello", private: true }));
  writeFileSync(path.join(BARE_DIR, "next.config.js"), "module.exports = { poweredByHeader: false };\n");
  writeFileSync(path.join(BARE_DIR, "app/layout.js"), 'export default function RootLayout({ children }) {\n  return <html lang="en"><body>{children}</body></html>;\n}\n');
  writeFileSync(path.join(BARE_DIR, "app/page.js"), "export default function Page() {\n  return <main>Hello, world</main>;\n}\n");
  // The same size of body as the API's 50-row page.
  writeFileSync(
    path.join(BARE_DIR, "app/api/hello/route.js"),
    `const body = { items: Array.from({ length: 50 }, (_, i) => ({ id: String(i).padStart(36, "0"), name: "registry-" + i, url: "reg-" + i + ".example.com", pad: "x".repeat(420) })), limit: 50, nextPageToken: null };
export const dynamic = "force-dynamic";
export function GET() {
  return Response.json(body);
}
`,
  );
  log("next build (bare hello-world)");
  const r = spawnSync(process.execPath, [path.join(BARE_DIR, "node_modules/next/dist/bin/next"), "build"], {
    cwd: BARE_DIR,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
  });
  if (r.status !== 0) {
    rmSync(BARE_DIR, { recursive: true, force: true });
    throw new Error(`bare build failed:\n${r.stdout}\n${r.stderr}`);
  }
  return BARE_DIR;
}

export async function runBare(opts: { connections: number[]; seconds: number; rounds: number; sides: number }): Promise<BareResult> {
  const BARE_DIR = buildBare();
  const server = await startServer({ distDir: ".next", cwd: BARE_DIR, readyPath: "/", env: {}, nextBin: path.join(BARE_DIR, "node_modules/next/dist/bin/next") });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idleMb = server.rssMb();
    let requests = 0;
    // The same shape of load as the API ceiling: every side's rounds at every concurrency.
    for (const c of opts.connections) {
      for (let i = 0; i < opts.rounds * opts.sides + opts.sides; i++) {
        const w = wrk(`${server.url}/api/hello`, { connections: c, seconds: i < opts.sides ? 1 : opts.seconds });
        requests += w.requests;
      }
    }
    const afterLoadMb = server.rssMb();
    log(`bare: ${fmt(idleMb, 0)} MB idle, ${fmt(afterLoadMb, 0)} MB after ${requests} requests`);
    return { idleMb, afterLoadMb, requests };
  } finally {
    await server.stop();
    rmSync(BARE_DIR, { recursive: true, force: true });
  }
}

async function main() {
  const r = await runBare({ connections: arg("connections", "1,8,32").split(",").map(Number), seconds: Number(arg("seconds", "3")), rounds: Number(arg("rounds", "5")), sides: 3 });
  console.log(r);
}

if (process.argv[1] && /bench\/memory\.ts$/.test(process.argv[1])) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
