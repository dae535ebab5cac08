import "server-only";
import { and, eq, lt, sql } from "drizzle-orm";
import { rowsOf, type Db } from "@/db";
import { rateEvents } from "@/db/schema";
import { AppError } from "@/lib/errors";

export interface RateDecision {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
  /** The id of the event recorded for this call (when allowed and recorded), for `releaseRateEvent`. */
  eventId?: number;
}

/**
 * Sliding-window counting in PostgreSQL, so limits hold across instances. The check and the
 * insert run in one statement, `berth_consume_rate` (migration 0005), under a transaction-scoped
 * advisory lock on (bucket, subject) taken inside it, so concurrent callers cannot both slip under
 * the limit, and the lock is held only inside PostgreSQL, never across the app's own turns.
 */
export async function consumeRate(
  db: Db,
  opts: { bucket: string; subject: string; limit: number; windowMs: number; record?: boolean },
): Promise<RateDecision> {
  const since = new Date(Date.now() - opts.windowMs);
  // No queue in memory in front of it (there was one, of 3, while the lock was held across four
  // statements): a caller waiting for the lock now waits for one statement of another, inside
  // PostgreSQL, not for the app's turns.
  const result = await db.execute(
    sql`select allowed, n, oldest::text as oldest, event_id from berth_consume_rate(${opts.bucket}, ${opts.subject}, ${opts.limit}::int, ${since.toISOString()}::timestamptz, ${opts.record !== false})`,
  );
  const row = rowsOf<{ allowed: boolean; n: number | string; oldest: string | null; event_id: number | string | null }>(result)[0];
  const count = Number(row?.n ?? 0);
  if (!row?.allowed) {
    const oldest = row?.oldest ? new Date(row.oldest).getTime() : Date.now();
    return { allowed: false, count, retryAfterSeconds: Math.max(1, Math.ceil((oldest + opts.windowMs - Date.now()) / 1000)) };
  }
  return row.event_id === null || row.event_id === undefined
    ? { allowed: true, count, retryAfterSeconds: 0 }
    : { allowed: true, count, retryAfterSeconds: 0, eventId: Number(row.event_id) };
}

/** Records one event without checking (e.g. a failed sign-in). */
export async function recordRateEvent(db: Db, bucket: string, subject: string): Promise<void> {
  await db.insert(rateEvents).values({ bucket, subject });
}

/** Takes back one event recorded by `consumeRate` (an attempt that turned out not to count). */
export async function releaseRateEvent(db: Db, eventId: number | undefined): Promise<void> {
  if (eventId !== undefined) await db.delete(rateEvents).where(eq(rateEvents.id, eventId));
}

/** Forgets a subject's events (e.g. failures after a successful sign-in). */
export async function clearRate(db: Db, bucket: string, subject: string): Promise<void> {
  await db.delete(rateEvents).where(and(eq(rateEvents.bucket, bucket), eq(rateEvents.subject, subject)));
}

/** Drops events older than a day; called now and then by the limiters. */
export async function pruneRateEvents(db: Db): Promise<void> {
  await db.delete(rateEvents).where(lt(rateEvents.createdAt, new Date(Date.now() - 24 * 3600_000)));
}

/** The 429 for a refused limit: `Retry-After` (whole seconds, at least 1) in the header and the body. */
export function rateLimitedError(seconds: number, detail: string): AppError {
  const retryAfter = Math.max(1, Math.ceil(seconds));
  return new AppError("rate_limited", `${detail} Try again in ${retryAfter} s.`, { headers: { "Retry-After": String(retryAfter) }, extra: { retryAfter } });
}
