/**
 * API ceiling and database floor, side by side against one benchmark build.
 *
 *   npx tsx --conditions=react-server bench/api.ts [--db postgres|pglite] [--connections 1,8,32]
 *       [--seconds 3] [--rounds 5] [--registries 10000] [--floor] [--no-build] [--out FILE]
 *   npx tsx --conditions=react-server bench/api.ts --ci
 *
 * Ceiling: `GET …/registries?limit=50` with an API token (a company of N registries) against two
 * reference routes of the benchmark build: a constant JSON body of the same size, and the same
 * body after one `SELECT 1` through the app's pool. The three run alternately with wrk, rounds
 * rotating which goes first, at each concurrency. Figures: requests/s and p99 (min / median /
 * max over the rounds) and the ratios of the medians.
 *
 * Floor (PostgreSQL): the statements one list request sends are captured by a loopback relay,
 * then replayed directly through postgres.js at the same concurrency, alternating with the
 * endpoint: the difference of the median latencies is the app's overhead per request.
 *
 * `--ci`: 8 connections, 3 rounds of 3 s, on PostgreSQL (BENCH_POSTGRES_URL, DATABASE_URL or the
 * local server); fails only when the list serves less than 0.2× the `SELECT 1` route's
 * requests/s (the target is 0.7×): a ratio of two sides measured together, never an absolute
 * time. Without a reachable PostgreSQL it runs on PGlite, whose list costs more of Node's own CPU
 * (the database runs in the process), and fails below 0.2× there.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  BENCH_DIST,
  ROOT,
  alternate,
  build,
  builtRoutes,
  createBenchDb,
  fmt,
  log,
  median,
  min,
  max,
  postgresBase,
  prepareServer,
  seedRegistries,
  seedToken,
  startServer,
  wrk,
  type BenchDb,
  type DbKind,
  type WrkResult,
} from "./lib";
import { captureRequestStatements, type CapturedStatement } from "./pg-capture";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const CI = argv.includes("--ci");
// 0.2× on PostgreSQL too: on this 2-core machine the short check read 0.30–0.48× within one
// session with the same code, and the collapse it guards against (issue 10) was 0.09×.
const CI_MIN_RATIO = { postgres: 0.2, pglite: 0.2 };

async function postgresReachable(): Promise<boolean> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(postgresBase(), { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export interface CeilingLevel {
  connections: number;
  list: WrkResult[];
  constant: WrkResult[];
  select1: WrkResult[];
  /** With `--compare DIST`: the list served by another build (e.g. before a change) on the same database. */
  listCompared?: WrkResult[];
}
export interface FloorLevel {
  connections: number;
  endpointP50: number[];
  endpointRps: number[];
  directP50: number[];
  directRps: number[];
}
export interface ApiResult {
  db: DbKind;
  registries: number;
  seconds: number;
  rounds: number;
  bodyBytes: { list: number; constant: number };
  statements?: CapturedStatement[];
  ceiling: CeilingLevel[];
  floor?: FloorLevel[];
  rssMb: { idle: number; afterLoad: number };
}

/** N concurrent loops each running one request's statements in order, through postgres.js. */
async function direct(url: string, statements: CapturedStatement[], connections: number, seconds: number) {
  const { default: postgres } = await import("postgres");
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  const run = async () => {
    for (const s of statements) await sql.unsafe(s.text, s.params as string[], { prepare: true });
  };
  for (let i = 0; i < 20; i++) await run(); // warm: connections open, statements prepared
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await run();
        lat.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await sql.end();
  return { p50: median(lat), rps: lat.length / elapsed };
}

export async function runApi(opts: {
  db: DbKind;
  connections: number[];
  seconds: number;
  rounds: number;
  registries: number;
  floor: boolean;
  buildFirst: boolean;
  compareDist?: string;
}): Promise<ApiResult> {
  if (opts.buildFirst) build("bench");
  if (!builtRoutes(BENCH_DIST).includes("/api/bench/select-1/route")) throw new Error(`${BENCH_DIST} is not a benchmark build (no reference routes)`);
  const bdb: BenchDb = await createBenchDb(opts.db);
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let compared: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    log(`${opts.db}: seeding ${opts.registries} registries`);
    const prepared = await prepareServer(bdb, BENCH_DIST, async (db) => {
      const s = await seedToken(db);
      await seedRegistries(db, s.companyId, s.userId, opts.registries);
      return s;
    });
    server = prepared.server;
    const { seeded } = prepared;
    const auth = { Authorization: `Bearer ${seeded.token}` };
    const listPath = `/api/v1/companies/${seeded.companyId}/registries?limit=50`;
    type Side = { url: string; headers: Record<string, string> };
    const sides: { list: Side; constant: Side; select1: Side; listCompared?: Side } = {
      list: { url: server.url + listPath, headers: auth },
      constant: { url: `${server.url}/api/bench/constant`, headers: auth },
      select1: { url: `${server.url}/api/bench/select-1`, headers: auth },
    };
    if (opts.compareDist) {
      if (opts.db !== "postgres") throw new Error("--compare needs PostgreSQL (two servers on one database)");
      compared = await startServer({ distDir: opts.compareDist, env: bdb.env });
      sides.listCompared = { url: compared.url + listPath, headers: auth };
    }
    const listBody = await (await fetch(sides.list.url, { headers: auth })).text();
    const constBody = await (await fetch(sides.constant.url)).text();
    if (JSON.parse(listBody).items.length !== 50) throw new Error("the list did not answer 50 rows");
    const idle = server.rssMb();
    const ceiling: CeilingLevel[] = [];
    for (const c of opts.connections) {
      log(`${opts.db}: ceiling at ${c} connections (${opts.rounds} rounds of ${opts.seconds} s per side)`);
      const r = alternate(sides as Record<string, Side>, { connections: c, seconds: opts.seconds, rounds: opts.rounds, warmupSeconds: 1 }) as Record<"list" | "constant" | "select1", WrkResult[]> & { listCompared?: WrkResult[] };
      ceiling.push({ connections: c, ...r });
      if (r.listCompared) log(`  list on ${opts.compareDist}: ${fmt(median(r.listCompared.map((x) => x.rps)), 0)} req/s, p99 ${fmt(median(r.listCompared.map((x) => x.p99)), 1)} ms`);
      const ratio = median(r.list.map((x) => x.rps)) / median(r.select1.map((x) => x.rps));
      log(`  list ${fmt(median(r.list.map((x) => x.rps)), 0)} req/s, constant ${fmt(median(r.constant.map((x) => x.rps)), 0)}, SELECT 1 ${fmt(median(r.select1.map((x) => x.rps)), 0)}: ${fmt(ratio, 2)}×`);
    }
    const afterLoad = server.rssMb();
    await compared?.stop();
    let floor: FloorLevel[] | undefined;
    let statements: CapturedStatement[] | undefined;
    if (opts.floor && opts.db === "postgres") {
      [statements] = (await captureRequestStatements({ databaseUrl: bdb.env.DATABASE_URL!, distDir: BENCH_DIST, paths: [listPath], headers: auth })) as [CapturedStatement[]];
      log(`floor: one list request sends ${statements.length} statements`);
      floor = [];
      for (const c of [1, 8]) {
        const lvl: FloorLevel = { connections: c, endpointP50: [], endpointRps: [], directP50: [], directRps: [] };
        for (let r = 0; r < opts.rounds; r++) {
          const endpointFirst = r % 2 === 0;
          const doEndpoint = () => {
            const w = wrk(sides.list.url, { connections: c, seconds: opts.seconds, headers: auth });
            lvl.endpointP50.push(w.p50);
            lvl.endpointRps.push(w.rps);
          };
          if (endpointFirst) doEndpoint();
          const d = await direct(bdb.env.DATABASE_URL!, statements, c, opts.seconds);
          lvl.directP50.push(d.p50);
          lvl.directRps.push(d.rps);
          if (!endpointFirst) doEndpoint();
        }
        floor.push(lvl);
        log(`  ${c} connections: endpoint p50 ${fmt(median(lvl.endpointP50), 2)} ms, postgres.js ${fmt(median(lvl.directP50), 2)} ms`);
      }
    }
    return {
      db: opts.db,
      registries: opts.registries,
      seconds: opts.seconds,
      rounds: opts.rounds,
      bodyBytes: { list: Buffer.byteLength(listBody), constant: Buffer.byteLength(constBody) },
      statements,
      ceiling,
      floor,
      rssMb: { idle, afterLoad },
    };
  } finally {
    await compared?.stop();
    await server?.stop();
    await bdb.drop();
  }
}

export function ceilingTable(results: ApiResult[]): string {
  const lines = [
    "| database | connections | list req/s (min / **median** / max) | constant JSON req/s | `SELECT 1` req/s | list p99 ms | `SELECT 1` p99 ms | list ÷ `SELECT 1` (req/s) | list ÷ `SELECT 1` (p99) | list ÷ constant |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    for (const l of r.ceiling) {
      const rps = (xs: WrkResult[]) => xs.map((x) => x.rps);
      const p99 = (xs: WrkResult[]) => xs.map((x) => x.p99);
      const mm = (xs: number[], d = 0) => `${fmt(min(xs), d)} / **${fmt(median(xs), d)}** / ${fmt(max(xs), d)}`;
      lines.push(
        `| ${r.db === "postgres" ? "PostgreSQL" : "PGlite"} | ${l.connections} | ${mm(rps(l.list))} | ${mm(rps(l.constant))} | ${mm(rps(l.select1))} | ${mm(p99(l.list), 1)} | ${mm(p99(l.select1), 1)} | ${fmt(median(rps(l.list)) / median(rps(l.select1)), 2)}× | ${fmt(median(p99(l.list)) / median(p99(l.select1)), 2)}× | ${fmt(median(rps(l.list)) / median(rps(l.constant)), 2)}× |`,
      );
    }
  }
  return lines.join("\n");
}

async function main() {
  if (CI) {
    const kind: DbKind = (await postgresReachable()) ? "postgres" : "pglite";
    const r = await runApi({ db: kind, connections: [8], seconds: 3, rounds: 3, registries: 10_000, floor: false, buildFirst: !argv.includes("--no-build") });
    const l = r.ceiling[0]!;
    const ratio = median(l.list.map((x) => x.rps)) / median(l.select1.map((x) => x.rps));
    console.log(ceilingTable([r]));
    const ok = ratio >= CI_MIN_RATIO[kind];
    console.log(`API ceiling (${kind}, 8 connections): list ${fmt(median(l.list.map((x) => x.rps)), 0)} req/s vs SELECT 1 route ${fmt(median(l.select1.map((x) => x.rps)), 0)} req/s = ${fmt(ratio, 2)}× (${ok ? "ok" : "FAIL"}: fails below ${CI_MIN_RATIO[kind]}×${kind === "postgres" ? ", target 0.7×" : ""})`);
    process.exit(ok ? 0 : 1);
  }
  const dbs = arg("db", "postgres,pglite").split(",") as DbKind[];
  const connections = arg("connections", "1,8,32").split(",").map(Number);
  const results: ApiResult[] = [];
  let buildFirst = !argv.includes("--no-build");
  for (const db of dbs) {
    results.push(
      await runApi({
        db,
        connections,
        seconds: Number(arg("seconds", "3")),
        rounds: Number(arg("rounds", "5")),
        registries: Number(arg("registries", "10000")),
        floor: argv.includes("--floor"),
        buildFirst,
        compareDist: argv.includes("--compare") ? arg("compare", "") : undefined,
      }),
    );
    buildFirst = false;
  }
  console.log(ceilingTable(results));
  const out = arg("out", path.join(ROOT, "bench/out/api.json"));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2));
  log(`wrote ${out}`);
}

if (process.argv[1] && /bench\/api\.ts$/.test(process.argv[1])) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
