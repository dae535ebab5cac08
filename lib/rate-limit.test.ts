import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rateEvents } from "@/db/schema";
import { createTestDb, type TestDb } from "@/lib/testing/db";
import { consumeRate, releaseRateEvent } from "./rate-limit";

describe("consumeRate on a real database", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });
  const count = async (bucket: string, subject: string) =>
    (await t.db.select().from(rateEvents).where(and(eq(rateEvents.bucket, bucket), eq(rateEvents.subject, subject)))).length;

  it("lets exactly `limit` of many parallel callers through and records only those", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => consumeRate(t.db, { bucket: "b", subject: "par", limit: 10, windowMs: 60_000 })));
    expect(answers.filter((a) => a.allowed)).toHaveLength(10);
    expect(answers.filter((a) => a.allowed).map((a) => a.count).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const refused = answers.filter((a) => !a.allowed);
    expect(refused).toHaveLength(20);
    expect(refused.every((a) => a.count === 10 && a.retryAfterSeconds >= 1 && a.retryAfterSeconds <= 60)).toBe(true);
    expect(await count("b", "par")).toBe(10);
  });

  it("checks without recording, counts only the window, and gives an event back", async () => {
    const peek = await consumeRate(t.db, { bucket: "b", subject: "peek", limit: 2, windowMs: 60_000, record: false });
    expect(peek).toEqual({ allowed: true, count: 0, retryAfterSeconds: 0 });
    expect(await count("b", "peek")).toBe(0);
    await t.db.insert(rateEvents).values({ bucket: "b", subject: "peek", createdAt: new Date(Date.now() - 120_000) });
    const first = await consumeRate(t.db, { bucket: "b", subject: "peek", limit: 2, windowMs: 60_000 });
    expect(first.allowed && first.count === 1 && typeof first.eventId === "number").toBe(true);
    await consumeRate(t.db, { bucket: "b", subject: "peek", limit: 2, windowMs: 60_000 });
    expect((await consumeRate(t.db, { bucket: "b", subject: "peek", limit: 2, windowMs: 60_000 })).allowed).toBe(false);
    await releaseRateEvent(t.db, first.eventId);
    expect((await consumeRate(t.db, { bucket: "b", subject: "peek", limit: 2, windowMs: 60_000 })).allowed).toBe(true);
  });
});
