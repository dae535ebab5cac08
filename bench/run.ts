/**
 * `npm run bench`: every benchmark line, side by side in one run, written to docs/benchmarks.md
 * (the part below the "notes" marker of an existing file is kept).
 *
 *   npm run bench [-- --rounds 5 --seconds 3 --quick]
 *
 * Needs wrk, skopeo, docker-registry, htpasswd, Chromium and a PostgreSQL server
 * (BENCH_POSTGRES_URL, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres);
 * every server it starts listens on 127.0.0.1 and is stopped by its PID.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ceilingTable, runApi, type ApiResult } from "./api";
import type { ChecksResult } from "./checks";
import { renderEcr, type EcrResult } from "./ecr-report";
import { PROD_DIST, ROOT, build, builtRoutes, fmt, log, max, median, min, percentile } from "./lib";
import { runBare, type BareResult } from "./memory";
import { runPages, type PagesResult } from "./pages";
import { runScale, type ScaleStep } from "./scale";
import { runWrites, type WritesResult } from "./writes";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const QUICK = argv.includes("--quick");
const ROUNDS = Number(arg("rounds", QUICK ? "2" : "5"));
const SECONDS = Number(arg("seconds", QUICK ? "2" : "3"));
const CONNECTIONS = [1, 8, 32];
const DOC = path.join(ROOT, "docs/benchmarks.md");
const OUT = path.join(ROOT, "bench/out");
const NOTES_MARKER = "<!-- notes: kept by npm run bench -->";

interface TestConnectionRow {
  label: string;
  validate: number[];
  test: number[];
  http: number[];
  curl: number[];
  skopeo: number[];
}

function testConnection(runs: number): { db: string; rows: TestConnectionRow[] } {
  const file = path.join(OUT, "test-connection.json");
  log(`Test Connection against skopeo login (${runs} runs per side)`);
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "bench/test-connection.ts", "--http", "--runs", String(runs), "--json", file], {
    cwd: ROOT,
    env: { ...env, BERTH_DIST_DIR: PROD_DIST },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`bench/test-connection.ts failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(readFileSync(file, "utf8"));
}

function ecrCache(runs: number): EcrResult {
  const file = path.join(OUT, "ecr.json");
  log(`ECR Test Connection, cold and warm token cache (${runs} runs per side)`);
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "bench/ecr.ts", "--runs", String(runs), "--json", file], {
    cwd: ROOT,
    env: process.env,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`bench/ecr.ts failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(readFileSync(file, "utf8"));
}

function healthChecks(): ChecksResult {
  const file = path.join(OUT, "checks.json");
  log("Scheduled health checks: checks per minute, a year of history after pruning, the job queue");
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "bench/checks.ts", "--json", file], {
    cwd: ROOT,
    env: process.env,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`bench/checks.ts failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(readFileSync(file, "utf8"));
}

function renderChecks(c: ChecksResult): string {
  const L = [
    "## Scheduled health checks",
    "",
    `\`bench/checks.ts\` on ${c.db === "postgres" ? "PostgreSQL" : "PGlite"}: one job runner with the server's defaults (8 jobs at a time, at most 2 per registry host) against local htpasswd registries; every check is Test Connection on the saved values plus its history row, lastTest and health in one transaction.`,
    "",
    "| registries | registry hosts | seconds | checks per minute |",
    "|---:|---:|---:|---:|",
    ...c.throughput.map((t) => `| ${t.registries} | ${t.hosts} | ${fmt(t.seconds, 2)} | **${fmt(t.checksPerMinute, 0)}** |`),
    "",
    `A year of hourly checks (8 760 per registry) of ${c.year.registries} registries, pruned to 90 days or the newest 1 000 per registry (whichever is less: 1 000 at hourly checks): ${c.year.keptRows.toLocaleString("en-US")} rows kept of ${c.year.inserted.toLocaleString("en-US")}, ${fmt(c.year.bytes / 2 ** 20, 1)} MiB with its index (prune ${fmt(c.year.pruneSeconds, 2)} s). For 1 000 registries: **${c.year.scaledRows.toLocaleString("en-US")} rows, about ${fmt(c.year.scaledMiB, 0)} MiB**, whatever the age of the deployment.`,
    "",
    `The job queue is one table (\`jobs\`) in Berth's own schema, claimed with \`FOR UPDATE SKIP LOCKED\`: a claim takes ${fmt(c.queue.claimEmptyMs, 2)} ms on an empty queue and ${fmt(c.queue.claimBusyMs, 2)} ms with 1 000 jobs (8 due); an idle runner sends ${c.queue.idleQueriesPerMinute} queries a minute; it runs on PGlite (the embedded default) as on PostgreSQL.`,
  ];
  return L.join("\n");
}

const verdict = (ok: boolean) => (ok ? "**met**" : "**missed**");
const x = (n: number) => `${fmt(n, 2)}×`;

function render(o: {
  api: ApiResult[];
  scale: ScaleStep[];
  writes: WritesResult;
  tc: { db: string; rows: TestConnectionRow[] };
  ecr: EcrResult;
  checks: ChecksResult;
  pages: PagesResult;
  bare: BareResult;
  startedAt: Date;
  minutes: number;
}): string {
  const pg = o.api.find((r) => r.db === "postgres")!;
  const lite = o.api.find((r) => r.db === "pglite");
  const lvl = (r: ApiResult, c: number) => r.ceiling.find((l) => l.connections === c)!;
  const rps = (xs: { rps: number }[]) => median(xs.map((v) => v.rps));
  const p99 = (xs: { p99: number }[]) => median(xs.map((v) => v.p99));
  const pg32 = lvl(pg, 32);
  const pg1 = lvl(pg, 1);
  const ratio32 = rps(pg32.list) / rps(pg32.select1);
  const p99ratio32 = p99(pg32.list) / p99(pg32.select1);
  const scaleUp = rps(pg32.list) / rps(pg1.list);
  const s100 = o.scale[0]!;
  const s1m = o.scale.at(-1)!;
  const scaleRatio = (k: "firstPageMs" | "deepPageMs" | "getMs") => median(s1m[k]) / median(s100[k]);
  const tcRatio = (label: string) => {
    const row = o.tc.rows.find((r) => r.label === label)!;
    return median(row.curl) / median(row.skopeo);
  };
  const kib = o.pages.firstLoadGzipKiB;
  const loadRatio = median(o.pages.loadMs.list) / median(o.pages.loadMs.hello);
  const memRatio = pg.rssMb.afterLoad / o.bare.afterLoadMb;
  const targets: [string, string, string, boolean][] = [
    ["API ceiling, PostgreSQL, 32 connections: list ÷ `SELECT 1` route, requests/s", "≥ 0.7×", x(ratio32), ratio32 >= 0.7],
    ["API ceiling, PostgreSQL, 32 connections: list ÷ `SELECT 1` route, p99", "≤ 2×", x(p99ratio32), p99ratio32 <= 2],
    ["API ceiling, PostgreSQL: list at 32 connections ÷ list at 1", "≥ 1×", x(scaleUp), scaleUp >= 1],
    ["Scale: first page at 1 M rows ÷ at 100", "≤ 1.5×", x(scaleRatio("firstPageMs")), scaleRatio("firstPageMs") <= 1.5],
    ["Scale: page 50 at 1 M rows ÷ at 100", "≤ 1.5×", x(scaleRatio("deepPageMs")), scaleRatio("deepPageMs") <= 1.5],
    ["Scale: get at 1 M rows ÷ at 100", "≤ 1.5×", x(scaleRatio("getMs")), scaleRatio("getMs") <= 1.5],
    ["Test Connection, Basic: `curl …/validate` ÷ `skopeo login`", "≤ 0.8×", x(tcRatio("Basic")), tcRatio("Basic") <= 0.8],
    ["Test Connection, Bearer: `curl …/validate` ÷ `skopeo login`", "≤ 0.8×", x(tcRatio("Bearer")), tcRatio("Bearer") <= 0.8],
    ["First-load JS (gzip): registries list ÷ hello world", "≤ 1.3×", x(kib.list! / kib.hello!), kib.list! / kib.hello! <= 1.3],
    ["First-load JS (gzip): add form ÷ hello world", "≤ 1.6×", x(kib.add! / kib.hello!), kib.add! / kib.hello! <= 1.6],
    ["First-load JS (gzip): edit form ÷ hello world", "≤ 1.6×", x(kib.edit! / kib.hello!), kib.edit! / kib.hello! <= 1.6],
    ["Load until the list is visible ÷ hello world (Chromium, median)", "≤ 1.5×", x(loadRatio), loadRatio <= 1.5],
    ["Memory, PostgreSQL: RSS after the API runs ÷ bare hello-world build after the same load", "≤ 1.25×", x(memRatio), memRatio <= 1.25],
  ];
  const L: string[] = [];
  L.push("# Benchmarks", "");
  L.push(
    `Written by \`npm run bench\` (bench/run.ts) on ${o.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC in ${fmt(o.minutes, 0)} min: ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}, load average at the start ${os.loadavg().map((l) => fmt(l, 1)).join(" / ")}.`,
    "",
    "Every line compares two or more sides measured **in the same run, alternately** (each round rotates which side goes first), against the same server build and database, so a slow phase of a busy machine hits every side alike. Absolute figures on this shared 2-core machine are noisy; the ratios are what the targets are about. Figures are min / **median** / max over the rounds; ratios are of the medians.",
    "",
    "The reference routes (`/api/bench/constant`, `/api/bench/select-1`) and the hello-world page (`/bench/hello`) exist only in the benchmark build (`BERTH_BENCH_ROUTES=1` at build time adds the `.bench.ts(x)` page extensions; nothing else differs). The production build does not contain them (checked below and in CI).",
    "",
    "**Keeping it.** Later work on the request path (two-factor checks, health and last-used columns in the list, …) must hold these targets too: re-run `npm run bench` after any change to the route wrapper, authentication, the request context or the list query, and update this file. `npm test` runs the short version (list ÷ `SELECT 1` at 8 connections, failing below 0.35×).",
    "",
  );
  L.push("## Targets", "", "| line | target | measured | |", "|---|---|---|---|");
  for (const [what, target, got, ok] of targets) L.push(`| ${what} | ${target} | ${got} | ${verdict(ok)} |`);
  L.push("");

  L.push(
    "## API ceiling",
    "",
    `\`GET /api/v1/companies/{id}/registries?limit=50\` with an API token, ${pg.registries} registries in the company, against a constant JSON route of the same size (${pg.bodyBytes.constant} bytes vs the list's ${pg.bodyBytes.list}) and a route that runs \`SELECT 1\` through the app's pool before answering the same body. wrk, ${pg.rounds} rounds of ${pg.seconds} s per side and concurrency (after a 1 s warm-up each).`,
    "",
    ceilingTable(o.api),
    "",
  );
  const prodRoutes = builtRoutes(PROD_DIST).filter((r) => r.includes("bench"));
  L.push(`Production build: ${prodRoutes.length === 0 ? "no `/api/bench/*` or `/bench/*` route (as intended)" : `contains ${prodRoutes.join(", ")} (a bug)`}.`, "");

  if (pg.floor) {
    L.push(
      "## Database floor",
      "",
      `The statements one list request sends (${pg.statements?.length ?? "?"}, captured by a loopback relay in front of PostgreSQL) replayed directly through postgres.js (prepared, a pool of 10 like the app) at the same concurrency, alternating with the endpoint. Overhead = the endpoint's median latency − postgres.js's.`,
      "",
      "| connections | endpoint p50 ms | postgres.js p50 ms | overhead per request ms | endpoint req/s | postgres.js req/s |",
      "|---|---|---|---|---|---|",
    );
    for (const f of pg.floor) {
      L.push(`| ${f.connections} | ${fmt(median(f.endpointP50), 2)} | ${fmt(median(f.directP50), 2)} | ${fmt(median(f.endpointP50) - median(f.directP50), 2)} | ${fmt(median(f.endpointRps), 0)} | ${fmt(median(f.directRps), 0)} |`);
    }
    L.push("", "Statements of one list request:", "", "```sql", ...(pg.statements ?? []).map((s) => s.text), "```", "");
  }

  L.push(
    "## Scale curve (PostgreSQL)",
    "",
    "p50 latency in ms at 1 connection (wrk), one database and server per size, measured side by side in rotating rounds: 100, 10 000 and 100 000 rows in the measured company, and 100 000 plus 900 000 in 9 other companies (1 M in the table). Page 50 is reached through the cursor (49 pages of 50 before it); with 100 rows there is no page 50, and that column is the first page.",
    "",
    "| rows in the table | rows in the company | list, first page | list, page 50 | get |",
    "|---|---|---|---|---|",
  );
  for (const s of o.scale) L.push(`| ${s.totalRows.toLocaleString("en")} | ${s.companyRows.toLocaleString("en")} | ${mmmMs(s.firstPageMs)} | ${mmmMs(s.deepPageMs)} | ${mmmMs(s.getMs)} |`);
  L.push(
    `| **1 M ÷ 100** | | ${x(scaleRatio("firstPageMs"))} | ${x(scaleRatio("deepPageMs"))} | ${x(scaleRatio("getMs"))} |`,
    "",
    "`EXPLAIN (ANALYZE, BUFFERS)` of the list statement the app sends (parameters as captured), at 1 M rows:",
    "",
    "First page:",
    "",
    "```",
    s1m.plans.firstPage,
    "```",
    "",
    "Page 50:",
    "",
    "```",
    s1m.plans.deepPage,
    "```",
    "",
  );

  const w = o.writes;
  L.push(
    "## Writes",
    "",
    `PostgreSQL, ${w.connections} connections, server under \`node --cpu-prof\` (the profile costs a little throughput). Create: \`POST …/registries\` with a new name and password each time (validation, AES-256-GCM sealing, insert and audit row in one transaction). Update: \`PATCH …/registries/{id}\` with a new password over 200 registries (row lock, re-seal, update, audit).`,
    "",
    "| request | req/s (min / **median** / max) | p50 ms | p99 ms | ÷ constant JSON route |",
    "|---|---|---|---|---|",
  );
  for (const k of ["create", "update", "constant"] as const) {
    L.push(`| ${k} | ${mmm0(w[k].map((v) => v.rps))} | ${fmt(median(w[k].map((v) => v.p50)), 1)} | ${fmt(median(w[k].map((v) => v.p99)), 1)} | ${x(rps(w[k]) / rps(w.constant))} |`);
  }
  L.push("", `Where the server's time went during the write runs (top 10 functions by self time; ${fmt(w.profile.sampledMs / 1000, 0)} s sampled, ${fmt(w.profile.idlePct, 0)} % idle):`, "", "| self % | function | where |", "|---|---|---|");
  for (const t of w.profile.top) L.push(`| ${fmt(t.pct)} | \`${t.name}\` | ${t.where ? `\`${t.where}\`` : "(native)"} |`);
  L.push("");

  L.push(
    "## Test Connection",
    "",
    `A TLS htpasswd registry (Basic) and a TLS token-auth registry with its token server (Bearer), local \`docker-registry\` processes under one test CA. Whole commands, ${o.tc.rows[0]?.skopeo.length ?? 0} alternating runs: \`curl\` POST …/registries/validate with an API token against \`next start\` (production build, embedded database), and \`skopeo login\` with the same CA. Also shown: the route handler called in-process and POST /{id}/test over HTTP. Median and p90, ms.`,
    "",
    "| auth | `curl …/validate` | `skopeo login` | curl ÷ skopeo | HTTP /{id}/test (fetch) | /validate in-process | /{id}/test in-process |",
    "|---|---|---|---|---|---|---|",
  );
  for (const r of o.tc.rows) {
    const mp = (xs: number[]) => `${fmt(median(xs))} (p90 ${fmt(percentile(xs, 0.9))})`;
    L.push(`| ${r.label} | ${mp(r.curl)} | ${mp(r.skopeo)} | ${x(median(r.curl) / median(r.skopeo))} | ${mp(r.http)} | ${mp(r.validate)} | ${mp(r.test)} |`);
  }
  L.push("");

  L.push(renderEcr(o.ecr), "");
  L.push(renderChecks(o.checks), "");

  L.push(
    "## Pages",
    "",
    "First-load JavaScript, gzip level 9 of every chunk `next build` lists for the route (benchmark build), against the hello-world page of the same build; and the time from navigation start until the first registry row (200 registries) or the hello-world text is visible in headless Chromium, signed in, HTTP cache off, alternating, after 2 warm-up loads each.",
    "",
    "| page | first-load JS gzip KiB | ÷ hello world |",
    "|---|---|---|",
  );
  for (const [k, label] of [["hello", "hello world"], ["list", "Container Registries list"], ["add", "add form"], ["edit", "edit form"]] as const) {
    L.push(`| ${label} | ${fmt(kib[k]!)} | ${x(kib[k]! / kib.hello!)} |`);
  }
  L.push(
    "",
    `| load until visible | ms (min / **median** / max of ${o.pages.loadMs.list.length}) |`,
    "|---|---|",
    `| Container Registries list | ${mmm0(o.pages.loadMs.list)} |`,
    `| hello world | ${mmm0(o.pages.loadMs.hello)} |`,
    `| **list ÷ hello** | ${x(loadRatio)} |`,
    "",
  );

  L.push(
    "## Memory",
    "",
    "Server RSS (`/proc/PID/status` VmRSS) idle after start, and after the API-ceiling runs above. The bare build is a hello-world Next.js app (one page, one constant-JSON route of the same size, same Next and React, no Berth code) built and served the same way, under the same load shape (the same connections, rounds and durations, against its JSON route).",
    "",
    "| server | idle MB | after load MB | after load ÷ bare |",
    "|---|---|---|---|",
    `| Berth, PostgreSQL | ${fmt(pg.rssMb.idle, 0)} | ${fmt(pg.rssMb.afterLoad, 0)} | ${x(pg.rssMb.afterLoad / o.bare.afterLoadMb)} |`,
    ...(lite ? [`| Berth, PGlite | ${fmt(lite.rssMb.idle, 0)} | ${fmt(lite.rssMb.afterLoad, 0)} | ${x(lite.rssMb.afterLoad / o.bare.afterLoadMb)} |`] : []),
    `| bare hello-world build | ${fmt(o.bare.idleMb, 0)} | ${fmt(o.bare.afterLoadMb, 0)} | 1.00× |`,
    "",
  );
  return L.join("\n");
}

const mmmMs = (xs: number[]) => `${fmt(min(xs), 2)} / **${fmt(median(xs), 2)}** / ${fmt(max(xs), 2)}`;
const mmm0 = (xs: number[]) => `${fmt(min(xs), 0)} / **${fmt(median(xs), 0)}** / ${fmt(max(xs), 0)}`;

async function main() {
  const startedAt = new Date();
  mkdirSync(OUT, { recursive: true });
  build("production");
  build("bench");
  if (builtRoutes(PROD_DIST).some((r) => r.includes("/bench"))) throw new Error("the production build contains benchmark routes");
  const api: ApiResult[] = [];
  for (const db of ["postgres", "pglite"] as const) {
    api.push(await runApi({ db, connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, registries: 10_000, floor: db === "postgres", buildFirst: false }));
  }
  writeFileSync(path.join(OUT, "api.json"), JSON.stringify(api, null, 2));
  const bare = await runBare({ connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, sides: 3 });
  const scale = await runScale({ seconds: SECONDS, rounds: Math.max(2, ROUNDS - 2), buildFirst: false });
  const writes = await runWrites({ db: "postgres", seconds: SECONDS, rounds: Math.max(2, ROUNDS - 2), buildFirst: false });
  const tc = testConnection(QUICK ? 8 : 30);
  const ecr = ecrCache(QUICK ? 8 : 30);
  const checks = healthChecks();
  const pages = await runPages({ runs: QUICK ? 4 : 10, buildFirst: false });
  const results = { api, bare, scale, writes, tc, ecr, checks, pages };
  writeFileSync(path.join(OUT, "all.json"), JSON.stringify(results, null, 2));
  const minutes = (Date.now() - startedAt.getTime()) / 60_000;
  let text = render({ ...results, startedAt, minutes });
  const previous = existsSync(DOC) ? readFileSync(DOC, "utf8") : "";
  const notes = previous.includes(NOTES_MARKER) ? previous.slice(previous.indexOf(NOTES_MARKER)) : `${NOTES_MARKER}\n`;
  text += "\n" + notes;
  writeFileSync(DOC, text);
  log(`wrote ${path.relative(ROOT, DOC)} (${fmt(minutes, 0)} min)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
