import { describe, expect, it } from "vitest";
import { nextAttemptAfterFailure, retryDelayMs, RETRY_WINDOW_MS } from "./delivery";

describe("retry schedule", () => {
  it("doubles from 30 s with ±20 % jitter, at most 4 hours", () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(2, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(5, () => 0.5)).toBe(480_000);
    expect(retryDelayMs(1, () => 0)).toBe(24_000);
    expect(retryDelayMs(1, () => 1)).toBe(36_000);
    expect(retryDelayMs(30, () => 0.5)).toBe(4 * 3600_000);
  });

  it("gives up once the next attempt would fall more than 24 hours after the event", () => {
    const event = new Date("2026-01-01T00:00:00Z");
    expect(nextAttemptAfterFailure(event, new Date(event.getTime() + 60_000), 1, () => 0.5)?.toISOString()).toBe("2026-01-01T00:01:30.000Z");
    expect(nextAttemptAfterFailure(event, new Date(event.getTime() + RETRY_WINDOW_MS - 1000), 12, () => 0.5)).toBeNull();
  });

  it("reaches 24 hours in about a dozen attempts", () => {
    const event = new Date("2026-01-01T00:00:00Z");
    let now = event;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const next = nextAttemptAfterFailure(event, now, attempts, () => 0.5);
      if (!next) break;
      now = next;
    }
    expect(attempts).toBeGreaterThanOrEqual(10);
    expect(attempts).toBeLessThanOrEqual(16);
  });
});
