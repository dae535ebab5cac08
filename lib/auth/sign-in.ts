import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { memberships } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { clientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";
import { clearRate, consumeRate, pruneRateEvents, releaseRateEvent } from "@/lib/rate-limit";
import { findUserByEmail } from "./users";
import { verifyPassword } from "./passwords";
import { hasTwoFactor, verifySecondFactor } from "./second-factor";

export const SIGNIN_WINDOW_MS = 15 * 60_000;
export const SIGNIN_MAX_PER_ACCOUNT = 5;
export const SIGNIN_MAX_PER_ADDRESS = 20;
/** Wrong second-factor codes are limited like passwords: per account and per address. */
export const CODE_MAX_PER_ACCOUNT = 5;
export const CODE_MAX_PER_ADDRESS = 20;

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string; sessionVersion: number } }
  | { ok: false; reason: "invalid" | "throttled" | "code_required" | "invalid_code"; retryAfterSeconds?: number };

/**
 * Checks an email and password. Failures are counted in PostgreSQL per account and per address
 * (so the limits hold across instances); a wrong email and a wrong password give the same
 * answer and, through the dummy hash, take the same time. For an account with two-factor the
 * right password alone is not enough: without `code` the answer is `code_required`, and only a
 * valid TOTP or recovery code signs in.
 */
export async function checkCredentials(rawEmail: unknown, rawPassword: unknown, headers: Headers, requestId?: string, rawCode?: unknown): Promise<SignInResult> {
  const email = String(rawEmail ?? "").trim().toLowerCase().slice(0, 320);
  const password = String(rawPassword ?? "").slice(0, 1024);
  const ip = clientAddress(headers, env().BERTH_TRUSTED_PROXIES) ?? "unknown";
  const db = await getDb();
  // Each attempt is counted as a failure up front, under the limiter's lock, so concurrent
  // guesses cannot all pass the check before any failure is recorded; a success takes it back.
  const window = { windowMs: SIGNIN_WINDOW_MS } as const;
  const [byAccount, byAddress] = await Promise.all([
    consumeRate(db, { bucket: "signin-fail-account", subject: email, limit: SIGNIN_MAX_PER_ACCOUNT, ...window }),
    consumeRate(db, { bucket: "signin-fail-address", subject: ip, limit: SIGNIN_MAX_PER_ADDRESS, ...window }),
  ]);
  const user = await findUserByEmail(db, email);
  const actor = { userId: user?.id ?? null, ip: ip === "unknown" ? null : ip, requestId: requestId ?? null };
  const companies = user ? await db.select({ id: memberships.companyId }).from(memberships).where(eq(memberships.userId, user.id)) : [];
  const audit = async (action: string, metadata: Record<string, unknown>) => {
    const targets = companies.length > 0 ? companies.map((c) => c.id) : [null];
    for (const companyId of targets) await recordAudit(db, actor, { companyId, action, targetType: "user", targetId: user?.id, metadata: { email, ...metadata } });
  };

  if (!byAccount.allowed || !byAddress.allowed) {
    // A refused attempt is not a failure: take back what the other limiter counted.
    await Promise.all([releaseRateEvent(db, byAccount.eventId), releaseRateEvent(db, byAddress.eventId)]);
    await verifyPassword(null, password); // same cost as a real attempt
    await audit("auth.sign_in_failed", { reason: "throttled" });
    return { ok: false, reason: "throttled", retryAfterSeconds: Math.max(byAccount.retryAfterSeconds, byAddress.retryAfterSeconds) };
  }
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!ok || !user) {
    await audit("auth.sign_in_failed", { reason: "invalid_credentials" });
    if (Math.random() < 0.02) await pruneRateEvents(db);
    return { ok: false, reason: "invalid" };
  }
  await Promise.all([clearRate(db, "signin-fail-account", email), releaseRateEvent(db, byAddress.eventId)]);
  let method = "password";
  if (await hasTwoFactor(db, user.id)) {
    const code = typeof rawCode === "string" ? rawCode.trim() : "";
    if (!code) return { ok: false, reason: "code_required" };
    const [codeByAccount, codeByAddress] = await Promise.all([
      consumeRate(db, { bucket: "totp-fail-account", subject: user.id, limit: CODE_MAX_PER_ACCOUNT, ...window }),
      consumeRate(db, { bucket: "totp-fail-address", subject: ip, limit: CODE_MAX_PER_ADDRESS, ...window }),
    ]);
    if (!codeByAccount.allowed || !codeByAddress.allowed) {
      await Promise.all([releaseRateEvent(db, codeByAccount.eventId), releaseRateEvent(db, codeByAddress.eventId)]);
      await audit("auth.two_factor_failed", { reason: "throttled" });
      return { ok: false, reason: "throttled", retryAfterSeconds: Math.max(codeByAccount.retryAfterSeconds, codeByAddress.retryAfterSeconds) };
    }
    const second = await verifySecondFactor(db, user.id, code);
    if (!second.ok) {
      await audit("auth.two_factor_failed", { reason: "invalid_code" });
      return { ok: false, reason: "invalid_code" };
    }
    await Promise.all([clearRate(db, "totp-fail-account", user.id), releaseRateEvent(db, codeByAddress.eventId)]);
    method = second.method === "totp" ? "password+totp" : "password+recovery_code";
    if (second.method === "recovery_code") await audit("auth.recovery_code_used", { recoveryCodesLeft: second.recoveryCodesLeft });
  }
  await audit("auth.signed_in", { method });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
}
