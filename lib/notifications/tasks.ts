/**
 * The periodic work of notifications, on the job runner (once per period across instances; an
 * instance with `BERTH_JOBS=off` runs none): webhook deliveries that are due, every 10 s, and
 * the expiry sweep (`registry.expiring` / `registry.expired`), every 5 minutes. Both are also
 * safe when several instances run them at once (SKIP LOCKED claims, conditional markers).
 */
import "server-only";
import { getDb } from "@/db";
import { registerPeriodicTask } from "@/lib/jobs/runner";
import { sweepExpiry } from "@/lib/registries/expiry/sweep";
import { deliverDueWebhooks } from "./delivery";

export const DELIVERY_EVERY_MS = 10_000;
export const SWEEP_EVERY_MS = 5 * 60_000;
const BATCH = 20;

/** Delivers what is due now, a batch at a time (a full batch means more may be due), at most 10 batches. */
export async function deliverDueRound(now: () => Date = () => new Date()): Promise<void> {
  const db = await getDb();
  for (let i = 0; i < 10; i++) {
    const summary = await deliverDueWebhooks(db, { now: now(), limit: BATCH });
    if (summary.attempted < BATCH) break;
  }
}

export function registerNotificationTasks(options: { deliveryEveryMs?: number; sweepEveryMs?: number } = {}): void {
  registerPeriodicTask("webhooks.deliver", options.deliveryEveryMs ?? DELIVERY_EVERY_MS, () => deliverDueRound());
  registerPeriodicTask("registries.expiry-sweep", options.sweepEveryMs ?? SWEEP_EVERY_MS, async () => {
    await sweepExpiry(await getDb(), new Date());
  });
}
