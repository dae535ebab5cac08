import "server-only";
import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { sessions } from "@/db/schema";

/** How long a session lasts from sign-in (the JWT cookie carries the same lifetime). */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600;
/** "Last seen" is written at most this often per session. */
export const LAST_SEEN_EVERY_MS = 60_000;

/*
 * The sessions table, below every service: these take a database handle and check no permission
 * themselves (signing in and out happens before any request context exists).
 */

/** Starts a session at sign-in; its id goes into the JWT as `sid`. */
export async function createSession(db: Db, input: { userId: string; ip: string | null; userAgent: string | null }): Promise<string> {
  const [row] = await db
    .insert(sessions)
    .values({
      userId: input.userId,
      ip: input.ip,
      userAgent: (input.userAgent ?? "").slice(0, 512),
      expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000),
    })
    .returning({ id: sessions.id });
  return row!.id;
}

const live = () => and(isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`));

/** Ends one session of a user; false when it is unknown, someone else's or already ended. */
export async function endSession(db: Db, userId: string, sessionId: string): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), live()))
    .returning({ id: sessions.id });
  return rows.length > 0;
}

/**
 * Ends every session of a user but one (the caller's own, so a password change does not sign
 * the person making it out); with `exceptSessionId` null it ends them all. Returns how many ended.
 * Called on a password change or reset, when two-factor is disabled or reset, and when a user is
 * removed from their last company.
 */
export async function endOtherSessions(db: Db, userId: string, exceptSessionId: string | null): Promise<number> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, userId), live(), exceptSessionId ? ne(sessions.id, exceptSessionId) : undefined))
    .returning({ id: sessions.id });
  return rows.length;
}

/** The user's live sessions, newest first. */
export async function liveSessions(db: Db, userId: string) {
  return db
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, ip: sessions.ip, userAgent: sessions.userAgent })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), live()))
    .orderBy(desc(sessions.lastSeenAt), desc(sessions.createdAt));
}

/** Records that a session was used, unless that was already recorded in the last minute. */
export async function touchSession(db: Db, sessionId: string): Promise<void> {
  await db
    .update(sessions)
    .set({ lastSeenAt: new Date() })
    .where(and(eq(sessions.id, sessionId), sql`${sessions.lastSeenAt} < now() - interval '1 minute'`));
}
