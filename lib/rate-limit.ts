import "server-only";
import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "@/db";
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
 * insert run under a transaction-scoped advisory lock on (bucket, subject), so concurrent
 * callers cannot both slip under the limit.
 */
export async function consumeRate(
  db: Db,
  opts: { bucket: string; subject: string; limit: number; windowMs: number; record?: boolean },
): Promise<RateDecision> {
  const key = opts.bucket + ":" + opts.subject;
  return fewAtATimeInDatabase(key, () =>
    db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
      return countAndMaybeRecord(tx as unknown as Db, opts);
    }),
  );
}

/**
 * At most WAITERS_IN_DATABASE callers of one (bucket, subject) in this process are inside
 * PostgreSQL at a time, holding a pool connection while they wait for the advisory lock; the rest
 * wait here, in memory. Under load, 25 pulls by one token left 7–8 of the pool's 10 connections
 * waiting on that lock and every other request queued for a connection (issue 16's load suite).
 * One at a time would be worse for that token: each caller would then wait for a pool connection
 * only once the previous one is done, so a few wait inside, ready to take the lock at once.
 * The advisory lock still orders the callers of every instance. Shared by the process's bundles.
 */
const WAITERS_IN_DATABASE = 3;

function fewAtATimeInDatabase<T>(key: string, work: () => Promise<T>): Promise<T> {
  const holder = globalThis as unknown as Record<symbol, Map<string, { active: number; queue: (() => void)[] }> | undefined>;
  const gates = (holder[GATES] ??= new Map());
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = { active: 0, queue: [] }));
  const g = gate;
  const enter = (): Promise<void> => {
    if (g.active < WAITERS_IN_DATABASE) {
      g.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => g.queue.push(resolve));
  };
  const leave = () => {
    const next = g.queue.shift();
    if (next) next(); // the slot passes to the next caller
    else if (--g.active === 0) gates.delete(key);
  };
  return enter().then(() => work().finally(leave));
}
const GATES = Symbol.for("berth.rateLimitGates");

async function countAndMaybeRecord(
  db: Db,
  opts: { bucket: string; subject: string; limit: number; windowMs: number; record?: boolean },
): Promise<RateDecision> {
  const since = new Date(Date.now() - opts.windowMs);
  const where = and(eq(rateEvents.bucket, opts.bucket), eq(rateEvents.subject, opts.subject), gte(rateEvents.createdAt, since));
  const [row] = await db
    .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${rateEvents.createdAt})::text` })
    .from(rateEvents)
    .where(where);
  const count = Number(row?.n ?? 0);
  if (count >= opts.limit) {
    const oldest = row?.oldest ? new Date(row.oldest).getTime() : Date.now();
    return { allowed: false, count, retryAfterSeconds: Math.max(1, Math.ceil((oldest + opts.windowMs - Date.now()) / 1000)) };
  }
  if (opts.record !== false) {
    const [ev] = await db.insert(rateEvents).values({ bucket: opts.bucket, subject: opts.subject }).returning({ id: rateEvents.id });
    return { allowed: true, count: count + 1, retryAfterSeconds: 0, eventId: ev?.id };
  }
  return { allowed: true, count, retryAfterSeconds: 0 };
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
