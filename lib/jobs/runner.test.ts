/**
 * The job runner on the database (PGlite, or PostgreSQL with DATABASE_URL): periodic tasks run
 * once per period however many runners there are, failures are retried with backoff, a job
 * whose lease ran out is claimed again, a lost claim writes nothing, one-shot jobs out of
 * attempts are parked.
 */
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/db";
import { jobs } from "@/db/schema";
import { createTestDb, type TestDb } from "@/lib/testing/db";
import { claimJobs, completeJob, ensureJob, LeaseLostError } from "./queue";
import { createJobRunner, registerJobKind, registerPeriodicTask } from "./runner";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("job runner", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("runs a periodic task once per period across two runners", async () => {
    const runs: number[] = [];
    registerPeriodicTask("test.tick", 500, async () => {
      runs.push(Date.now());
    });
    const a = await createJobRunner({ db: t.db, pollMs: 20 });
    const b = await createJobRunner({ db: t.db, pollMs: 20 });
    await sleep(2_600);
    await Promise.all([a.stop(), b.stop()]);
    // The first run at start, then one per 500 ms period: about 6, never two in one period.
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(runs.length).toBeLessThanOrEqual(7);
    for (let i = 2; i < runs.length; i += 1) expect(runs[i]! - runs[i - 1]!).toBeGreaterThan(250);
    await t.db.delete(jobs).where(eq(jobs.key, "periodic:test.tick"));
  });

  it("retries a failing one-shot job with backoff, then parks it when out of attempts", async () => {
    const attempts: number[] = [];
    registerJobKind("test.flaky", {
      async run({ job }) {
        attempts.push(job.attempts);
        throw new Error("boom");
      },
    });
    await ensureJob(t.db, { kind: "test.flaky", key: "test.flaky:1", maxAttempts: 2 });
    const runner = await createJobRunner({ db: t.db, pollMs: 20 });
    await sleep(300);
    const [afterFirst] = await t.db.select().from(jobs).where(eq(jobs.key, "test.flaky:1"));
    expect(attempts).toEqual([1]);
    expect(afterFirst!.lastError).toBe("Error: boom");
    expect(afterFirst!.runAt.getTime() - Date.now()).toBeGreaterThan(2_000); // backoff: about 5 s
    // Due again now: the second failure is the last attempt.
    await t.db.update(jobs).set({ runAt: sql`now()` }).where(eq(jobs.key, "test.flaky:1"));
    runner.poke();
    await sleep(300);
    await runner.stop();
    const [parked] = rowsOf<{ parked: boolean; last_error: string }>(await t.db.execute(sql`select run_at = 'infinity'::timestamptz as parked, last_error from ${jobs} where key = 'test.flaky:1'`));
    expect(attempts).toEqual([1, 2]);
    expect(parked).toEqual({ parked: true, last_error: "Error: boom" });
  });

  it("claims a job again once its lease ran out, and the old claim can write nothing", async () => {
    let ran = 0;
    registerJobKind("test.once", {
      async run() {
        ran += 1;
      },
    });
    await ensureJob(t.db, { kind: "test.once", key: "test.once:1" });
    // A "dead instance" claims it with a short lease and never finishes.
    const [dead] = await claimJobs(t.db, { kinds: ["test.once"], limit: 1, leaseMs: 200, claim: "dead-instance" });
    expect(dead).toBeDefined();
    expect(await claimJobs(t.db, { kinds: ["test.once"], limit: 1, leaseMs: 200, claim: "other" })).toEqual([]);
    const runner = await createJobRunner({ db: t.db, pollMs: 20 });
    await sleep(600);
    await runner.stop();
    expect(ran).toBe(1);
    expect(await t.db.select().from(jobs).where(eq(jobs.key, "test.once:1"))).toEqual([]); // done: deleted
    await expect(completeJob(t.db, dead!, "delete")).rejects.toBeInstanceOf(LeaseLostError);
  });

  it("stopping for a shutdown lets a running job finish within the time, or aborts it and hands it back", async () => {
    let finished = 0;
    let abortedRuns = 0;
    registerJobKind("test.slow", {
      async run({ job, signal }) {
        const ms = Number(job.payload.ms);
        await new Promise<void>((resolve, reject) => {
          let done = false;
          const timer = setTimeout(() => {
            done = true;
            resolve();
          }, ms);
          signal.addEventListener("abort", () => {
            if (done) return;
            clearTimeout(timer);
            abortedRuns += 1;
            reject(new Error("cancelled: the runner is stopping"));
          });
        });
        finished += 1;
      },
    });
    // Finishes: a 300 ms job, 2 s to stop.
    await ensureJob(t.db, { kind: "test.slow", key: "test.slow:short", payload: { ms: 300 } });
    let runner = await createJobRunner({ db: t.db, pollMs: 20 });
    await sleep(100);
    expect(runner.running()).toBe(1);
    expect(await runner.stop(2_000, { letRunningFinish: true })).toEqual({ aborted: 0, stillRunning: 0 });
    expect(finished).toBe(1);
    expect(await t.db.select().from(jobs).where(eq(jobs.key, "test.slow:short"))).toEqual([]); // one-shot: done, deleted

    // Handed back: a 10 s job, 800 ms to stop (200 ms of them to hand it back).
    await ensureJob(t.db, { kind: "test.slow", key: "test.slow:long", payload: { ms: 10_000 } });
    runner = await createJobRunner({ db: t.db, pollMs: 20 });
    await sleep(100);
    const started = Date.now();
    expect(await runner.stop(800, { letRunningFinish: true })).toEqual({ aborted: 1, stillRunning: 0 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550); // it had the time up to the hand-back margin
    expect(abortedRuns).toBe(1);
    const [back] = await t.db.select().from(jobs).where(eq(jobs.key, "test.slow:long"));
    expect(back).toMatchObject({ claim: null, leaseUntil: null, lastError: "Error: cancelled: the runner is stopping" });
    expect(back!.runAt.getTime() - Date.now()).toBeLessThan(10_000); // due again soon, for any instance
    await t.db.delete(jobs).where(eq(jobs.key, "test.slow:long"));
  });
});
