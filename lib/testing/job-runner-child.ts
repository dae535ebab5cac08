/**
 * "Another instance" for the scheduler tests: a separate process that runs the server's job
 * runner (with the app's jobs) against the `DATABASE_URL` it is given, with a short check
 * interval, until SIGTERM (a clean stop) or SIGKILL. Prints one JSON line when it is running:
 * `{"ready":true,"runner":INSTANCE-or-null}` (null with BERTH_JOBS=off).
 *
 *   BERTH_TEST_CHECK_INTERVAL_SECONDS=4 tsx --conditions=react-server lib/testing/job-runner-child.ts
 */
import { closeDb } from "@/db";
import { startJobRunner, stopJobRunner } from "@/lib/server/jobs";

async function main() {
  const runner = await startJobRunner({
    pollMs: 100,
    leaseMs: Number(process.env.BERTH_TEST_LEASE_MS ?? 3000),
    health: { checkIntervalSeconds: Number(process.env.BERTH_TEST_CHECK_INTERVAL_SECONDS ?? 4), scheduleEveryMs: 500 },
  });
  process.once("SIGTERM", () => {
    void stopJobRunner(5_000)
      .then(() => closeDb())
      .finally(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ ready: true, runner: runner?.instance ?? null })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
