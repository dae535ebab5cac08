import "server-only";
import { getToken } from "next-auth/jwt";
import { and, eq, isNotNull } from "drizzle-orm";
import { getDb } from "@/db";
import { users, userTotp } from "@/db/schema";
import { serverSecrets } from "@/lib/crypto";

export const SESSION_COOKIE = "authjs.session-token";
export const SECURE_SESSION_COOKIE = "__Secure-authjs.session-token";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  /** Whether the user has confirmed a TOTP authenticator (companies may require it). */
  twoFactor: boolean;
}

/**
 * The signed-in user from the Auth.js session cookie, decoded with the same secret. The user must
 * still exist and the session's version must match (bumped to sign a user out everywhere).
 */
export async function sessionUserFromHeaders(headers: Headers): Promise<SessionUser | null> {
  const cookie = headers.get("cookie") ?? "";
  if (!cookie.includes(SESSION_COOKIE)) return null;
  const secureCookie = cookie.includes(SECURE_SESSION_COOKIE);
  const token = await getToken({ req: { headers }, secret: serverSecrets().authSecret, secureCookie });
  const uid = typeof token?.uid === "string" ? token.uid : null;
  if (!uid) return null;
  const db = await getDb();
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name, sessionVersion: users.sessionVersion, totpConfirmedAt: userTotp.confirmedAt })
    .from(users)
    .leftJoin(userTotp, and(eq(userTotp.userId, users.id), isNotNull(userTotp.confirmedAt)))
    .where(eq(users.id, uid))
    .limit(1);
  if (!user || user.sessionVersion !== Number(token?.sv ?? 0)) return null;
  return { id: user.id, email: user.email, name: user.name, twoFactor: !!user.totpConfirmedAt };
}
