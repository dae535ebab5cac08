import "server-only";
import { getToken } from "next-auth/jwt";
import { and, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { sessions, users, userTotp } from "@/db/schema";
import { serverSecrets } from "@/lib/crypto";
import { log } from "@/lib/log";
import { LAST_SEEN_EVERY_MS, touchSession } from "./sessions";

export const SESSION_COOKIE = "authjs.session-token";
export const SECURE_SESSION_COOKIE = "__Secure-authjs.session-token";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  /** The id of this sign-in's row in the sessions table. */
  sessionId: string;
  /** Whether the user has confirmed a TOTP authenticator (companies may require it). */
  twoFactor: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `uid` and `sid` of a request's Auth.js session cookie, decoded with the server's secret. */
export async function sessionClaims(headers: Headers): Promise<{ uid: string; sid: string } | null> {
  const cookie = headers.get("cookie") ?? "";
  if (!cookie.includes(SESSION_COOKIE)) return null;
  const secureCookie = cookie.includes(SECURE_SESSION_COOKIE);
  const token = await getToken({ req: { headers }, secret: serverSecrets().authSecret, secureCookie });
  const uid = typeof token?.uid === "string" ? token.uid : null;
  const sid = typeof token?.sid === "string" ? token.sid : null;
  return uid && sid && UUID.test(uid) && UUID.test(sid) ? { uid, sid } : null;
}

/**
 * The signed-in user from the Auth.js session cookie. One query loads the user and checks that
 * the cookie's session is still live on the server (not signed out, not revoked, not expired),
 * so a copied cookie stops working when its session ends. "Last seen" is written at most once a
 * minute, without delaying the request.
 */
export async function sessionUserFromHeaders(headers: Headers): Promise<SessionUser | null> {
  const claims = await sessionClaims(headers);
  if (!claims) return null;
  const db = await getDb();
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, lastSeenAt: sessions.lastSeenAt, totpConfirmedAt: userTotp.confirmedAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(userTotp, and(eq(userTotp.userId, users.id), isNotNull(userTotp.confirmedAt)))
    .where(and(eq(sessions.id, claims.sid), eq(sessions.userId, claims.uid), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
    .limit(1);
  if (!row) return null;
  noteSessionSeen(db, claims.sid, row.lastSeenAt);
  return { id: row.id, email: row.email, name: row.name, sessionId: claims.sid, twoFactor: !!row.totpConfirmedAt };
}

/** Records a session's last use at most once a minute, without delaying the request. */
export function noteSessionSeen(db: Db, sessionId: string, lastSeenAt: Date): void {
  if (Date.now() - lastSeenAt.getTime() < LAST_SEEN_EVERY_MS) return;
  touchSession(db, sessionId).catch((err: unknown) => log.warn({ err }, "could not record a session's last use"));
}
