import { describe, expect, it } from "vitest";
import type { Db } from "@/db";
import { consumeRate } from "./rate-limit";

/** A database whose transactions only count how many run at once (per key given by the caller). */
function countingDb(opts: { failFirst?: number } = {}) {
  let active = 0;
  let max = 0;
  let calls = 0;
  const db = {
    transaction: async () => {
      calls++;
      const n = calls;
      active++;
      max = Math.max(max, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      if (opts.failFirst && n <= opts.failFirst) throw new Error("connection lost");
      return { allowed: true, count: 1, retryAfterSeconds: 0 };
    },
  } as unknown as Db;
  return { db, max: () => max, calls: () => calls };
}

const opts = (subject: string) => ({ bucket: "pull", subject, limit: 100, windowMs: 60_000 });

describe("consumeRate keeps the callers of one key out of the pool while they would only wait", () => {
  it("at most 3 callers of one key are in the database at once; all of them get an answer", async () => {
    const c = countingDb();
    const answers = await Promise.all(Array.from({ length: 25 }, () => consumeRate(c.db, opts("token-a"))));
    expect(answers.every((a) => a.allowed)).toBe(true);
    expect(c.calls()).toBe(25);
    expect(c.max()).toBe(3);
  });

  it("callers of other keys do not wait for each other", async () => {
    const c = countingDb();
    await Promise.all(["a", "b", "c"].flatMap((k) => Array.from({ length: 6 }, () => consumeRate(c.db, opts(k)))));
    expect(c.max()).toBe(9);
  });

  it("a failed call frees its place: the others still run, and the error reaches its caller", async () => {
    const c = countingDb({ failFirst: 3 });
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => consumeRate(c.db, opts("token-f"))));
    expect(settled.filter((s) => s.status === "rejected")).toHaveLength(3);
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(7);
    expect(c.max()).toBe(3);
  });
});
