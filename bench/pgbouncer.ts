/**
 * Berth through PgBouncer in transaction mode: a smoke under load. For each DATABASE_URL given
 * (direct, through PgBouncer, through PgBouncer with `?prepare=false`), on a fresh database: start
 * (migrations + bootstrap), seed 10 000 registries, restart, then for 8 s at once list requests
 * (6 clients), API creates (4 writers) and pull secrets (2 clients); counts the answers
 * that were not 2xx and the server's error log lines.
 *
 *   PGB_URLS="postgres://postgres@127.0.0.1:5434/postgres postgres://postgres@127.0.0.1:6432/postgres postgres://postgres@127.0.0.1:6432/postgres?prepare=false" \
 *   npx tsx --conditions=react-server bench/pgbouncer.ts
 * With PGB_MODE=throughput instead: one seeded instance per URL, all running, and the list
 * (`GET …/registries?limit=50`, wrk, 8 connections) measured on each in alternating rounds.
 * Loopback addresses only; docs/scaling.md has the PgBouncer configuration used.
 */
import { alternate, createBenchDb, fmt, log, median, prepareServer, PROD_DIST, seedRegistries, seedToken, sleep, sqlRows, type BenchDb, type Seeded, type Server } from "./lib";

const LOOPBACK = /^postgres(ql)?:\/\/[^@]*@(127\.\d+\.\d+\.\d+|\[::1\]|localhost)[:/]/;

/** A request that has not answered within 10 s counts as failed (status 0), instead of hanging the run. */
async function timed(url: string, init: RequestInit = {}): Promise<{ status: number; ok: boolean }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return { status: res.status, ok: res.ok };
  } catch {
    return { status: 0, ok: false };
  }
}

async function run(base: string) {
  if (!LOOPBACK.test(base)) throw new Error(`loopback databases only: ${base}`);
  process.env.BENCH_POSTGRES_URL = base;
  const bdb = await createBenchDb("postgres");
  const started = Date.now();
  const { server, seeded } = await prepareServer(bdb, PROD_DIST, async (db) => {
    const s = await seedToken(db);
    await sqlRows(db, "update api_tokens set scopes = '{registries:read,registries:write,registries:pull}' where name = 'bench'");
    await seedRegistries(db, s.companyId, s.userId, 10_000);
    return s;
  });
  const startMs = Date.now() - started;
  const auth = { Authorization: `Bearer ${seeded.token}`, "Content-Type": "application/json" };
  const api = `${server.url}/api/v1/companies/${seeded.companyId}/registries`;
  const until = Date.now() + 8000;
  const counts = { creates: 0, createFailed: 0, pulls: 0, pullFailed: 0, lists: 0, listFailed: 0 };
  const statuses = new Map<number, number>();
  const writer = async (w: number) => {
    for (let i = 0; Date.now() < until; i++) {
      const res = await timed(api, { method: "POST", headers: auth, body: JSON.stringify({ name: `pgb-${w}-${i}`, type: "custom", credentials: { url: `pgb-${w}-${i}.example.com`, username: "u", password: "p" } }) });
      if (res.status === 201) counts.creates++;
      else {
        counts.createFailed++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }
  };
  const puller = async () => {
    // The seeded rows hold placeholder blobs that do not decrypt: pull the first registry created through the API.
    while (counts.creates === 0 && Date.now() < until) await sleep(20);
    while (Date.now() < until) {
      const res = await timed(`${api}/pull-secret`, { method: "POST", headers: auth, body: JSON.stringify({ hosts: ["pgb-0-0.example.com"], format: "dockerconfigjson" }) });
      if (res.ok) counts.pulls++;
      else {
        counts.pullFailed++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
      await sleep(5);
    }
  };
  const lister = async () => {
    while (Date.now() < until) {
      const res = await timed(`${api}?limit=50`, { headers: { Authorization: `Bearer ${seeded.token}` } });
      if (res.ok) counts.lists++;
      else {
        counts.listFailed++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }
  };
  await Promise.all([...Array.from({ length: 6 }, lister), writer(0), writer(1), writer(2), writer(3), puller(), puller()]);
  await server.stop();
  await bdb.drop();
  const safeBase = base.replace(/\/\/[^@]*@/, "//");
  console.log(
    `| ${safeBase} | ${(startMs / 1000).toFixed(1)} s | ${counts.lists} (${counts.listFailed} failed) | ${counts.creates} (${counts.createFailed} failed) | ${counts.pulls} (${counts.pullFailed} failed) | ${[...statuses].map(([s, n]) => `${s}×${n}`).join(", ") || "–"} |`,
  );
}

async function throughput(urls: string[]) {
  const sides: { base: string; bdb: BenchDb; server: Server; seeded: Seeded }[] = [];
  try {
    for (const base of urls) {
      if (!LOOPBACK.test(base)) throw new Error(`loopback databases only: ${base}`);
      process.env.BENCH_POSTGRES_URL = base;
      const bdb = await createBenchDb("postgres");
      const { server, seeded } = await prepareServer(bdb, PROD_DIST, async (db) => {
        const s = await seedToken(db);
        await seedRegistries(db, s.companyId, s.userId, 10_000);
        return s;
      });
      sides.push({ base, bdb, server, seeded });
    }
    const res = alternate(
      Object.fromEntries(sides.map((s, i) => [String(i), { url: `${s.server.url}/api/v1/companies/${s.seeded.companyId}/registries?limit=50`, headers: { Authorization: `Bearer ${s.seeded.token}` } }])),
      { connections: 8, seconds: 5, rounds: 3, warmupSeconds: 2 },
    );
    console.log("| DATABASE_URL | list req/s (median of 3) | p99 ms (median) |\n|---|---|---|");
    sides.forEach((s, i) => {
      const r = res[String(i)]!;
      console.log(`| ${s.base.replace(/\/\/[^@]*@/, "//")} | ${fmt(median(r.map((x) => x.rps)), 0)} | ${fmt(median(r.map((x) => x.p99)), 1)} |`);
    });
  } finally {
    for (const s of sides) {
      await s.server.stop();
      await s.bdb.drop();
    }
  }
}

async function main() {
  const urls = (process.env.PGB_URLS ?? "").split(/\s+/).filter(Boolean);
  if (urls.length === 0) throw new Error("set PGB_URLS to the DATABASE_URLs to compare");
  if (process.env.PGB_MODE === "throughput") return throughput(urls);
  console.log("| DATABASE_URL | start (2 starts + seed) | list requests | creates | pull secrets | failed statuses |\n|---|---|---|---|---|---|");
  for (const u of urls) {
    log("through", u);
    await run(u);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
