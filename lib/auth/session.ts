import "server-only";
import { getToken } from "next-auth/jwt";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { users } from "@/db/schema";
import { serverSecrets } from "@/lib/crypto";

export const SESSION_COOKIE = "authjs.session-token";
export const SECURE_SESSION_COOKIE = "__Secure-authjs.session-token";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** The user id and session version of a valid Auth.js session cookie (decoded with the same secret), or null. */
export async function sessionClaimsFromHeaders(headers: Headers): Promise<{ uid: string; sv: number } | null> {
  const cookie = headers.get("cookie") ?? "";
  if (!cookie.includes(SESSION_COOKIE)) return null;
  const secureCookie = cookie.includes(SECURE_SESSION_COOKIE);
  const token = await getToken({ req: { headers }, secret: serverSecrets().authSecret, secureCookie });
  const uid = typeof token?.uid === "string" ? token.uid : null;
  return uid ? { uid, sv: Number(token?.sv ?? 0) } : null;
}

/**
 * The signed-in user from the Auth.js session cookie. The user must still exist and the
 * session's version must match (bumped to sign a user out everywhere).
 */
export async function sessionUserFromHeaders(headers: Headers): Promise<SessionUser | null> {
  const claims = await sessionClaimsFromHeaders(headers);
  if (!claims) return null;
  const db = await getDb();
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name, sessionVersion: users.sessionVersion })
    .from(users)
    .where(eq(users.id, claims.uid))
    .limit(1);
  if (!user || user.sessionVersion !== claims.sv) return null;
  return { id: user.id, email: user.email, name: user.name };
}
