/**
 * Scheduled health checks on the job runner (lib/jobs):
 * - one recurring job per registry to check (`registry.check:<id>`): active, not deleted, not
 *   opted out, with credentials (not `public`, not anonymous); created, moved and dropped by the
 *   periodic task `registry-checks.schedule` (every minute);
 * - each registry's checks fall in its own slot of the interval (the company's
 *   `check_interval_minutes`, else `BERTH_CHECK_INTERVAL_MINUTES`): offset = hash(id) mod
 *   interval, so 500 registries of a company are spread over the interval, not tested at once;
 * - at most {@link PER_HOST_LIMIT} checks of one registry host at a time per instance (Docker
 *   Hub and other providers rate-limit by address), besides the runner's own concurrency;
 * - the periodic task `registry-checks.prune` keeps 90 days or the newest 1 000 checks per
 *   registry, whichever is less.
 * A check is Test Connection on the saved values, login only, run as the system; its result and
 * the job's move to the next slot commit in one transaction.
 */
import "server-only";
import { countScheduledCheck } from "@/lib/metrics";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { getDb, rowsOf, type Db } from "@/db";
import { companies, jobs, registries, registryChecks } from "@/db/schema";
import { env } from "@/lib/env";
import { registerJobKind, registerPeriodicTask } from "@/lib/jobs/runner";
import { checkSavedRegistryAsSystem } from "@/lib/registries/connection-service";
import { deliverSoon } from "@/lib/notifications/delivery";
import { recordCheck } from "./record";

export const CHECK_KIND = "registry.check";
export const PER_HOST_LIMIT = 2;
export const KEEP_DAYS = 90;
export const KEEP_PER_REGISTRY = 1000;

export interface HealthJobOptions {
  /** The default interval in seconds (tests); production uses BERTH_CHECK_INTERVAL_MINUTES. */
  checkIntervalSeconds?: number;
  /** How often the schedule is brought in line with the registries; default 60 s. */
  scheduleEveryMs?: number;
  /** How often the history is pruned; default hourly. */
  pruneEveryMs?: number;
}

let defaultIntervalSeconds: (() => number) | undefined;
const intervalSeconds = () => (defaultIntervalSeconds ?? (() => env().BERTH_CHECK_INTERVAL_MINUTES * 60))();

/** Registries that are checked on a schedule (alias `r`, its company `c`). */
const eligible = sql`r.is_active and not r.is_deleted and r.scheduled_checks and r.type <> 'public' and cardinality(r.secret_fields) > 0`;

/** The registry's next slot after now: the next instant ≡ hash(id) (mod interval). */
function nextSlot(): SQL {
  const periodMs = sql`(coalesce(c.check_interval_minutes * 60, ${intervalSeconds()}::int)::bigint * 1000)`;
  const offsetMs = sql`((hashtext(r.id::text)::bigint + 2147483648) % ${periodMs})`;
  const nowMs = sql`(extract(epoch from clock_timestamp()) * 1000)::bigint`;
  return sql`to_timestamp(((floor((${nowMs} - ${offsetMs})::float8 / ${periodMs}) + 1) * ${periodMs} + ${offsetMs}) / 1000.0)`;
}

/** One registry's next slot, or null when it is no longer checked on a schedule. */
function nextSlotOf(registryId: string): SQL {
  return sql`(select ${nextSlot()} from ${registries} r join ${companies} c on c.id = r.company_id where r.id = ${registryId}::uuid and ${eligible})`;
}

// ---------------------------------------------------------------------------- per-host limit

const hostSlots = new Map<string, { active: number; waiting: (() => void)[] }>();

/** Waits for one of the host's slots; returns its release. */
async function takeHostSlot(host: string): Promise<() => void> {
  let slot = hostSlots.get(host);
  if (!slot) hostSlots.set(host, (slot = { active: 0, waiting: [] }));
  const s = slot;
  if (s.active >= PER_HOST_LIMIT) await new Promise<void>((resolve) => s.waiting.push(resolve));
  else s.active += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = s.waiting.shift();
    if (next) next(); // the slot passes on to the next waiter
    else if (--s.active === 0) hostSlots.delete(host);
  };
}

/** `host[:port]` of a stored registry URL (`host[:port][/path-prefix]`). */
export const registryHostOf = (url: string) => url.split("/")[0]!.toLowerCase();

// ---------------------------------------------------------------------------- the tasks

/**
 * Brings the check jobs in line with the registries: a job for every registry to check (at its
 * next slot), moved earlier when its interval got shorter or it is checked again, and dropped
 * for registries no longer checked. Returns what it changed.
 */
export async function scheduleRegistryChecks(db: Db): Promise<{ scheduled: number; dropped: number }> {
  const upserted = rowsOf<{ id: number }>(
    await db.execute(sql`
      insert into ${jobs} (kind, key, payload, run_at)
      select ${CHECK_KIND}, ${`${CHECK_KIND}:`} || r.id::text, jsonb_build_object('registryId', r.id::text, 'companyId', r.company_id::text), ${nextSlot()}
      from ${registries} r join ${companies} c on c.id = r.company_id
      where ${eligible}
      on conflict (key) do update set run_at = excluded.run_at
        where ${jobs}.run_at > excluded.run_at and (${jobs}.lease_until is null or ${jobs}.lease_until < now())
      returning id`),
  );
  const dropped = rowsOf<{ id: number }>(
    await db.execute(sql`
      delete from ${jobs} j
      where j.kind = ${CHECK_KIND} and (j.lease_until is null or j.lease_until < now())
        and not exists (select 1 from ${registries} r where r.id = (j.payload->>'registryId')::uuid and ${eligible})
      returning j.id`),
  );
  return { scheduled: upserted.length, dropped: dropped.length };
}

/** Deletes checks older than 90 days and all but the newest 1 000 of each registry. */
export async function pruneRegistryChecks(db: Db): Promise<{ deleted: number }> {
  const old = rowsOf<{ id: number }>(
    await db.execute(sql`delete from ${registryChecks} where checked_at < now() - ${KEEP_DAYS}::int * interval '1 day' returning id`),
  );
  const extra = rowsOf<{ id: number }>(
    await db.execute(sql`
      delete from ${registryChecks} k
      using (
        select r.id as registry_id, cut.id as cut_id
        from ${registries} r
        cross join lateral (
          select id from ${registryChecks} x where x.registry_id = r.id order by x.id desc offset ${KEEP_PER_REGISTRY - 1} limit 1
        ) cut
      ) c
      where k.registry_id = c.registry_id and k.id < c.cut_id
      returning k.id`),
  );
  return { deleted: old.length + extra.length };
}

/** One scheduled check (the `registry.check` job). */
async function runCheck(registryId: string, companyId: string, jobId: number, signal: AbortSignal, completeIn: (tx: Db) => Promise<void>): Promise<void> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(registries)
    .where(and(eq(registries.id, registryId), eq(registries.companyId, companyId), eq(registries.isDeleted, false), eq(registries.isActive, true), eq(registries.scheduledChecks, true)));
  // No longer checked on a schedule: the job parks (the next schedule task drops it).
  if (!row || row.type === "public" || row.secretFields.length === 0) return;
  const release = await takeHostSlot(registryHostOf(row.url));
  let outcome: Awaited<ReturnType<typeof checkSavedRegistryAsSystem>>;
  try {
    outcome = await checkSavedRegistryAsSystem(row, { requestId: `check-${jobId}`, signal });
  } finally {
    release();
  }
  if (outcome.result.details.cancelled === true) {
    countScheduledCheck("cancelled");
    throw new Error("The check was cancelled: the job runner is stopping");
  }
  const { deliveryIds } = await db.transaction(async (tx) => {
    const recorded = await recordCheck(tx as unknown as Db, row, outcome.result, { trigger: "schedule", expectVersion: outcome.version });
    await completeIn(tx as unknown as Db);
    return recorded;
  });
  countScheduledCheck(outcome.result.status);
  deliverSoon(deliveryIds); // check_failed / recovered, once committed
}

/** Registers the check job kind and the schedule and prune tasks with the job runner. */
export function registerHealthJobs(options: HealthJobOptions = {}): void {
  defaultIntervalSeconds = options.checkIntervalSeconds ? () => options.checkIntervalSeconds! : undefined;
  registerJobKind(CHECK_KIND, {
    run: ({ job, signal, completeIn }) => runCheck(String(job.payload.registryId), String(job.payload.companyId), job.id, signal, completeIn),
    next: (job) => nextSlotOf(String(job.payload.registryId)),
  });
  registerPeriodicTask("registry-checks.schedule", options.scheduleEveryMs ?? 60_000, async () => {
    await scheduleRegistryChecks(await getDb());
  });
  registerPeriodicTask("registry-checks.prune", options.pruneEveryMs ?? 3600_000, async () => {
    await pruneRegistryChecks(await getDb());
  });
}
