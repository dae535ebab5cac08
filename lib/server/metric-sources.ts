import "server-only";
import { sql } from "drizzle-orm";
import { dbHandle, rowsOf } from "@/db";
import { metrics } from "@/lib/metrics";
import { currentJobRunner } from "./jobs";

/**
 * Connects the scrape-time gauges to this process: the job runner's running jobs, the shared
 * queue's counts, and the pool's connections. postgres.js does not expose its pool, so the pool
 * gauge reads `pg_stat_activity` for the `application_name` this process's client connects with
 * (db/index.ts): connections open and active, counted by PostgreSQL itself.
 */
export function installMetricSources(): void {
  const sources = metrics().sources;
  sources.jobsRunning = () => currentJobRunner()?.running() ?? 0;
  sources.jobsQueued = async () => {
    const { db } = await dbHandle();
    const [row] = rowsOf<{ due: number; leased: number; scheduled: number }>(
      await db.execute(sql`
        select count(*) filter (where lease_until > now())::int as leased,
               count(*) filter (where (lease_until is null or lease_until <= now()) and run_at <= now())::int as due,
               count(*) filter (where (lease_until is null or lease_until <= now()) and run_at > now() and run_at < 'infinity')::int as scheduled
        from jobs`),
    );
    return row ?? { due: 0, leased: 0, scheduled: 0 };
  };
  sources.dbConnections = async () => {
    const handle = await dbHandle();
    if (!handle.pool) return null;
    const [row] = rowsOf<{ open: number; active: number }>(
      await handle.db.execute(sql`
        select count(*)::int as open, count(*) filter (where state = 'active')::int as active
        from pg_stat_activity where application_name = ${handle.pool.applicationName}`),
    );
    return { max: handle.pool.max, open: row?.open ?? 0, active: row?.active ?? 0 };
  };
}
