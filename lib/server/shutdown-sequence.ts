/**
 * The graceful-shutdown sequence as a small state machine, free of process and server handles
 * so that it can be tested with fake timers. The process wiring is in ./shutdown.ts.
 *
 * On the first signal:
 * 1. `draining`: readiness answers 503 while everything else is still served, for `drainMs`,
 *    so that load balancers take the instance out of rotation before it stops accepting;
 * 2. `closing`: stop accepting connections and wait for the requests in flight;
 * 3. `jobs`: stop the job runner (running jobs finish, or are handed back for another instance;
 *    jobs cut short count as the budget running out);
 * 4. `database`: close the pool;
 * 5. `done`: exit 0, or 1 when a step failed or the budget (`timeoutMs`, counted from the end
 *    of the drain) ran out in any phase (the remaining phases still run, with what is left of the budget, at
 *    least `minPhaseMs` each so that jobs are handed back and the pool is closed).
 * A second signal during the sequence is logged and ignored: the sequence already bounds the
 * time it takes, and an operator who wants it to end at once sends SIGKILL.
 */

export type ShutdownPhase = "serving" | "draining" | "closing" | "jobs" | "database" | "done";

export interface ShutdownSteps {
  /** The drain begins (responses from now on ask clients to close their connections). */
  beginDrain(): void;
  /** Stops accepting connections; resolves once the requests in flight are answered. */
  stopAccepting(): Promise<void>;
  /** Ends the connections left when the budget ran out. */
  forceClose(): void;
  /** Stops the job runner within `budgetMs`; `cutShort`: jobs had to be aborted (handed back) or left running. */
  stopJobs(budgetMs: number): Promise<{ cutShort: boolean } | void>;
  /** Closes the database pool within `budgetMs`. */
  closeDatabase(budgetMs: number): Promise<void>;
  /** Ends the process. */
  exit(code: number): void;
  /** One line per phase (and per ignored signal). */
  log(fields: Record<string, unknown>, message: string): void;
}

export interface ShutdownOptions {
  drainMs: number;
  timeoutMs: number;
  /** Budget each later phase gets even after the deadline passed; default 1 000 ms. */
  minPhaseMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ShutdownSequence {
  phase(): ShutdownPhase;
  /** Starts the sequence (first call) or logs the signal (later calls). Resolves when done. */
  signal(name: string): Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Outcome = "ok" | "failed" | "timeout";

/** How `work` ended within `ms`: settled, rejected, or still running when the time ran out. */
async function within(work: Promise<unknown>, ms: number, sleep: (ms: number) => Promise<void>): Promise<Outcome> {
  const settled = work.then(
    () => "ok" as const,
    () => "failed" as const,
  );
  const timer = sleep(Math.max(0, ms)).then(() => "timeout" as const);
  return Promise.race([settled, timer]);
}

export function createShutdownSequence(steps: ShutdownSteps, options: ShutdownOptions): ShutdownSequence {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const minPhaseMs = options.minPhaseMs ?? 1000;
  let phase: ShutdownPhase = "serving";
  let running: Promise<void> | undefined;

  async function run(signal: string): Promise<void> {
    const started = now();
    phase = "draining";
    steps.beginDrain();
    steps.log({ signal, phase, drainMs: options.drainMs, timeoutMs: options.timeoutMs }, "shutdown: draining (readiness answers 503, requests are still served)");
    await sleep(options.drainMs);

    const deadline = now() + options.timeoutMs;
    const left = () => Math.max(minPhaseMs, deadline - now());
    const problems: string[] = [];
    const note = (outcome: Outcome) => {
      if (outcome !== "ok") problems.push(`${phase}: ${outcome === "failed" ? "failed" : "out of time"}`);
    };

    phase = "closing";
    steps.log({ phase }, "shutdown: no longer accepting connections, finishing the requests in flight");
    const closing = await within(steps.stopAccepting(), deadline - now(), sleep);
    note(closing);
    if (closing !== "ok") {
      steps.log({ phase }, "shutdown: requests still in flight at the deadline; closing their connections");
      steps.forceClose();
    }

    phase = "jobs";
    const jobsBudget = left();
    steps.log({ phase, budgetMs: jobsBudget }, "shutdown: stopping the job runner");
    // The runner's own limit is the budget; the extra minPhaseMs covers handing jobs back.
    let cutShort = false;
    const stopping = steps.stopJobs(jobsBudget).then((r) => {
      cutShort = r?.cutShort === true;
    });
    const jobsOutcome = await within(stopping, jobsBudget + minPhaseMs, sleep);
    note(jobsOutcome === "ok" && cutShort ? "timeout" : jobsOutcome);

    phase = "database";
    const dbBudget = left();
    steps.log({ phase, budgetMs: dbBudget }, "shutdown: closing the database pool");
    note(await within(steps.closeDatabase(dbBudget), dbBudget + minPhaseMs, sleep));

    phase = "done";
    const code = problems.length > 0 ? 1 : 0;
    steps.log({ phase, exitCode: code, tookMs: now() - started, problems }, code === 0 ? "shutdown: done" : "shutdown: done, with problems");
    steps.exit(code);
  }

  return {
    phase: () => phase,
    signal(name) {
      if (running) {
        steps.log({ signal: name, phase }, "shutdown: already shutting down; signal ignored (send SIGKILL to stop at once)");
        return running;
      }
      running = run(name).catch((err: unknown) => {
        steps.log({ err: err instanceof Error ? err.message : String(err) }, "shutdown: failed");
        steps.exit(1);
      });
      return running;
    },
  };
}
