/**
 * The process's job runner: started by the server's boot (unless `BERTH_JOBS=off`, for a
 * web-only tier), with every job kind and periodic task of the app registered; stopped by
 * {@link stopJobRunner} (graceful shutdown).
 */
import "server-only";
import { env } from "@/lib/env";
import { registerHealthJobs, type HealthJobOptions } from "@/lib/health/scheduler";
import { createJobRunner, type JobRunner, type RunnerOptions, type StopResult } from "@/lib/jobs/runner";
import { log } from "@/lib/log";
import { settleDeliveries } from "@/lib/notifications/delivery";
import { registerNotificationTasks } from "@/lib/notifications/tasks";
import { pruneRegistryUses } from "@/lib/registries/usage";
import { getDb } from "@/db";
import { registerPeriodicTask } from "@/lib/jobs/runner";

const globalForJobs = globalThis as unknown as { berthJobRunner?: Promise<JobRunner | null>; berthJobRunnerNow?: JobRunner };

/** Starts this process's runner once (null with BERTH_JOBS=off). */
export function startJobRunner(options: RunnerOptions & { health?: HealthJobOptions } = {}): Promise<JobRunner | null> {
  globalForJobs.berthJobRunner ??= (async () => {
    if (env().BERTH_JOBS === "off") {
      log.info("BERTH_JOBS=off: this instance runs no jobs");
      return null;
    }
    registerHealthJobs(options.health);
    registerNotificationTasks();
    registerPeriodicTask("registry-uses.prune", 3600_000, async () => {
      await pruneRegistryUses(await getDb());
    });
    const runner = await createJobRunner(options);
    globalForJobs.berthJobRunnerNow = runner;
    return runner;
  })().catch((err: unknown) => {
    globalForJobs.berthJobRunner = undefined;
    throw err;
  });
  return globalForJobs.berthJobRunner;
}

/** The running runner, if started and not stopped (metrics). */
export function currentJobRunner(): JobRunner | null {
  return globalForJobs.berthJobRunnerNow ?? null;
}

/**
 * Stops the runner within `timeoutMs`: running jobs may finish until shortly before it, then
 * the rest are aborted and handed back (another instance runs them again); then the webhook
 * sends started right after a commit are awaited. Says how many jobs were cut short.
 */
export async function stopJobRunner(timeoutMs?: number): Promise<StopResult> {
  const runner = await globalForJobs.berthJobRunner?.catch(() => null);
  globalForJobs.berthJobRunner = undefined;
  globalForJobs.berthJobRunnerNow = undefined;
  const result = (await runner?.stop(timeoutMs, { letRunningFinish: true })) ?? { aborted: 0, stillRunning: 0 };
  await settleDeliveries();
  return result;
}
