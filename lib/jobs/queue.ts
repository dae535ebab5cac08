/**
 * The job queue's SQL (table `jobs`): claim, extend, complete, fail. Every statement that
 * changes a claimed row names the claim it holds, so an instance whose lease ran out (and whose
 * job another instance took) changes nothing.
 */
import "server-only";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { rowsOf, type Db } from "@/db";
import { jobs } from "@/db/schema";

export type JobRow = typeof jobs.$inferSelect;

/** The claim of a job this instance holds. */
export interface ClaimedJob {
  id: number;
  kind: string;
  key: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  claim: string;
}

/** The job's claim was lost (its lease ran out and another instance took it): nothing was written. */
export class LeaseLostError extends Error {
  constructor(job: { id: number; key: string }) {
    super(`The claim on job ${job.id} (${job.key}) was lost: its lease ran out`);
    this.name = "LeaseLostError";
  }
}

/**
 * Claims up to `limit` due jobs of the given kinds: due (`run_at` passed) and either unclaimed or
 * with a lease that ran out (its instance died). `FOR UPDATE SKIP LOCKED` lets instances claim
 * at once without waiting on each other or taking the same row.
 */
export async function claimJobs(db: Db, options: { kinds: readonly string[]; limit: number; leaseMs: number; claim: string }): Promise<ClaimedJob[]> {
  if (options.limit <= 0 || options.kinds.length === 0) return [];
  const kinds = sql.join(options.kinds.map((k) => sql`${k}`), sql`, `);
  const rows = rowsOf<{ id: number | string; kind: string; key: string; payload: Record<string, unknown>; attempts: number; max_attempts: number }>(
    await db.execute(sql`
      update ${jobs} set claim = ${options.claim}, lease_until = now() + ${options.leaseMs}::int * interval '1 millisecond', attempts = attempts + 1
      where id in (
        select id from ${jobs}
        where kind in (${kinds}) and run_at <= now() and (lease_until is null or lease_until < now())
        order by run_at
        limit ${options.limit}
        for update skip locked
      )
      returning id, kind, key, payload, attempts, max_attempts`),
  );
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind, key: r.key, payload: r.payload, attempts: r.attempts, maxAttempts: r.max_attempts, claim: options.claim }));
}

/** Pushes the lease of jobs still running forward (the instance is alive). */
export async function extendLeases(db: Db, ids: number[], claim: string, leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(jobs)
    .set({ leaseUntil: sql`now() + ${leaseMs}::int * interval '1 millisecond'` })
    .where(and(inArray(jobs.id, ids), eq(jobs.claim, claim)));
}

/**
 * Finishes a job: a recurring one moves to `next` (an SQL timestamp; null means never, until
 * something schedules it again) with its attempts reset, a one-shot one is deleted. Throws
 * LeaseLostError when the claim is no longer this instance's (inside a transaction, that rolls
 * back what the job wrote with it).
 */
export async function completeJob(db: Db, job: ClaimedJob, next: SQL | null | "delete"): Promise<void> {
  const mine = and(eq(jobs.id, job.id), eq(jobs.claim, job.claim));
  const done =
    next === "delete"
      ? await db.delete(jobs).where(mine).returning({ id: jobs.id })
      : await db
          .update(jobs)
          .set({ runAt: next === null ? sql`'infinity'::timestamptz` : sql`coalesce(${next}, 'infinity'::timestamptz)`, attempts: 0, claim: null, leaseUntil: null, lastError: null })
          .where(mine)
          .returning({ id: jobs.id });
  if (done.length === 0) throw new LeaseLostError(job);
}

/**
 * Records a failed attempt: the job runs again after `retryAt` (an SQL timestamp). A one-shot
 * job out of attempts is parked (`run_at` infinity) with its last error.
 */
export async function failJob(db: Db, job: ClaimedJob, error: string, retryAt: SQL): Promise<void> {
  await db
    .update(jobs)
    .set({ runAt: retryAt, claim: null, leaseUntil: null, lastError: error.slice(0, 2000) })
    .where(and(eq(jobs.id, job.id), eq(jobs.claim, job.claim)));
}

/** Inserts a job unless one with its key exists (singleton keys). */
export async function ensureJob(db: Db, job: { kind: string; key: string; payload?: Record<string, unknown>; runAt?: SQL | Date; maxAttempts?: number }): Promise<void> {
  await db
    .insert(jobs)
    .values({ kind: job.kind, key: job.key, payload: job.payload ?? {}, runAt: job.runAt ?? sql`now()`, maxAttempts: job.maxAttempts ?? 5 })
    .onConflictDoUpdate({ target: jobs.key, set: { payload: job.payload ?? {} } });
}

/** The next multiple of `everyMs` since the epoch, by the database's clock (every instance agrees). */
export function nextPeriodSql(everyMs: number): SQL {
  return sql`to_timestamp((floor(extract(epoch from clock_timestamp()) * 1000 / ${everyMs}::bigint) + 1) * ${everyMs}::bigint / 1000.0)`;
}

/** Exponential backoff with jitter: 5 s, 10 s, 20 s … capped at 10 minutes, never later than `notAfter`. */
export function backoffSql(attempt: number, notAfter?: SQL): SQL {
  const base = Math.min(600_000, 5_000 * 2 ** Math.max(0, attempt - 1));
  const ms = Math.round(base * (0.8 + Math.random() * 0.4));
  const at = sql`now() + ${ms}::int * interval '1 millisecond'`;
  return notAfter ? sql`least(${at}, coalesce(${notAfter}, ${at}))` : at;
}
