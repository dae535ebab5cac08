import { spawn } from "node:child_process";
import path from "node:path";

// __dirname, not import.meta: Playwright's CommonJS transform loads this file too (the leaks suite).
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run berth -- …` the way package.json does (tsx with the react-server condition, from
 * the repository root), with stdin fed and closed, and a hard time limit.
 */
export function runCli(args: string[], opts: { env: Record<string, string | undefined>; stdin?: string; timeoutMs?: number }): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(REPO_ROOT, "node_modules", ".bin", "tsx"), ["--conditions=react-server", "lib/cli/main.ts", ...args], {
      cwd: REPO_ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`berth ${args.join(" ")} did not end within ${opts.timeoutMs ?? 90_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 90_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? "");
  });
}

/** The test process's environment without the variables a CLI run must choose for itself. */
export function baseCliEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of ["DATABASE_URL", "ENCRYPTION_KEYS", "AUTH_SECRET", "LOG_LEVEL", "BERTH_DATA_DIR", "BERTH_CLI", "BERTH_ADMIN_EMAIL", "BERTH_ADMIN_PASSWORD", "BERTH_COMPANY_NAME"]) {
    delete env[k];
  }
  return env;
}
