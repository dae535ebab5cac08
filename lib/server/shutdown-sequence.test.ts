import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createShutdownSequence, type ShutdownSteps } from "./shutdown-sequence";

/** Steps that record what happened when (fake time) and resolve when the test says so. */
function harness(overrides: Partial<ShutdownSteps> = {}) {
  const events: string[] = [];
  const at = (name: string) => events.push(`${Date.now()}:${name}`);
  let finishRequests!: () => void;
  const requestsDone = new Promise<void>((r) => (finishRequests = r));
  const exit = vi.fn<(code: number) => void>();
  const steps: ShutdownSteps = {
    beginDrain: () => at("beginDrain"),
    stopAccepting: async () => {
      at("stopAccepting");
      await requestsDone;
      at("requestsDone");
    },
    forceClose: () => at("forceClose"),
    stopJobs: async (budget) => {
      at(`stopJobs(${budget})`);
    },
    closeDatabase: async (budget) => {
      at(`closeDatabase(${budget})`);
    },
    exit: (code) => {
      at(`exit(${code})`);
      exit(code);
    },
    log: (fields, message) => {
      if (message.includes("ignored")) at(`ignored(${String(fields.signal)})`);
    },
    ...overrides,
  };
  return { events, steps, exit, finishRequests };
}

describe("shutdown sequence", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it("drains, stops accepting, waits for requests, stops jobs, closes the pool, exits 0", async () => {
    const h = harness();
    const seq = createShutdownSequence(h.steps, { drainMs: 2000, timeoutMs: 10_000 });
    expect(seq.phase()).toBe("serving");
    const done = seq.signal("SIGTERM");
    expect(seq.phase()).toBe("draining");
    await vi.advanceTimersByTimeAsync(1999);
    expect(h.events).toEqual(["0:beginDrain"]); // still serving during the drain
    await vi.advanceTimersByTimeAsync(1);
    expect(seq.phase()).toBe("closing");
    expect(h.events).toEqual(["0:beginDrain", "2000:stopAccepting"]);
    await vi.advanceTimersByTimeAsync(3000);
    h.finishRequests();
    await vi.advanceTimersByTimeAsync(0);
    await done;
    // The jobs get what is left of the 10 s budget after the 3 s the requests took.
    expect(h.events).toEqual(["0:beginDrain", "2000:stopAccepting", "5000:requestsDone", "5000:stopJobs(7000)", "5000:closeDatabase(7000)", "5000:exit(0)"]);
    expect(seq.phase()).toBe("done");
    expect(h.exit).toHaveBeenCalledTimes(1);
  });

  it("forces the connections closed and exits 1 when the requests outlast the budget", async () => {
    const h = harness();
    const seq = createShutdownSequence(h.steps, { drainMs: 1000, timeoutMs: 5000, minPhaseMs: 500 });
    const done = seq.signal("SIGTERM");
    await vi.advanceTimersByTimeAsync(6000);
    await vi.advanceTimersByTimeAsync(2000);
    await done;
    // The later phases still run, each with the minimum budget, so jobs are handed back.
    expect(h.events).toEqual(["0:beginDrain", "1000:stopAccepting", "6000:forceClose", "6000:stopJobs(500)", "6000:closeDatabase(500)", "6000:exit(1)"]);
  });

  it("exits 1 when the job runner does not stop within its budget", async () => {
    const h = harness({ stopJobs: () => new Promise(() => {}) });
    const seq = createShutdownSequence(h.steps, { drainMs: 0, timeoutMs: 2000, minPhaseMs: 100 });
    const done = seq.signal("SIGINT");
    h.finishRequests();
    await vi.advanceTimersByTimeAsync(5000);
    await done;
    expect(h.exit).toHaveBeenCalledWith(1);
  });

  it("exits 1 when running jobs had to be cut short (handed back)", async () => {
    const h = harness({ stopJobs: async () => ({ cutShort: true }) });
    const seq = createShutdownSequence(h.steps, { drainMs: 0, timeoutMs: 2000 });
    const done = seq.signal("SIGTERM");
    h.finishRequests();
    await vi.advanceTimersByTimeAsync(10);
    await done;
    expect(h.exit).toHaveBeenCalledWith(1);
  });

  it("logs and ignores a second signal; the sequence runs once", async () => {
    const h = harness();
    const seq = createShutdownSequence(h.steps, { drainMs: 1000, timeoutMs: 5000 });
    const first = seq.signal("SIGTERM");
    await vi.advanceTimersByTimeAsync(500);
    const second = seq.signal("SIGINT");
    expect(second).toBe(first);
    h.finishRequests();
    await vi.advanceTimersByTimeAsync(1000);
    await first;
    expect(h.events.filter((e) => e.includes("stopAccepting"))).toHaveLength(1);
    expect(h.events).toContain("500:ignored(SIGINT)");
    expect(h.exit).toHaveBeenCalledTimes(1);
    expect(h.exit).toHaveBeenCalledWith(0);
  });

  it("exits 1 when a step throws", async () => {
    const h = harness({
      closeDatabase: async () => {
        throw new Error("boom");
      },
    });
    const seq = createShutdownSequence(h.steps, { drainMs: 0, timeoutMs: 1000 });
    const done = seq.signal("SIGTERM");
    h.finishRequests();
    await vi.advanceTimersByTimeAsync(10);
    await done;
    expect(h.exit).toHaveBeenCalledTimes(1);
    expect(h.exit).toHaveBeenCalledWith(1);
  });
});
