import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import QRCode from "qrcode";
import { getDb, type Db } from "@/db";
import { recoveryCodes, users, userTotp } from "@/db/schema";
import { verifyPassword } from "@/lib/auth/passwords";
import { consumeTotpCode, countRecoveryCodesLeft, sealTotpSecret, verifySecondFactor } from "@/lib/auth/second-factor";
import { endOtherSessions } from "@/lib/auth/sessions";
import { CODE_MAX_PER_ACCOUNT, SIGNIN_WINDOW_MS } from "@/lib/auth/sign-in";
import { formatManualKey, generateRecoveryCodes, generateTotpSecret, hashRecoveryCode, normalizeRecoveryCode, totpUri } from "@/lib/auth/totp";
import { recordUserAudit } from "@/lib/auth/user-audit";
import type { UserContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { clearRate, consumeRate } from "@/lib/rate-limit";

/*
 * Two-factor on the caller's own account: enrol (a new secret, shown once as a QR code and a
 * manual key), confirm with a code (then ten recovery codes, shown once), and disable (the
 * password and a code or a recovery code). Wrong codes share the sign-in limit per account.
 */

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: string | null;
  recoveryCodesLeft: number;
}

export interface TotpEnrolment {
  /** The secret as people type it; shown once, to the user enrolling. */
  manualKey: string;
  /** The otpauth:// URI as an SVG QR code, a data: URL for an <img>. */
  qrCode: string;
}

/** A user's own event, in the audit log of every company they belong to. */
function recordOwnEvent(db: Db, caller: UserContext, action: string, metadata: Record<string, unknown> = {}): Promise<void> {
  return recordUserAudit(db, { userId: caller.userId, ip: caller.ip, requestId: caller.requestId }, caller.userId, action, metadata);
}

export async function getTwoFactorStatus(caller: UserContext): Promise<TwoFactorStatus> {
  const db = await getDb();
  const [row] = await db.select({ confirmedAt: userTotp.confirmedAt }).from(userTotp).where(eq(userTotp.userId, caller.userId)).limit(1);
  const enabled = !!row?.confirmedAt;
  return { enabled, enabledAt: row?.confirmedAt?.toISOString() ?? null, recoveryCodesLeft: enabled ? await countRecoveryCodesLeft(db, caller.userId) : 0 };
}

async function throttleCodes(db: Db, caller: UserContext) {
  const decision = await consumeRate(db, { bucket: "totp-fail-account", subject: caller.userId, limit: CODE_MAX_PER_ACCOUNT, windowMs: SIGNIN_WINDOW_MS });
  if (!decision.allowed) {
    throw new AppError("rate_limited", `Too many wrong codes. Try again in ${Math.ceil(decision.retryAfterSeconds / 60)} minutes.`, {
      headers: { "Retry-After": String(decision.retryAfterSeconds) },
    });
  }
  // The attempt is counted up front (concurrent guesses cannot all pass); a right answer
  // takes it back with the earlier failures.
  return { succeeded: () => clearRate(db, "totp-fail-account", caller.userId) };
}

/** Starts (or restarts) an enrolment: a fresh secret replaces any unconfirmed one. */
export async function beginTotpEnrolment(caller: UserContext): Promise<TotpEnrolment> {
  const db = await getDb();
  const secret = generateTotpSecret();
  const sealed = sealTotpSecret(caller.userId, secret);
  const [row] = await db
    .insert(userTotp)
    .values({ userId: caller.userId, ...sealed })
    .onConflictDoUpdate({ target: userTotp.userId, set: { ...sealed, lastUsedStep: null, createdAt: new Date() }, setWhere: isNull(userTotp.confirmedAt) })
    .returning({ userId: userTotp.userId });
  if (!row) throw new AppError("conflict", "Two-factor authentication is already on. Turn it off first to set up another authenticator.");
  await recordOwnEvent(db, caller, "two_factor.enrolment_started");
  const svg = await QRCode.toString(totpUri(secret, caller.email), { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return { manualKey: formatManualKey(secret), qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
}

/** Confirms the enrolment with a code from the app; returns the ten recovery codes, once. */
export async function confirmTotpEnrolment(caller: UserContext, rawCode: unknown, nowMs = Date.now()): Promise<{ recoveryCodes: string[] }> {
  const code = typeof rawCode === "string" ? rawCode.trim() : "";
  if (!/^\d{6}$/.test(code.replace(/\s+/g, ""))) throw new AppError("validation", "Enter the 6-digit code from your app", { errors: [{ path: "code", message: "Enter the 6-digit code from your app" }] });
  const db = await getDb();
  const limit = await throttleCodes(db, caller);
  const checked = await consumeTotpCode(db, caller.userId, code, nowMs, false);
  if (!checked) {
    await recordOwnEvent(db, caller, "two_factor.confirm_failed");
    throw new AppError("validation", "That code is not right. Check your device's clock and try the current code.", { errors: [{ path: "code", message: "That code is not right" }] });
  }
  await limit.succeeded();
  const codes = generateRecoveryCodes();
  const confirmed = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(userTotp)
      .set({ confirmedAt: new Date() })
      .where(and(eq(userTotp.userId, caller.userId), eq(userTotp.secretBlob, checked), isNull(userTotp.confirmedAt)))
      .returning({ userId: userTotp.userId });
    if (!row) return false;
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, caller.userId));
    await tx.insert(recoveryCodes).values(codes.map((c) => ({ userId: caller.userId, codeHash: hashRecoveryCode(caller.userId, normalizeRecoveryCode(c)!) })));
    return true;
  });
  if (!confirmed) throw new AppError("conflict", "This enrolment was already confirmed or replaced. Start again.");
  await recordOwnEvent(db, caller, "two_factor.enabled", { recoveryCodes: codes.length });
  return { recoveryCodes: codes };
}

/** Turns two-factor off: the password and a current code (or a recovery code) are required. */
/** Turns two-factor off (password and a code or recovery code); every other session of the user ends. */
export async function disableTwoFactor(caller: UserContext & { sessionId?: string | null }, input: { password?: unknown; code?: unknown }): Promise<void> {
  const password = typeof input.password === "string" ? input.password.slice(0, 1024) : "";
  const code = typeof input.code === "string" ? input.code.trim() : "";
  const errors = [
    ...(password ? [] : [{ path: "password", message: "Enter your password" }]),
    ...(code ? [] : [{ path: "code", message: "Enter a code from your app or a recovery code" }]),
  ];
  if (errors.length > 0) throw new AppError("validation", errors.map((e) => e.message).join("; "), { errors });
  const db = await getDb();
  const limit = await throttleCodes(db, caller);
  const [user] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, caller.userId)).limit(1);
  if (!(await verifyPassword(user?.passwordHash, password))) {
    await recordOwnEvent(db, caller, "two_factor.disable_failed", { reason: "invalid_password" });
    throw new AppError("validation", "The password is incorrect", { errors: [{ path: "password", message: "The password is incorrect" }] });
  }
  const second = await verifySecondFactor(db, caller.userId, code);
  if (!second.ok) {
    await recordOwnEvent(db, caller, "two_factor.disable_failed", { reason: "invalid_code" });
    throw new AppError("validation", "That code is not right", { errors: [{ path: "code", message: "That code is not right" }] });
  }
  await limit.succeeded();
  await db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, caller.userId));
    await tx.delete(userTotp).where(eq(userTotp.userId, caller.userId));
  });
  const sessionsEnded = await endOtherSessions(db, caller.userId, caller.sessionId ?? null);
  await recordOwnEvent(db, caller, "two_factor.disabled", { method: second.method, sessionsEnded });
}
