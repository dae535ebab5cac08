import "server-only";
import { getDb, type Db } from "@/db";
import type { AuditActor } from "@/lib/audit";
import { clientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";
import { clearRate, consumeRate, pruneRateEvents, releaseRateEvent } from "@/lib/rate-limit";
import { findUserByEmail } from "./users";
import { verifyPassword } from "./passwords";
import { hasTwoFactor, verifySecondFactor } from "./second-factor";
import { recordUserAudit } from "./user-audit";

export const SIGNIN_WINDOW_MS = 15 * 60_000;
/** Failures allowed for one account from one address per window. */
export const SIGNIN_MAX_PER_ACCOUNT_ADDRESS = 5;
/** Failures allowed from one address, whatever the accounts, per window. */
export const SIGNIN_MAX_PER_ADDRESS = 20;
/** Wrong second-factor codes are limited like passwords: per account and per address. */
export const CODE_MAX_PER_ACCOUNT = 5;
export const CODE_MAX_PER_ADDRESS = 20;

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string } }
  | { ok: false; reason: "invalid" | "throttled" | "code_required" | "invalid_code"; retryAfterSeconds?: number };

/**
 * Checks an email and password, then, for an account with two-factor, its code: without `code`
 * the answer is `code_required`, and only a valid TOTP or recovery code signs in. Failures are
 * counted in PostgreSQL (so the limits hold across instances) per account *and address* and per
 * address; a wrong email and a wrong password give the same answer and, through the dummy hash,
 * take the same time. Wrong codes have their own limits, per account and per address.
 *
 * Why the lock is bound to the address: a limit per account alone lets anyone lock any account
 * (five wrong passwords, again every 15 minutes), shutting its owner out. Bound to the address,
 * a guesser is slowed and its owner, from anywhere else, still signs in. A guesser with many
 * addresses is held back by the per-address limit, the argon2 cost of every guess that is
 * checked, and the rules for new passwords (12 characters, no common password). A second factor
 * can only be guessed after the right password, and its per-account limit is not bound to the
 * address: a code is six digits.
 *
 * A throttled attempt is refused before any work: no password hash, no user lookup, and one audit
 * event per throttled account and address per window rather than one per attempt.
 */
export async function checkCredentials(rawEmail: unknown, rawPassword: unknown, headers: Headers, requestId?: string, rawCode?: unknown): Promise<SignInResult> {
  const email = String(rawEmail ?? "").trim().toLowerCase().slice(0, 320);
  const password = String(rawPassword ?? "").slice(0, 1024);
  const ip = clientAddress(headers, env().BERTH_TRUSTED_PROXIES) ?? "unknown";
  const db = await getDb();
  // Each attempt is counted as a failure up front, under the limiter's lock, so concurrent
  // guesses cannot all pass the check before any failure is recorded; a success takes it back.
  const window = { windowMs: SIGNIN_WINDOW_MS } as const;
  const pair = `${email} ${ip}`;
  const [byPair, byAddress] = await Promise.all([
    consumeRate(db, { bucket: "signin-fail-account-address", subject: pair, limit: SIGNIN_MAX_PER_ACCOUNT_ADDRESS, ...window }),
    consumeRate(db, { bucket: "signin-fail-address", subject: ip, limit: SIGNIN_MAX_PER_ADDRESS, ...window }),
  ]);
  const actorBase = { ip: ip === "unknown" ? null : ip, requestId: requestId ?? null };

  if (!byPair.allowed || !byAddress.allowed) {
    // A refused attempt is not a failure: take back what the other limiter counted.
    await Promise.all([releaseRateEvent(db, byPair.eventId), releaseRateEvent(db, byAddress.eventId)]);
    const scope = byPair.allowed ? "address" : "account_address";
    await auditThrottledOnce(db, actorBase, email, ip, scope);
    return { ok: false, reason: "throttled", retryAfterSeconds: Math.max(byPair.retryAfterSeconds, byAddress.retryAfterSeconds) };
  }
  const user = await findUserByEmail(db, email);
  const actor = { ...actorBase, userId: user?.id ?? null };
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!ok || !user) {
    await recordUserAudit(db, actor, user?.id ?? null, "auth.sign_in_failed", { email, reason: "invalid_credentials" });
    if (Math.random() < 0.02) await pruneRateEvents(db);
    return { ok: false, reason: "invalid" };
  }
  await Promise.all([clearRate(db, "signin-fail-account-address", pair), releaseRateEvent(db, byAddress.eventId)]);
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
      await recordUserAudit(db, actor, user.id, "auth.two_factor_failed", { email, reason: "throttled" });
      return { ok: false, reason: "throttled", retryAfterSeconds: Math.max(codeByAccount.retryAfterSeconds, codeByAddress.retryAfterSeconds) };
    }
    const second = await verifySecondFactor(db, user.id, code);
    if (!second.ok) {
      await recordUserAudit(db, actor, user.id, "auth.two_factor_failed", { email, reason: "invalid_code" });
      return { ok: false, reason: "invalid_code" };
    }
    await Promise.all([clearRate(db, "totp-fail-account", user.id), releaseRateEvent(db, codeByAddress.eventId)]);
    method = second.method === "totp" ? "password+totp" : "password+recovery_code";
    if (second.method === "recovery_code") await recordUserAudit(db, actor, user.id, "auth.recovery_code_used", { email, recoveryCodesLeft: second.recoveryCodesLeft });
  }
  await recordUserAudit(db, actor, user.id, "auth.signed_in", { email, method });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}

/** `auth.sign_in_throttled`, written once per window for an account and address (or an address). */
async function auditThrottledOnce(db: Db, actor: AuditActor, email: string, ip: string, scope: "address" | "account_address"): Promise<void> {
  const subject = scope === "address" ? ip : `${email} ${ip}`;
  const first = await consumeRate(db, { bucket: `signin-throttle-audited-${scope}`, subject, limit: 1, windowMs: SIGNIN_WINDOW_MS });
  if (!first.allowed) return;
  const user = await findUserByEmail(db, email);
  await recordUserAudit(db, { ...actor, userId: user?.id ?? null }, user?.id ?? null, "auth.sign_in_throttled", { email, scope, windowMinutes: SIGNIN_WINDOW_MS / 60_000 });
}
