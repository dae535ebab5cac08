/**
 * The periodic work of this instance: webhook deliveries that are due (every 10 s) and the
 * expiry sweep (every 5 minutes). Both are safe on any number of instances at once (claims with
 * SKIP LOCKED, conditional markers), so every instance may run the loop; `BERTH_JOBS=off` keeps
 * an instance out of it. A round never overlaps the previous one, and a failure is logged and
 * retried at the next tick.
 */
import "server-only";
import { getDb } from "@/db";
import { log } from "@/lib/log";
import { sweepExpiry } from "@/lib/registries/expiry/sweep";
import { deliverDueWebhooks, settleDeliveries } from "./delivery";

export const DELIVERY_TICK_MS = 10_000;
export const SWEEP_EVERY_TICKS = 30;

export interface Runner {
  /** One round now (tests and start-up): deliveries, and the sweep when `sweep` is set. */
  tick(options?: { sweep?: boolean; now?: Date }): Promise<void>;
  stop(): Promise<void>;
}

export function startNotificationRunner(options: { tickMs?: number } = {}): Runner {
  let running: Promise<void> | null = null;
  let ticks = 0;
  let stopped = false;
  const round = async (sweep: boolean, now?: Date) => {
    const db = await getDb();
    if (sweep) await sweepExpiry(db, now ?? new Date());
    // Drain what is due, a batch at a time (a batch that comes back full means more may be due).
    for (let i = 0; i < 10; i++) {
      const summary = await deliverDueWebhooks(db, { now: now ?? new Date(), limit: 20 });
      if (summary.attempted < 20) break;
    }
  };
  const tick = async (o: { sweep?: boolean; now?: Date } = {}) => {
    if (running || stopped) return running ?? undefined;
    running = round(o.sweep ?? false, o.now)
      .catch((err: unknown) => log.warn({ err }, "notification runner round failed; retrying at the next tick"))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => {
    ticks += 1;
    void tick({ sweep: ticks % SWEEP_EVERY_TICKS === 1 });
  }, options.tickMs ?? DELIVERY_TICK_MS);
  timer.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await settleDeliveries();
    },
  };
}

const globalForRunner = globalThis as unknown as { berthNotificationRunner?: Runner };

/** Starts this process's runner once (start-up), unless `BERTH_JOBS=off`. */
export function ensureNotificationRunner(jobs: "on" | "off"): Runner | null {
  if (jobs === "off") {
    log.info("BERTH_JOBS=off: this instance sends no queued webhooks and runs no expiry sweep");
    return null;
  }
  globalForRunner.berthNotificationRunner ??= startNotificationRunner();
  return globalForRunner.berthNotificationRunner;
}
