/**
 * The job runner: polls the `jobs` table (lib/jobs/queue.ts), runs what it claims, and keeps
 * the leases of running jobs alive. Every instance with `BERTH_JOBS=on` runs one; a job runs on
 * one instance at a time, and a job whose instance died (its lease ran out) runs again on
 * another. Handlers must therefore be safe to run again (at-least-once); a handler that writes
 * its result together with `completeIn(tx)` in one transaction is effectively once, because a
 * lost claim rolls that transaction back.
 *
 * Kinds are registered by the modules that own them (`registerJobKind`); periodic work
 * (pruning, sweeps, deliveries) uses `registerPeriodicTask(name, everyMs, fn)`, which runs once
 * per period across all instances.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { log } from "@/lib/log";
import { backoffSql, claimJobs, completeJob, ensureJob, extendLeases, failJob, LeaseLostError, nextPeriodSql, type ClaimedJob } from "./queue";

export interface JobContext {
  job: ClaimedJob;
  /** Aborted when the runner stops. */
  signal: AbortSignal;
  /**
   * Completes the job inside the caller's transaction (so its result and its completion commit
   * together); throws LeaseLostError, rolling the transaction back, when the claim was lost.
   */
  completeIn(tx: Db): Promise<void>;
}

export interface JobKind {
  run(ctx: JobContext): Promise<void>;
  /**
   * Recurring kinds: when the job runs next (an SQL timestamp expression; null: not until
   * something schedules it again). One-shot kinds leave it out: the job is deleted when done.
   */
  next?(job: ClaimedJob): SQL | null;
}

const PERIODIC = "periodic";
/** `run_at` of a job that runs no more (a one-shot job out of attempts). */
const PARKED = sql`'infinity'::timestamptz`;
const kinds = new Map<string, JobKind>();
const periodic = new Map<string, { everyMs: number; fn: (signal: AbortSignal) => Promise<void> }>();

/** Registers the handler of a job kind (once per process; a second registration replaces the first). */
export function registerJobKind(kind: string, definition: JobKind): void {
  kinds.set(kind, definition);
}

/**
 * Registers work that runs once every `everyMs` across all instances (at the multiples of
 * `everyMs` since the epoch, by the database's clock; the first run is at the runner's start
 * when the task is new). A failure is retried with backoff before the next period.
 */
export function registerPeriodicTask(name: string, everyMs: number, fn: (signal: AbortSignal) => Promise<void>): void {
  if (!Number.isInteger(everyMs) || everyMs < 100) throw new Error(`periodic task ${name}: everyMs must be a whole number ≥ 100`);
  periodic.set(name, { everyMs, fn });
}

registerJobKind(PERIODIC, {
  async run({ job, signal }) {
    const task = periodic.get(String(job.payload.name));
    // A task this version does not know (another version's) is left for the next period.
    if (task) await task.fn(signal);
  },
  next(job) {
    const everyMs = periodic.get(String(job.payload.name))?.everyMs ?? Number(job.payload.everyMs);
    return nextPeriodSql(Number.isFinite(everyMs) && everyMs >= 100 ? everyMs : 60_000);
  },
});

export interface RunnerOptions {
  /** How often an idle runner looks for due jobs; default 5 s (12 queries a minute). */
  pollMs?: number;
  /** Jobs running at once on this instance; default 8. */
  concurrency?: number;
  /** How long a claim holds without a heartbeat; default 60 s (renewed every third of it). */
  leaseMs?: number;
  /** The database (tests); default the process-wide client. */
  db?: Db;
}

export interface StopOptions {
  /** Let running jobs finish within the time (graceful shutdown) instead of aborting them at once. */
  letRunningFinish?: boolean;
}

export interface StopResult {
  /** Jobs aborted (handed back) because the time ran out. */
  aborted: number;
  /** Jobs still running when stop returned (they keep their leases until those run out). */
  stillRunning: number;
}

export interface JobRunner {
  readonly instance: string;
  /** Jobs running now. */
  running(): number;
  /**
   * Stops claiming, aborts running jobs' signals and waits for them (at most `timeoutMs`); with
   * `letRunningFinish` the running jobs first get the time up to shortly before `timeoutMs`.
   * A job still running when `stop` returns keeps its lease until it runs out; then another
   * instance runs it again.
   */
  stop(timeoutMs?: number, options?: StopOptions): Promise<StopResult>;
  /** Polls now instead of at the next interval (tests, and after registering work). */
  poke(): void;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Starts a runner on this process (see the module comment). */
export async function createJobRunner(options: RunnerOptions = {}): Promise<JobRunner> {
  const db = options.db ?? (await getDb());
  const pollMs = options.pollMs ?? 5_000;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? 60_000;
  const instance = randomUUID();
  const claim = instance;
  const controller = new AbortController();
  const inFlight = new Map<number, Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let again = false;

  for (const [name, task] of periodic) {
    await ensureJob(db, { kind: PERIODIC, key: `${PERIODIC}:${name}`, payload: { name, everyMs: task.everyMs } });
  }

  async function runOne(job: ClaimedJob): Promise<void> {
    const kind = kinds.get(job.kind);
    let completed = false;
    const completeIn = async (tx: Db) => {
      await completeJob(tx, job, kind?.next ? kind.next(job) : "delete");
      completed = true;
    };
    try {
      if (!kind) throw new Error(`no handler for job kind ${job.kind}`);
      if (!kind.next && job.attempts > job.maxAttempts) {
        // A one-shot job whose instance died on its last attempt: parked, not run again.
        await failJob(db, job, "out of attempts (its instance stopped during the last one)", PARKED);
        return;
      }
      await kind.run({ job, signal: controller.signal, completeIn });
      if (!completed) await completeIn(db);
    } catch (err) {
      if (err instanceof LeaseLostError) {
        log.warn({ jobId: job.id, key: job.key }, "job lease lost: another instance runs it");
        return;
      }
      log.warn({ err, jobId: job.id, key: job.key, attempt: job.attempts }, "job failed; retrying with backoff");
      const next = kind?.next?.(job) ?? undefined;
      const outOfAttempts = !kind?.next && job.attempts >= job.maxAttempts;
      await failJob(db, job, messageOf(err), outOfAttempts ? PARKED : backoffSql(job.attempts, next)).catch((e: unknown) =>
        log.error({ err: e, jobId: job.id }, "could not record a job failure (its lease will run out)"),
      );
    }
  }

  async function poll(): Promise<void> {
    if (stopped) return;
    const free = concurrency - inFlight.size;
    let claimed: ClaimedJob[] = [];
    try {
      claimed = await claimJobs(db, { kinds: [...kinds.keys()], limit: free, leaseMs, claim });
    } catch (err) {
      log.warn({ err }, "could not claim jobs");
    }
    for (const job of claimed) {
      const p = runOne(job).finally(() => {
        inFlight.delete(job.id);
        poke();
      });
      inFlight.set(job.id, p);
    }
    // A full batch may mean more is due: look again as soon as a slot frees (poke above).
  }

  function schedule(ms: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => poke(), ms);
    timer.unref?.();
  }

  function poke(): void {
    if (stopped) return;
    if (polling) {
      again = true;
      return;
    }
    polling = poll().finally(() => {
      polling = undefined;
      if (again) {
        again = false;
        poke();
      } else schedule(pollMs);
    });
  }

  const heartbeat = setInterval(() => {
    void extendLeases(db, [...inFlight.keys()], claim, leaseMs).catch((err: unknown) => log.warn({ err }, "could not extend job leases"));
  }, Math.max(50, Math.floor(leaseMs / 3)));
  heartbeat.unref?.();

  poke();
  log.info({ runner: instance, pollMs, concurrency }, "job runner started");

  return {
    instance,
    running: () => inFlight.size,
    poke,
    async stop(timeoutMs = 10_000, stopOptions: StopOptions = {}) {
      if (stopped) return { aborted: 0, stillRunning: 0 };
      stopped = true;
      clearTimeout(timer);
      const deadline = Date.now() + timeoutMs;
      const waitAll = (ms: number) => Promise.race([Promise.allSettled([...inFlight.values()]), new Promise((r) => setTimeout(r, Math.max(0, ms)).unref?.())]);
      await polling;
      if (stopOptions.letRunningFinish && inFlight.size > 0) {
        // The leases stay alive (heartbeat) while the running jobs finish; what is still running
        // when only the hand-back time is left is aborted and handed back below.
        const handBackMs = Math.min(2_000, Math.floor(timeoutMs / 4));
        log.info({ runner: instance, running: inFlight.size, waitMs: timeoutMs - handBackMs }, "job runner stopping: letting the running jobs finish");
        await waitAll(timeoutMs - handBackMs);
      }
      const aborted = inFlight.size;
      controller.abort();
      // An aborted job fails its attempt, which hands it back (no claim, due after a short backoff).
      await waitAll(deadline - Date.now());
      clearInterval(heartbeat);
      log.info({ runner: instance, aborted, stillRunning: inFlight.size }, "job runner stopped");
      return { aborted, stillRunning: inFlight.size };
    },
  };
}
