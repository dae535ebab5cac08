/**
 * Would a streaming read replica help Berth's list traffic? Measures, on this machine:
 *  1. read-your-writes: after each `POST …/registries` answers 201 from a Berth on the primary, how
 *     often the new row is already on the replica, and how long until it is (polled every ms),
 *     while API creates run; the replication lag PostgreSQL reports meanwhile;
 *  2. the database's own capacity for the list statement (pgbench, 8 clients) on the primary, on the
 *     replica, and on both at once, beside Berth's list requests/s (wrk, 8 connections) on one
 *     instance: how far the database is from being what limits the list.
 *
 * Needs a primary and its streaming replica on loopback (docs/scaling.md shows the setup):
 *   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5434/postgres \
 *   BENCH_REPLICA_URL=postgres://postgres@127.0.0.1:5433/postgres \
 *   npx tsx --conditions=react-server bench/replica.ts
 * Prints a Markdown summary; a production build in .next (`npx next build`) must exist.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { createBenchDb, fmt, log, median, percentile, prepareServer, PROD_DIST, seedRegistries, seedToken, sleep, wrk } from "./lib";

const LOOPBACK = /^postgres(ql)?:\/\/[^@]*@(127\.\d+\.\d+\.\d+|\[::1\]|localhost)[:/]/;
const WRITERS = 4;
const WRITE_SECONDS = 15;

function pgbench(url: string, script: string, clients: number, seconds: number): number {
  const r = spawnSync("pgbench", ["-n", "-M", "prepared", "-c", String(clients), "-j", "2", "-T", String(seconds), "-f", script, url], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`pgbench failed: ${r.stderr}`);
  return Number(/tps = ([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
}

async function main() {
  const primaryBase = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5434/postgres";
  const replicaBase = process.env.BENCH_REPLICA_URL ?? "postgres://postgres@127.0.0.1:5433/postgres";
  for (const u of [primaryBase, replicaBase]) if (!LOOPBACK.test(u)) throw new Error(`loopback databases only: ${u}`);
  process.env.BENCH_POSTGRES_URL = primaryBase;

  const bdb = await createBenchDb("postgres");
  const dbName = new URL(bdb.env.DATABASE_URL!).pathname.slice(1);
  const replicaUrl = new URL(replicaBase);
  replicaUrl.pathname = `/${dbName}`;
  const primaryUrl = bdb.env.DATABASE_URL!;
  const { server, seeded } = await prepareServer(bdb, PROD_DIST, async (db) => {
    const s = await seedToken(db);
    await seedRegistries(db, s.companyId, s.userId, 10_000);
    return s;
  });
  const primarySql = postgres(primaryUrl, { max: 2, onnotice: () => {} });
  let replicaSql: postgres.Sql | undefined;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "berth-replica-"));
  try {
    // The database was created on the primary; wait until the replica has it and the seed.
    for (let i = 0; ; i++) {
      try {
        replicaSql ??= postgres(replicaUrl.toString(), { max: WRITERS + 1, onnotice: () => {} });
        const [row] = await replicaSql`select count(*)::int as n from registries`;
        if (row!.n >= 10_000) break;
      } catch {
        await replicaSql?.end();
        replicaSql = undefined;
      }
      if (i > 300) throw new Error("the replica did not catch up within 30 s");
      await sleep(100);
    }
    const replica = replicaSql!;
    const auth = { Authorization: `Bearer ${seeded.token}`, "Content-Type": "application/json" };

    // 1. Creates, and when each one becomes visible on the replica.
    log("read-your-writes: API creates with", WRITERS, "writers for", WRITE_SECONDS, "s");
    const visibleAfterMs: number[] = [];
    let missedAtOnce = 0;
    let creates = 0;
    let failures = 0;
    const lagSamples: { replayMs: number; bytes: number }[] = [];
    const until = Date.now() + WRITE_SECONDS * 1000;
    const sampler = (async () => {
      while (Date.now() < until) {
        const [r] = await primarySql`select coalesce(extract(epoch from replay_lag) * 1000, 0)::float8 as ms, pg_wal_lsn_diff(sent_lsn, replay_lsn)::float8 as bytes from pg_stat_replication limit 1`;
        if (r) lagSamples.push({ replayMs: Number(r.ms), bytes: Number(r.bytes) });
        await sleep(100);
      }
    })();
    const writer = async (w: number) => {
      for (let i = 0; Date.now() < until; i++) {
        const res = await fetch(`${server.url}/api/v1/companies/${seeded.companyId}/registries`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ name: `replica-${w}-${i}`, type: "custom", credentials: { url: `replica-${w}-${i}.example.com`, username: "u", password: "p" } }),
        });
        if (res.status !== 201) {
          failures++;
          continue;
        }
        const { id } = (await res.json()) as { id: string };
        const answered = performance.now();
        creates++;
        // What a list served by the replica right after the 201 would show.
        let seen = (await replica`select 1 from registries where id = ${id}`).length > 0;
        if (!seen) missedAtOnce++;
        while (!seen) {
          await sleep(1);
          seen = (await replica`select 1 from registries where id = ${id}`).length > 0;
        }
        visibleAfterMs.push(performance.now() - answered);
      }
    };
    await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), sampler]);

    // 2. The list statement's capacity in the database, and Berth's list beside it.
    log("list capacity: pgbench and wrk");
    const script = path.join(tmp, "list.sql");
    writeFileSync(
      script,
      `select r.*, u.email from registries r left join users u on u.id = r.created_by where r.company_id = '${seeded.companyId}' and not r.is_deleted order by r.created_at desc nulls last, r.id desc nulls last limit 51;\n`,
    );
    const onPrimary = pgbench(primaryUrl, script, 8, 8);
    const onReplica = pgbench(replicaUrl.toString(), script, 8, 8);
    const both = await Promise.all([
      new Promise<number>((r) => r(pgbench(primaryUrl, script, 4, 8))),
      new Promise<number>((r) => r(pgbench(replicaUrl.toString(), script, 4, 8))),
    ]);
    const list = wrk(`${server.url}/api/v1/companies/${seeded.companyId}/registries?limit=50`, { connections: 8, seconds: 8, headers: { Authorization: `Bearer ${seeded.token}` } });

    const sorted = [...visibleAfterMs].sort((a, b) => a - b);
    console.log(`\n## Read replica (${new Date().toISOString()}, load average ${os.loadavg()[0]!.toFixed(1)})\n`);
    console.log(`| measure | value |\n|---|---|`);
    console.log(`| API creates in ${WRITE_SECONDS} s (${WRITERS} writers) | ${creates} (${fmt(creates / WRITE_SECONDS)}/s), ${failures} failed |`);
    console.log(`| created row not yet on the replica when the 201 arrived | ${missedAtOnce} of ${creates} (${fmt((100 * missedAtOnce) / Math.max(1, creates))} %) |`);
    console.log(`| time from 201 to visible on the replica, p50 / p99 / max | ${fmt(median(sorted), 2)} / ${fmt(percentile(sorted, 0.99), 2)} / ${fmt(sorted.at(-1) ?? NaN, 2)} ms |`);
    const replay = lagSamples.map((s) => s.replayMs).sort((a, b) => a - b);
    const bytes = lagSamples.map((s) => s.bytes).sort((a, b) => a - b);
    console.log(`| replay_lag reported by the primary, median / max | ${fmt(median(replay), 2)} / ${fmt(replay.at(-1) ?? NaN, 2)} ms |`);
    console.log(`| bytes not yet replayed, median / max | ${fmt(median(bytes), 0)} / ${fmt(bytes.at(-1) ?? NaN, 0)} |`);
    console.log(`| list statement, pgbench 8 clients, primary alone | ${fmt(onPrimary, 0)} tps |`);
    console.log(`| list statement, pgbench 8 clients, replica alone | ${fmt(onReplica, 0)} tps |`);
    console.log(`| list statement, 4 clients on each at once (primary + replica) | ${fmt(both[0]! + both[1]!, 0)} tps (${fmt(both[0]!, 0)} + ${fmt(both[1]!, 0)}) |`);
    console.log(`| Berth list (\`GET …/registries?limit=50\`), wrk 8 connections, one instance on the primary | ${fmt(list.rps, 0)} req/s, p99 ${fmt(list.p99, 1)} ms |`);
  } finally {
    await replicaSql?.end();
    await primarySql.end();
    await server.stop();
    await bdb.drop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
