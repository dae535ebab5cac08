/**
 * Scheduled health checks: what one instance sustains, what the history costs, and what the
 * job queue costs while idle.
 *
 *   npx tsx --conditions=react-server bench/checks.ts [--registries 120] [--year-registries 100] [--json FILE]
 *
 * On 127.0.0.1 only: real htpasswd `docker-registry` processes and a fresh database (PGlite in
 * memory, or a new database on DATABASE_URL's server).
 * 1. Checks per minute one instance sustains: N saved registries on one registry host, then
 *    N spread over 4 hosts, every check job made due at once; one job runner (the server's
 *    defaults: 8 jobs at a time, at most 2 per registry host) runs them; checks ÷ minutes until
 *    the last is recorded (each check is Test Connection on the saved values plus its history
 *    row, lastTest and health in one transaction).
 * 2. Database rows a year of hourly checks of 1 000 registries costs after pruning: a year of
 *    hourly checks (8 760 each) of `--year-registries` registries is inserted, pruned by the
 *    prune task (90 days or the newest 1 000 per registry, whichever is less), then counted and
 *    measured (table and index bytes after VACUUM FULL), and scaled to 1 000 registries.
 * 3. The queue: claim latency (median of 200 claims) on an empty and on a 1 000-job queue, the
 *    tables it creates and the queries an idle runner sends.
 * `npm run bench` runs this too.
 */
import { writeFileSync } from "node:fs";
import { fmt, median } from "./lib";

process.env.ENCRYPTION_KEYS ??= "bench:" + Buffer.alloc(32, 9).toString("base64");
process.env.AUTH_SECRET ??= "bench-auth-secret-that-is-long-enough-0123456789";
process.env.LOG_LEVEL ??= "silent";
process.env.OUTBOUND_ALLOW_CIDRS = "127.0.0.1/32";

const argv = process.argv.slice(2);
const arg = (name: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
const N = Number(arg("registries") ?? 120);
const YEAR_REGISTRIES = Number(arg("year-registries") ?? 100);
const HOURS_A_YEAR = 365 * 24;

export interface ChecksResult {
  db: string;
  throughput: { hosts: number; registries: number; seconds: number; checksPerMinute: number; failed: number }[];
  year: { registries: number; inserted: number; keptRows: number; keptPerRegistry: number; bytes: number; scaledRows: number; scaledMiB: number; pruneSeconds: number };
  queue: { claimEmptyMs: number; claimBusyMs: number; tables: number; idleQueriesPerMinute: number };
}


async function main() {
  const [{ useTestDb: openAppDb }, auth, reg, schema, { sql, eq }, { POST: create }, scheduler, runnerMod, queue, db0] = await Promise.all([
    import("@/lib/testing/db"),
    import("@/lib/testing/auth"),
    import("@/lib/testing/registry"),
    import("@/db/schema"),
    import("drizzle-orm"),
    import("@/app/api/v1/companies/[companyId]/registries/route"),
    import("@/lib/health/scheduler"),
    import("@/lib/jobs/runner"),
    import("@/lib/jobs/queue"),
    import("@/db"),
  ]);
  if (!reg.registryAvailable()) throw new Error("needs docker-registry and htpasswd (apt-get install docker-registry apache2-utils)");
  const t = await openAppDb();
  const registries = await Promise.all([0, 1, 2, 3].map(() => reg.startRegistry({ auth: { type: "htpasswd", users: { bench: "bench-Checks-Password-3391" } } })));
  try {
    const { owner, company } = await auth.seedCompany(t.db, "checksbench");
    const cookie = await auth.sessionCookie(owner.id);
    const count = async (q: ReturnType<typeof sql>) => Number(db0.rowsOf<{ n: number }>(await t.db.execute(q))[0]!.n);
    const throughput: ChecksResult["throughput"] = [];
    scheduler.registerHealthJobs({ checkIntervalSeconds: 3600 });

    for (const hosts of [1, 4]) {
      await t.db.update(schema.registries).set({ isDeleted: true, deletedAt: new Date() });
      await t.db.delete(schema.jobs);
      await t.db.delete(schema.registryChecks);
      for (let i = 0; i < N; i += 1) {
        const r = registries[i % hosts]!;
        const res = await create(
          auth.apiRequest("POST", `/api/v1/companies/${company.id}/registries`, { cookie }, { name: `h${hosts}-${i}`, type: "custom", credentials: { url: `http://${r.host}/h${hosts}-${i}`, username: "bench", password: "bench-Checks-Password-3391" } }),
          { params: Promise.resolve({ companyId: company.id }) },
        );
        if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
      }
      await scheduler.scheduleRegistryChecks(t.db);
      await t.db.update(schema.jobs).set({ runAt: sql`now()` }).where(eq(schema.jobs.kind, scheduler.CHECK_KIND));
      const started = performance.now();
      const runner = await runnerMod.createJobRunner({ db: t.db, pollMs: 50 });
      while ((await count(sql`select count(*)::int as n from ${schema.registryChecks}`)) < N) await new Promise((r) => setTimeout(r, 20));
      const seconds = (performance.now() - started) / 1000;
      await runner.stop();
      const failed = await count(sql`select count(*)::int as n from ${schema.registryChecks} where status <> 'success'`);
      throughput.push({ hosts, registries: N, seconds, checksPerMinute: (N / seconds) * 60, failed });
      console.log(`${N} checks on ${hosts} registry host(s): ${fmt(seconds, 2)} s → ${fmt((N / seconds) * 60, 0)} checks/min (${failed} not successful)`);
    }

    // A year of hourly checks, then the prune task.
    await t.db.execute(sql`insert into ${schema.registries} (company_id, type, name, url, secret_fields) select ${company.id}::uuid, 'custom', 'year-' || g, 'year-' || g || '.example.com', '{password}' from generate_series(1, ${YEAR_REGISTRIES}) g`);
    await t.db.execute(sql`
      insert into ${schema.registryChecks} (registry_id, company_id, checked_at, status, stage, latency_ms, message, trigger)
      select r.id, r.company_id, now() - interval '365 days' + h * interval '1 hour', 'success', 'auth', 42, 'Signed in to year.example.com with Basic authentication', 'schedule'
      from ${schema.registries} r cross join generate_series(1, ${HOURS_A_YEAR}) h
      where r.name like 'year-%'`);
    await t.db.delete(schema.registryChecks).where(sql`${schema.registryChecks.registryId} not in (select id from ${schema.registries} where name like 'year-%')`);
    const inserted = await count(sql`select count(*)::int as n from ${schema.registryChecks}`);
    const pruneStarted = performance.now();
    await scheduler.pruneRegistryChecks(t.db);
    const pruneSeconds = (performance.now() - pruneStarted) / 1000;
    const keptRows = await count(sql`select count(*)::int as n from ${schema.registryChecks}`);
    await t.db.execute(sql`vacuum full ${schema.registryChecks}`);
    const bytes = await count(sql`select pg_total_relation_size('registry_checks')::bigint as n`);
    const year = {
      registries: YEAR_REGISTRIES,
      inserted,
      keptRows,
      keptPerRegistry: keptRows / YEAR_REGISTRIES,
      bytes,
      scaledRows: (keptRows / YEAR_REGISTRIES) * 1000,
      scaledMiB: (bytes / YEAR_REGISTRIES) * 1000 / 2 ** 20,
      pruneSeconds,
    };
    console.log(
      `a year of hourly checks of ${YEAR_REGISTRIES} registries: ${inserted.toLocaleString("en-US")} rows inserted, ${keptRows.toLocaleString("en-US")} kept after pruning (${fmt(year.keptPerRegistry, 0)} per registry; prune ${fmt(pruneSeconds, 2)} s), ${fmt(bytes / 2 ** 20, 1)} MiB with its index → 1 000 registries: ${year.scaledRows.toLocaleString("en-US")} rows, ${fmt(year.scaledMiB, 0)} MiB`,
    );

    // The queue itself.
    await t.db.delete(schema.jobs);
    const claimOnce = async () => {
      const s = performance.now();
      const got = await queue.claimJobs(t.db, { kinds: ["bench.none", scheduler.CHECK_KIND], limit: 8, leaseMs: 60_000, claim: "bench" });
      const ms = performance.now() - s;
      if (got.length) await t.db.update(schema.jobs).set({ claim: null, leaseUntil: null }).where(eq(schema.jobs.claim, "bench"));
      return ms;
    };
    const empty: number[] = [];
    for (let i = 0; i < 200; i += 1) empty.push(await claimOnce());
    const emptyMs = median(empty);
    await t.db.execute(sql`insert into ${schema.jobs} (kind, key, run_at) select ${scheduler.CHECK_KIND}, 'bench:' || g, now() + interval '1 hour' from generate_series(1, 1000) g`);
    await t.db.execute(sql`update ${schema.jobs} set run_at = now() where key in ('bench:1','bench:2','bench:3','bench:4','bench:5','bench:6','bench:7','bench:8')`);
    const busy: number[] = [];
    for (let i = 0; i < 200; i += 1) busy.push(await claimOnce());
    const queueResult = { claimEmptyMs: emptyMs, claimBusyMs: median(busy), tables: 1, idleQueriesPerMinute: 60_000 / 5_000 };
    console.log(`queue: claim ${fmt(queueResult.claimEmptyMs, 2)} ms (empty), ${fmt(queueResult.claimBusyMs, 2)} ms (1 000 jobs, 8 due); 1 table; an idle runner sends ${queueResult.idleQueriesPerMinute} claim queries a minute`);

    const result: ChecksResult = { db: t.kind, throughput, year, queue: queueResult };
    const json = arg("json");
    if (json) writeFileSync(json, JSON.stringify(result, null, 2));
  } finally {
    await Promise.all(registries.map((r) => r.stop()));
    await t.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
