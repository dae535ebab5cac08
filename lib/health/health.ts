/**
 * A registry's health, from its checks and its `expiresAt`. First match wins:
 * - `expired`: `expiresAt` has passed (since: `expiresAt`);
 * - `failing`: the last 2 checks failed (since: the first failure of that run);
 * - `expiring`: `expiresAt` is within 14 days (since: 14 days before it);
 * - `healthy`: the last check succeeded, or failed once after a success (one blip is not an
 *   outage; since: the first success of that run);
 * - `not_checked`: no check has settled it (none yet, or one lone failure).
 * A check fails with every status but `success` and `not_verified`. Once failing, one success
 * makes it healthy again.
 *
 * The check-derived part is a small state machine kept on the registry row with each check
 * ({@link stepCheckState}), so the list never reads the history. Client-safe: no imports.
 */

export const HEALTH_STATUSES = ["expired", "failing", "expiring", "healthy", "not_checked"] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface Health {
  status: HealthStatus;
  since: string | null;
  lastCheckedAt: string | null;
}

export const EXPIRING_WITHIN_MS = 14 * 24 * 3600_000;
/** Consecutive failed checks that make a registry failing. */
export const FAILING_AFTER = 2;

const PASSING = new Set(["success", "not_verified"]);

/** Whether a check with this Test Connection status counts as failed. */
export function checkFailed(status: string): boolean {
  return !PASSING.has(status);
}

/** What the checks have settled, as stored on the registry row. */
export interface CheckState {
  status: "healthy" | "failing" | null;
  since: Date | null;
  consecutiveFailures: number;
  /** The first failure of the current run of failures (null after a success). */
  failuresSince: Date | null;
  lastCheckedAt: Date | null;
}

export const NO_CHECKS: CheckState = { status: null, since: null, consecutiveFailures: 0, failuresSince: null, lastCheckedAt: null };

/** The check state of a registry row's health columns. */
export function checkStateOf(row: {
  healthStatus: "healthy" | "failing" | null;
  healthSince: Date | null;
  consecutiveFailures: number;
  failuresSince: Date | null;
  lastCheckedAt: Date | null;
}): CheckState {
  return { status: row.healthStatus, since: row.healthSince, consecutiveFailures: row.consecutiveFailures, failuresSince: row.failuresSince, lastCheckedAt: row.lastCheckedAt };
}

/** The state after one more check. */
export function stepCheckState(state: CheckState, check: { status: string; at: Date }): CheckState {
  if (!checkFailed(check.status)) {
    return {
      status: "healthy",
      since: state.status === "healthy" && state.since ? state.since : check.at,
      consecutiveFailures: 0,
      failuresSince: null,
      lastCheckedAt: check.at,
    };
  }
  const consecutiveFailures = state.consecutiveFailures + 1;
  const failuresSince = state.failuresSince ?? check.at;
  const failing = consecutiveFailures >= FAILING_AFTER;
  return {
    status: failing ? "failing" : state.status,
    since: failing ? (state.status === "failing" && state.since ? state.since : failuresSince) : state.since,
    consecutiveFailures,
    failuresSince,
    lastCheckedAt: check.at,
  };
}

/** The health event a check causes: becoming failing, or failing → healthy. */
export function healthTransition(before: CheckState, after: CheckState): "registry.check_failed" | "registry.recovered" | null {
  if (after.status === "failing" && before.status !== "failing") return "registry.check_failed";
  if (before.status === "failing" && after.status === "healthy") return "registry.recovered";
  return null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The health shown for a registry from its stored check state, its `expiresAt` and the time. */
export function healthFromState({ expiresAt, state, now }: { expiresAt: Date | null; state: CheckState; now: Date }): Health {
  const lastCheckedAt = iso(state.lastCheckedAt);
  const t = now.getTime();
  if (expiresAt && expiresAt.getTime() <= t) return { status: "expired", since: iso(expiresAt), lastCheckedAt };
  if (state.status === "failing") return { status: "failing", since: iso(state.since), lastCheckedAt };
  if (expiresAt && expiresAt.getTime() - EXPIRING_WITHIN_MS <= t) return { status: "expiring", since: iso(new Date(expiresAt.getTime() - EXPIRING_WITHIN_MS)), lastCheckedAt };
  if (state.status === "healthy") return { status: "healthy", since: iso(state.since), lastCheckedAt };
  return { status: "not_checked", since: null, lastCheckedAt };
}

/**
 * The health from the checks themselves (newest first; pass at least the 2 newest, and the
 * whole current run of failures for an exact `since`).
 */
export function healthOf({ expiresAt, recentChecks, now }: { expiresAt: Date | null; recentChecks: readonly { status: string; checkedAt: Date }[]; now: Date }): Health {
  const state = [...recentChecks].reverse().reduce((s, c) => stepCheckState(s, { status: c.status, at: c.checkedAt }), NO_CHECKS);
  return healthFromState({ expiresAt, state, now });
}
