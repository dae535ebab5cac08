/**
 * When a registry's credentials count as expiring or expired: "expired" from `expiresAt` on,
 * "expiring" in the 14 days before it. Client-safe and pure (the clock is an argument).
 */
export const EXPIRING_WINDOW_DAYS = 14;
export const EXPIRING_WINDOW_MS = EXPIRING_WINDOW_DAYS * 24 * 3600_000;

export type ExpiryState = "expired" | "expiring" | "valid" | "none";

export function expiryStateOf(expiresAt: Date | string | null | undefined, now: Date): ExpiryState {
  if (expiresAt === null || expiresAt === undefined) return "none";
  const at = typeof expiresAt === "string" ? new Date(expiresAt) : expiresAt;
  if (Number.isNaN(at.getTime())) return "none";
  if (at.getTime() <= now.getTime()) return "expired";
  if (at.getTime() - now.getTime() <= EXPIRING_WINDOW_MS) return "expiring";
  return "valid";
}
