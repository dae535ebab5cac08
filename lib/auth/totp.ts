import { createHash, randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";

/*
 * TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, as every authenticator app expects) and
 * recovery codes. Pure functions: the caller passes the time, and keeps replay state in the
 * database (`acceptTotp` returns the step a code belongs to, so the caller can refuse a step it
 * has already accepted).
 */

export const TOTP_PERIOD_SECONDS = 30;
/** Codes of the previous and the next step are accepted too (clock drift, typing time). */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "Berth";

/** A new random secret (160 bits, the size RFC 4226 recommends), as base32. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = ""): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: "SHA1", digits: 6, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export function totpUri(secretBase32: string, accountEmail: string): string {
  return totp(secretBase32, accountEmail).toString();
}

/** The manual key as people type it: groups of four. */
export function formatManualKey(secretBase32: string): string {
  return secretBase32.replace(/(.{4})(?=.)/g, "$1 ");
}

/** The code for a time (tests and scripts). */
export function totpCodeAt(secretBase32: string, timestampMs: number): string {
  return totp(secretBase32).generate({ timestamp: timestampMs });
}

export const stepAt = (timestampMs: number) => Math.floor(timestampMs / 1000 / TOTP_PERIOD_SECONDS);

/** A six-digit code, spaces allowed (some apps show "123 456"). */
export function looksLikeTotpCode(raw: string): boolean {
  return /^\d{6}$/.test(raw.replace(/\s+/g, ""));
}

/**
 * The step whose code this is, within ±1 step of `timestampMs`, or null. The comparison inside
 * otpauth is constant-time.
 */
export function acceptTotp(secretBase32: string, rawCode: string, timestampMs: number): number | null {
  const token = rawCode.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(secretBase32).validate({ token, timestamp: timestampMs, window: TOTP_WINDOW });
  return delta === null ? null : stepAt(timestampMs) + delta;
}

// Recovery codes: 16 characters of Crockford's base32 (no i, l, o, u: 80 bits), shown as four
// groups of four. With that much entropy a fast hash is enough: there is nothing to brute-force
// offline, and online guesses are throttled. The hash is bound to the user.
const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

/** Ten fresh codes, to be shown once. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let code = "";
    for (const b of randomBytes(16)) code += CROCKFORD[b & 31]; // 256 is a multiple of 32: uniform
    return code.replace(/(.{4})(?=.)/g, "$1-");
  });
}

/** Case, spaces and dashes do not matter; o, i and l read as 0, 1 and 1. */
export function normalizeRecoveryCode(raw: string): string | null {
  const code = raw.toLowerCase().replace(/[\s-]+/g, "").replace(/o/g, "0").replace(/[il]/g, "1");
  return /^[0-9a-hjkmnp-tv-z]{16}$/.test(code) ? code : null;
}

export function hashRecoveryCode(userId: string, normalized: string): string {
  return createHash("sha256").update(`berth-recovery/${userId}/${normalized}`).digest("hex");
}
