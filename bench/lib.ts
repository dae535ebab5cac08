/**
 * Shared pieces of the benchmark scripts: builds, a `next start` server on 127.0.0.1 stopped by
 * its PID, a fresh database (a new PostgreSQL database or a throw-away PGlite directory), seeding
 * by SQL, `wrk` runs and the statistics. Run with `tsx --conditions=react-server`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The repository root: the scripts run from it (`npm run bench`). */
export const ROOT = process.cwd();
export const PROD_DIST = ".next";
export const BENCH_DIST = ".next-bench";

export const SECRETS = {
  ENCRYPTION_KEYS: "bench:" + Buffer.alloc(32, 7).toString("base64"),
  AUTH_SECRET: "bench-auth-secret-that-is-long-enough-0123456789",
};
export const ADMIN = { email: "bench-owner@example.com", password: "bench-owner-password-1", company: "bench" };

export function log(...args: unknown[]) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${args.join(" ")}\n`);
}

// ---------------------------------------------------------------- statistics

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
export const min = (xs: number[]) => Math.min(...xs);
export const max = (xs: number[]) => Math.max(...xs);
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (s.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}
export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
export const mmm = (xs: number[], digits = 0) => `${fmt(min(xs), digits)} / **${fmt(median(xs), digits)}** / ${fmt(max(xs), digits)}`;

// ---------------------------------------------------------------- builds

/** `next build` into `distDir`; the benchmark build adds the reference routes, nothing else. */
export function build(kind: "production" | "bench", opts: { force?: boolean } = {}): void {
  const distDir = kind === "bench" ? BENCH_DIST : PROD_DIST;
  const marker = path.join(ROOT, distDir, "BUILD_ID");
  if (!opts.force && existsSync(marker) && process.env.BENCH_REUSE_BUILD === "1") {
    log(`reusing the ${kind} build in ${distDir}`);
    return;
  }
  log(`next build (${kind}) into ${distDir}`);
  const started = Date.now();
  // next build adds a non-default build directory's types to tsconfig.json; keep the file as committed.
  const tsconfig = readFileSync(path.join(ROOT, "tsconfig.json"), "utf8");
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
    cwd: ROOT,
    env: { ...process.env, BERTH_DIST_DIR: distDir, BERTH_BENCH_ROUTES: kind === "bench" ? "1" : "", DATABASE_URL: "", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  writeFileSync(path.join(ROOT, "tsconfig.json"), tsconfig);
  if (r.status !== 0) throw new Error(`next build (${kind}) failed:\n${r.stdout}\n${r.stderr}`);
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The app routes a build contains (from its app-paths manifest). */
export function builtRoutes(distDir: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, distDir, "server", "app-paths-manifest.json"), "utf8")) as Record<string, string>;
  return Object.keys(manifest);
}

// ---------------------------------------------------------------- databases

export type DbKind = "postgres" | "pglite";

export interface BenchDb {
  kind: DbKind;
  /** Environment for the server and for seeding: DATABASE_URL or BERTH_DATA_DIR. */
  env: Record<string, string>;
  drop: () => Promise<void>;
}

/** The PostgreSQL server to create benchmark databases on (a fresh database per run). */
export function postgresBase(): string {
  return process.env.BENCH_POSTGRES_URL || process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
}

export async function createBenchDb(kind: DbKind): Promise<BenchDb> {
  if (kind === "pglite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "berth-bench-"));
    return { kind, env: { BERTH_DATA_DIR: dir, DATABASE_URL: "" }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const { default: postgres } = await import("postgres");
  const base = postgresBase();
  const name = `berth_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    kind,
    env: { DATABASE_URL: u.toString() },
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.end();
    },
  };
}

/** Runs `fn` with the app's database client opened on the benchmark database (no server running for PGlite). */
export async function withAppDb<T>(bdb: BenchDb, fn: (db: import("@/db").Db) => Promise<T>): Promise<T> {
  const { openDb } = await import("@/db");
  const handle = await openDb(bdb.kind === "postgres" ? { databaseUrl: bdb.env.DATABASE_URL! } : { databaseUrl: "", dataDir: bdb.env.BERTH_DATA_DIR! });
  try {
    return await fn(handle.db);
  } finally {
    await handle.close();
    if (bdb.kind === "pglite") (await import("@/db/data-dir")).releaseDataDir(bdb.env.BERTH_DATA_DIR!);
  }
}

export async function sqlRows<T = Record<string, unknown>>(db: import("@/db").Db, text: string): Promise<T[]> {
  const { sql } = await import("drizzle-orm");
  const { rowsOf } = await import("@/db");
  return rowsOf<T>(await db.execute(sql.raw(text)));
}

export interface Seeded {
  companyId: string;
  userId: string;
  token: string;
}

/** The bootstrapped owner and company, and a new API token for them (read + write). */
export async function seedToken(db: import("@/db").Db): Promise<Seeded> {
  const { hashApiToken, generateApiToken } = await import("@/lib/auth/tokens");
  const [row] = await sqlRows<{ company_id: string; user_id: string }>(
    db,
    `select m.company_id, m.user_id from memberships m join users u on u.id = m.user_id join companies c on c.id = m.company_id where u.email = '${ADMIN.email}' and c.slug = '${ADMIN.company}'`,
  );
  if (!row) throw new Error("the bootstrapped owner is missing");
  const { token, prefix } = generateApiToken();
  await sqlRows(
    db,
    `insert into api_tokens (company_id, user_id, name, prefix, token_hash, scopes) values ('${row.company_id}', '${row.user_id}', 'bench', '${prefix}', '${hashApiToken(token)}', '{registries:read,registries:write}')`,
  );
  return { companyId: row.company_id, userId: row.user_id, token };
}

/**
 * Adds `count` registries to a company (type custom, a username and a password's sealed blob,
 * one second apart so the order is stable), numbered from `from`.
 */
export async function seedRegistries(db: import("@/db").Db, companyId: string, userId: string, count: number, from = 1): Promise<void> {
  const batch = 100_000;
  for (let start = from; start < from + count; start += batch) {
    const end = Math.min(from + count - 1, start + batch - 1);
    // A sealed-looking blob of a real one's size (never decrypted by these benchmarks) under the bench key id.
    await sqlRows(
      db,
      `insert into registries (company_id, type, name, url, credentials, secret_fields, secret_blob, key_id, created_by, modified_by, created_at, updated_at)
       select '${companyId}', 'custom', 'registry-' || lpad(g::text, 7, '0'), 'reg-' || g || '.example.com',
              jsonb_build_object('username', 'user-' || lpad(g::text, 7, '0')), '{password}', repeat(md5(g::text), 4), 'bench', '${userId}', '${userId}',
              timestamptz '2026-01-01' - make_interval(secs => g), timestamptz '2026-01-01' - make_interval(secs => g)
       from generate_series(${start}, ${end}) g`,
    );
  }
  await sqlRows(db, "analyze registries");
}

// ---------------------------------------------------------------- servers

export interface Server {
  url: string;
  pid: number;
  child: ChildProcess;
  rssMb: () => number;
  stop: () => Promise<void>;
}

// Above every port Next refuses as reserved (browsers' unsafe ports end at 10080).
let nextPort = 20_000 + Math.floor(Math.random() * 20_000);

/** `next start` of a build on 127.0.0.1, waiting for /api/ready (or `/` for a bare app). */
export async function startServer(opts: {
  distDir: string;
  env: Record<string, string>;
  cwd?: string;
  readyPath?: string;
  nodeArgs?: string[];
  nextBin?: string;
}): Promise<Server> {
  const port = nextPort++;
  const cwd = opts.cwd ?? ROOT;
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    ...SECRETS,
    BERTH_ADMIN_EMAIL: ADMIN.email,
    BERTH_ADMIN_PASSWORD: ADMIN.password,
    BERTH_COMPANY_NAME: ADMIN.company,
    BERTH_DIST_DIR: opts.distDir,
    PORT: String(port),
    ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === "") delete env[k];
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.nextBin ?? path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited ${child.exitCode}:\n${output}`);
    try {
      const r = await fetch(url + (opts.readyPath ?? "/api/ready"));
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not become ready:\n${output}`);
    }
    await sleep(200);
  }
  return { url, pid: child.pid!, child, rssMb: () => rssMbOf(child.pid!), stop };
}

export function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a server, lets it migrate and bootstrap, stops it, seeds, and starts it again. */
export async function prepareServer(
  bdb: BenchDb,
  distDir: string,
  seed: (db: import("@/db").Db) => Promise<Seeded>,
  serverOpts: { nodeArgs?: string[] } = {},
): Promise<{ server: Server; seeded: Seeded }> {
  const first = await startServer({ distDir, env: bdb.env });
  await first.stop();
  const seeded = await withAppDb(bdb, seed);
  const server = await startServer({ distDir, env: bdb.env, ...serverOpts });
  return { server, seeded };
}

// ---------------------------------------------------------------- wrk

export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000;
}

export function wrk(url: string, opts: { connections: number; seconds: number; headers?: Record<string, string>; script?: string; threads?: number }): WrkResult {
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)[:/]/.test(url)) throw new Error(`benchmarks send traffic to loopback only (${url})`);
  const threads = opts.threads ?? Math.min(2, opts.connections);
  const args = [`-t${threads}`, `-c${opts.connections}`, `-d${opts.seconds}s`, "--latency", "--timeout", "10s"];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push("-H", `${k}: ${v}`);
  if (opts.script) args.push("-s", opts.script);
  args.push(url);
  const r = spawnSync("wrk", args, { encoding: "utf8" });
  if (r.error) throw new Error(`wrk could not run (apt-get install -y wrk): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const out = r.stdout;
  const lat = (p: string) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "");
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: lat("50"),
    p99: lat("99"),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    errors: errs ? errs.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0,
  };
}

/**
 * Runs every side `rounds` times at one concurrency, alternating, and rotating which side goes
 * first each round, so slow phases of a noisy machine hit every side alike.
 */
export function alternate<K extends string>(
  sides: Record<K, { url: string; headers?: Record<string, string>; script?: string }>,
  opts: { connections: number; seconds: number; rounds: number; warmupSeconds?: number },
): Record<K, WrkResult[]> {
  const keys = Object.keys(sides) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as WrkResult[]])) as Record<K, WrkResult[]>;
  if (opts.warmupSeconds) for (const k of keys) wrk(sides[k].url, { ...sides[k], connections: opts.connections, seconds: opts.warmupSeconds });
  for (let r = 0; r < opts.rounds; r++) {
    const order = keys.map((_, i) => keys[(i + r) % keys.length]!);
    for (const k of order) {
      const res = wrk(sides[k].url, { ...sides[k], connections: opts.connections, seconds: opts.seconds });
      if (res.non2xx > 0 || res.errors > 0) throw new Error(`${k} at ${opts.connections} connections: ${res.non2xx} non-2xx answers, ${res.errors} socket errors`);
      out[k].push(res);
    }
  }
  return out;
}

export function writeFileAtomic(file: string, text: string) {
  writeFileSync(file + ".tmp", text);
  spawnSync("mv", [file + ".tmp", file]);
}
