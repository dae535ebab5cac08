import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface BerthServer {
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  /** Everything the server printed so far. */
  output: () => string;
  /** Resolves when the process ends: its exit code (null when a signal ended it) and that signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Variables a harness never lets through from the caller's environment. */
const STRIPPED = ["DATABASE_URL", "ENCRYPTION_KEYS", "AUTH_SECRET", "BERTH_DATA_DIR", "PORT", "OUTBOUND_ALLOW_CIDRS", "BERTH_ADMIN_EMAIL", "BERTH_ADMIN_PASSWORD", "BERTH_COMPANY_NAME", "NODE_OPTIONS"];

/**
 * Starts the built app (`next start`) on the embedded default, exactly as a newcomer gets it,
 * with an explicit environment: CI's DATABASE_URL is not inherited. Waits for /api/ready.
 */
export async function startBerth(
  extraEnv: Record<string, string> = {},
  options: { dataDir?: string; waitReady?: boolean } = {},
): Promise<BerthServer> {
  const root = path.resolve(__dirname, "../..");
  const distDir = process.env.BERTH_DIST_DIR || ".next";
  if (!fs.existsSync(path.join(root, distDir, "BUILD_ID"))) {
    throw new Error("The app is not built: run `npm run build` first (npm test does).");
  }
  const port = await freePort();
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "berth-e2e-"));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !STRIPPED.includes(k)) env[k] = v;
  Object.assign(env, { BERTH_DIST_DIR: distDir, NODE_ENV: "production", BERTH_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "info", OUTBOUND_ALLOW_CIDRS: "127.0.0.1/32" }, extraEnv);
  let output = "";
  const child: ChildProcess = spawn(path.join(root, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  child.stdout!.on("data", (d) => (output += String(d)));
  child.stderr!.on("data", (d) => (output += String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`Berth exited (${child.exitCode}) before it was ready:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/api/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Berth was not ready within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    dataDir,
    pid: child.pid!,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
