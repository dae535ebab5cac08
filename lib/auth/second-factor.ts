import "server-only";
import { and, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { recoveryCodes, userTotp } from "@/db/schema";
import { serverSecrets } from "@/lib/crypto";
import { decryptBoundValue, encryptBoundValue, totpSecretContext } from "@/lib/crypto/cipher";
import { acceptTotp, hashRecoveryCode, looksLikeTotpCode, normalizeRecoveryCode } from "./totp";

/*
 * A user's second factor, below the services: sign-in, enrolment and disabling all check codes
 * here. This module is the only reader of TOTP secrets; a secret goes to the code check and,
 * once, to the enrolment view, never to a response, a log or the audit log.
 */

export function sealTotpSecret(userId: string, secretBase32: string): { secretBlob: string; keyId: string } {
  const { keyring } = serverSecrets();
  return { secretBlob: encryptBoundValue(keyring, secretBase32, totpSecretContext(userId)), keyId: keyring.active.id };
}

export function openTotpSecret(row: { userId: string; secretBlob: string }): string {
  return decryptBoundValue(serverSecrets().keyring, row.secretBlob, totpSecretContext(row.userId));
}

/** Whether the user has confirmed an authenticator. */
export async function hasTwoFactor(db: Db, userId: string): Promise<boolean> {
  const [row] = await db.select({ userId: userTotp.userId }).from(userTotp).where(and(eq(userTotp.userId, userId), isNotNull(userTotp.confirmedAt))).limit(1);
  return !!row;
}

/**
 * Accepts a TOTP code against a stored secret at most once: the step is recorded with a
 * conditional UPDATE, so of two requests with the same code (on any instance) only one wins, and a
 * code older than the newest accepted one is refused too. `confirmed` picks the authenticator in
 * use (true) or the one being enrolled (false). Returns the blob of the secret that matched (so an
 * enrolment confirms exactly the secret that was checked), or null.
 */
export async function consumeTotpCode(db: Db, userId: string, code: string, nowMs: number, confirmed: boolean): Promise<string | null> {
  const [row] = await db
    .select({ userId: userTotp.userId, secretBlob: userTotp.secretBlob })
    .from(userTotp)
    .where(and(eq(userTotp.userId, userId), confirmed ? isNotNull(userTotp.confirmedAt) : isNull(userTotp.confirmedAt)))
    .limit(1);
  if (!row) return null;
  const step = acceptTotp(openTotpSecret(row), code, nowMs);
  if (step === null) return null;
  const updated = await db
    .update(userTotp)
    .set({ lastUsedStep: step })
    .where(and(eq(userTotp.userId, userId), eq(userTotp.secretBlob, row.secretBlob), or(isNull(userTotp.lastUsedStep), lt(userTotp.lastUsedStep, step))))
    .returning({ userId: userTotp.userId });
  return updated.length === 1 ? row.secretBlob : null;
}

/** Uses up one recovery code (atomically: a code works once); returns how many are left, or null. */
export async function consumeRecoveryCode(db: Db, userId: string, raw: string): Promise<number | null> {
  const normalized = normalizeRecoveryCode(raw);
  if (!normalized) return null;
  const used = await db
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hashRecoveryCode(userId, normalized)), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  if (used.length !== 1) return null;
  return countRecoveryCodesLeft(db, userId);
}

export async function countRecoveryCodesLeft(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}

export type SecondFactorResult = { ok: true; method: "totp" | "recovery_code"; recoveryCodesLeft?: number } | { ok: false };

/** Checks a second factor of a user with two-factor on: a six-digit TOTP code, or a recovery code. */
export async function verifySecondFactor(db: Db, userId: string, rawCode: string, nowMs = Date.now()): Promise<SecondFactorResult> {
  const code = rawCode.trim().slice(0, 64);
  if (looksLikeTotpCode(code)) return (await consumeTotpCode(db, userId, code, nowMs, true)) !== null ? { ok: true, method: "totp" } : { ok: false };
  const left = await consumeRecoveryCode(db, userId, code);
  return left === null ? { ok: false } : { ok: true, method: "recovery_code", recoveryCodesLeft: left };
}
