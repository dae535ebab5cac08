import { describe, expect, it } from "vitest";
import { EXPIRING_WITHIN_MS, NO_CHECKS, healthFromState, healthOf, healthTransition, stepCheckState, type CheckState } from "./health";

const at = (minutes: number) => new Date(Date.UTC(2026, 4, 1, 12, 0) + minutes * 60_000);
const now = at(600);
/** Newest first, one check an hour ending at `now`. */
const checks = (...statuses: string[]) => statuses.map((status, i) => ({ status, checkedAt: at(600 - i * 60) }));

describe("healthOf: first match wins (expired, failing, expiring, healthy, not checked)", () => {
  it("is not checked without checks, and after one lone failure (one blip is not an outage)", () => {
    expect(healthOf({ expiresAt: null, recentChecks: [], now })).toEqual({ status: "not_checked", since: null, lastCheckedAt: null });
    expect(healthOf({ expiresAt: null, recentChecks: checks("unreachable"), now })).toEqual({ status: "not_checked", since: null, lastCheckedAt: now.toISOString() });
  });

  it("is healthy after one success, since the first success of the run, and stays healthy after one failure", () => {
    expect(healthOf({ expiresAt: null, recentChecks: checks("success", "success", "invalid_credentials"), now })).toEqual({ status: "healthy", since: at(540).toISOString(), lastCheckedAt: now.toISOString() });
    expect(healthOf({ expiresAt: null, recentChecks: checks("timeout", "success"), now }).status).toBe("healthy");
    // not_verified (an anonymous answer) passes too
    expect(healthOf({ expiresAt: null, recentChecks: checks("not_verified"), now }).status).toBe("healthy");
  });

  it("is failing after 2 failed checks in a row, since the first failure of that run; healthy again after one success", () => {
    const failing = healthOf({ expiresAt: null, recentChecks: checks("forbidden", "invalid_credentials", "rate_limited", "success"), now });
    expect(failing).toEqual({ status: "failing", since: at(480).toISOString(), lastCheckedAt: now.toISOString() });
    for (const status of ["invalid_credentials", "forbidden", "rate_limited", "dns_error", "unreachable", "timeout", "tls_untrusted", "tls_hostname_mismatch", "tls_protocol", "not_a_registry", "registry_error", "blocked_by_policy", "invalid_input", "not_supported"]) {
      expect(healthOf({ expiresAt: null, recentChecks: checks(status, status), now }).status, status).toBe("failing");
    }
    expect(healthOf({ expiresAt: null, recentChecks: checks("success", "timeout", "timeout", "timeout"), now })).toEqual({ status: "healthy", since: now.toISOString(), lastCheckedAt: now.toISOString() });
  });

  it("puts expired before failing, failing before expiring, expiring before healthy", () => {
    const past = at(0);
    const soon = new Date(now.getTime() + EXPIRING_WITHIN_MS - 60_000);
    const later = new Date(now.getTime() + EXPIRING_WITHIN_MS + 60_000);
    expect(healthOf({ expiresAt: past, recentChecks: checks("timeout", "timeout"), now })).toMatchObject({ status: "expired", since: past.toISOString() });
    expect(healthOf({ expiresAt: now, recentChecks: checks("success"), now }).status).toBe("expired");
    expect(healthOf({ expiresAt: soon, recentChecks: checks("timeout", "timeout"), now }).status).toBe("failing");
    expect(healthOf({ expiresAt: soon, recentChecks: checks("success"), now })).toMatchObject({ status: "expiring", since: new Date(soon.getTime() - EXPIRING_WITHIN_MS).toISOString() });
    expect(healthOf({ expiresAt: soon, recentChecks: [], now }).status).toBe("expiring");
    expect(healthOf({ expiresAt: later, recentChecks: checks("success"), now }).status).toBe("healthy");
    expect(healthOf({ expiresAt: later, recentChecks: [], now }).status).toBe("not_checked");
  });
});

describe("stepCheckState and healthTransition", () => {
  const run = (statuses: string[]) => {
    let state: CheckState = NO_CHECKS;
    const events: (string | null)[] = [];
    statuses.forEach((status, i) => {
      const next = stepCheckState(state, { status, at: at(i) });
      events.push(healthTransition(state, next));
      state = next;
    });
    return { state, events };
  };

  it("raises check_failed once when the second failure in a row arrives, recovered at the next success", () => {
    const { state, events } = run(["success", "timeout", "timeout", "timeout", "success", "success", "timeout", "success"]);
    expect(events).toEqual([null, null, "registry.check_failed", null, "registry.recovered", null, null, null]);
    expect(state).toMatchObject({ status: "healthy", since: at(4), consecutiveFailures: 0, failuresSince: null, lastCheckedAt: at(7) });
  });

  it("raises check_failed for a registry whose first two checks fail", () => {
    const { state, events } = run(["unreachable", "unreachable"]);
    expect(events).toEqual([null, "registry.check_failed"]);
    expect(state).toMatchObject({ status: "failing", since: at(0), consecutiveFailures: 2 });
  });

  it("healthFromState matches healthOf for the same checks", () => {
    const statuses = ["success", "timeout", "timeout", "success", "forbidden"];
    const { state } = run(statuses);
    const recent = statuses.map((status, i) => ({ status, checkedAt: at(i) })).reverse();
    expect(healthFromState({ expiresAt: null, state, now })).toEqual(healthOf({ expiresAt: null, recentChecks: recent, now }));
  });
});
