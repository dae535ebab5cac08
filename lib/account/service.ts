import "server-only";
import Bowser from "bowser";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { users } from "@/db/schema";
import { verifyPassword } from "@/lib/auth/passwords";
import { parseNewPassword } from "@/lib/auth/password-policy";
import { endOtherSessions, endSession, liveSessions } from "@/lib/auth/sessions";
import { recordUserAudit } from "@/lib/auth/user-audit";
import { setPassword } from "@/lib/auth/users";
import { isUuid, notFound, type UserContext } from "@/lib/context";
import { AppError, validationError, zodErrors } from "@/lib/errors";
import { clearRate, consumeRate } from "@/lib/rate-limit";

/** A signed-in user acting on their own account, with the session making the request. */
export interface AccountContext extends UserContext {
  sessionId: string;
}

export const CHANGE_PASSWORD_WINDOW_MS = 15 * 60_000;
export const CHANGE_PASSWORD_MAX_FAILURES = 5;

const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, { error: "Enter your current password" }).max(1024),
  newPassword: z.string().max(1024),
});

const actorOf = (ctx: AccountContext) => ({ userId: ctx.userId, ip: ctx.ip, requestId: ctx.requestId });

/**
 * Changes the caller's password: the current one is required (a wrong one is counted, and after
 * five in 15 minutes the check is refused without hashing, so a stolen session cannot guess it),
 * the new one follows the rules for new passwords, and every other session of the user ends.
 */
export async function changePassword(ctx: AccountContext, input: unknown): Promise<{ sessionsEnded: number }> {
  const parsed = changePasswordSchema.safeParse(input);
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const { currentPassword, newPassword } = parsed.data;
  const db = await getDb();
  const limit = await consumeRate(db, { bucket: "password-change-fail", subject: ctx.userId, limit: CHANGE_PASSWORD_MAX_FAILURES, windowMs: CHANGE_PASSWORD_WINDOW_MS });
  if (!limit.allowed) {
    throw new AppError("rate_limited", "Too many wrong current passwords. Wait a few minutes and try again.", { headers: { "Retry-After": String(limit.retryAfterSeconds) } });
  }
  const [user] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, ctx.userId)).limit(1);
  if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) {
    await recordUserAudit(db, actorOf(ctx), ctx.userId, "user.password_change_failed", { reason: "wrong_current_password" });
    throw validationError([{ path: "currentPassword", message: "The current password is incorrect" }]);
  }
  await clearRate(db, "password-change-fail", ctx.userId);
  if (newPassword === currentPassword) throw validationError([{ path: "newPassword", message: "Choose a password different from the current one" }]);
  parseNewPassword(newPassword, ctx.email, "newPassword");
  const result = await setPassword(db, ctx.userId, newPassword, ctx.sessionId);
  await recordUserAudit(db, actorOf(ctx), ctx.userId, "user.password_changed", { sessionsEnded: result.sessionsEnded });
  return result;
}

export interface SessionDto {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  /** e.g. "Firefox 128 on Linux", from the User-Agent at sign-in. */
  browser: string;
  current: boolean;
}

/** A short, readable name of the browser behind a User-Agent. */
export function describeBrowser(userAgent: string): string {
  if (!userAgent) return "Unknown browser";
  const parsed = Bowser.parse(userAgent);
  const name = parsed.browser.name ? `${parsed.browser.name}${parsed.browser.version ? ` ${parsed.browser.version.split(".")[0]}` : ""}` : "";
  const os = parsed.os.name ?? "";
  if (name && os) return `${name} on ${os}`;
  return name || os || userAgent.slice(0, 60);
}

/** The caller's live sessions, this one first. */
export async function listMySessions(ctx: AccountContext): Promise<SessionDto[]> {
  const rows = await liveSessions(await getDb(), ctx.userId);
  const dtos = rows.map((r) => ({
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    ip: r.ip,
    browser: describeBrowser(r.userAgent),
    current: r.id === ctx.sessionId,
  }));
  return [...dtos.filter((d) => d.current), ...dtos.filter((d) => !d.current)];
}

/** Ends one of the caller's sessions; another user's, an ended or a malformed id is 404. */
export async function signOutSession(ctx: AccountContext, sessionId: string): Promise<void> {
  if (!isUuid(sessionId)) throw notFound("Session");
  const db = await getDb();
  if (!(await endSession(db, ctx.userId, sessionId))) throw notFound("Session");
  await recordUserAudit(db, actorOf(ctx), ctx.userId, "user.session_revoked", { sessionId, current: sessionId === ctx.sessionId });
}

/** Ends every session of the caller, this one included. */
export async function signOutEverywhere(ctx: AccountContext): Promise<{ sessionsEnded: number }> {
  const db = await getDb();
  const sessionsEnded = await endOtherSessions(db, ctx.userId, null);
  await recordUserAudit(db, actorOf(ctx), ctx.userId, "user.signed_out_everywhere", { sessionsEnded });
  return { sessionsEnded };
}
