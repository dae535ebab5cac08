/**
 * The webhook signature, Stripe's scheme: `Berth-Signature: t=<unix seconds>,v1=<hex>` where hex
 * is the HMAC-SHA256 of `t + "." + body` keyed with the webhook's signing secret. A receiver
 * recomputes it over the raw body and compares in constant time, and refuses an old `t` (replays).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Berth-Signature";
export const SECRET_PREFIX = "whsec_";

/** A new signing secret: `whsec_` and 32 random bytes in base64url. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64url");
}

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/** The header value for a body signed at `at`. */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${signatureOf(secret, t, body)}`;
}

/**
 * Verifies a header against a raw body, as a receiver does: any `v1` may match (several are sent
 * while a secret is rotated), and `t` must be within `toleranceSeconds` of `now`.
 */
export function verifySignature(secret: string, header: string | null | undefined, body: string, options: { now?: Date; toleranceSeconds?: number } = {}): boolean {
  if (!header) return false;
  const parts = header.split(",").map((part) => part.trim().split("="));
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isInteger(t)) return false;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureOf(secret, t, body), "hex");
  return parts
    .filter(([k, v]) => k === "v1" && v && /^[0-9a-f]{64}$/.test(v))
    .some(([, v]) => timingSafeEqual(Buffer.from(v!, "hex"), expected));
}
