/**
 * The expiry sweep: enqueues `registry.expiring` (within 14 days of `expiresAt`) and
 * `registry.expired` (from `expiresAt` on) once per registry and `expiresAt` value. A
 * conditional UPDATE moves the registry's marker to the value it notified about, in the same
 * transaction as the events: concurrent sweeps on several instances block on the row and then
 * find the marker set, so each event is written once. A new `expiresAt` (a new token) notifies
 * again. Deleted and inactive registries are not swept.
 */
import "server-only";
import { and, eq, gt, isNotNull, lte, ne, or, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { registries } from "@/db/schema";
import { deliverSoon } from "@/lib/notifications/delivery";
import { enqueueEvent } from "@/lib/notifications/outbox";
import { EXPIRING_WINDOW_MS } from "./state";

export interface SweepResult {
  expiring: number;
  expired: number;
}

const live = and(eq(registries.isDeleted, false), eq(registries.isActive, true), isNotNull(registries.expiresAt));

export async function sweepExpiry(db: Db, now: Date = new Date()): Promise<SweepResult> {
  const soon = new Date(now.getTime() + EXPIRING_WINDOW_MS);
  const deliveries: string[] = [];
  const result = await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const columns = { id: registries.id, companyId: registries.companyId, name: registries.name, type: registries.type, url: registries.url, expiresAt: registries.expiresAt };
    const expired = await t
      .update(registries)
      .set({ expiredNotifiedFor: sql`${registries.expiresAt}` })
      .where(and(live, lte(registries.expiresAt, now), or(isNull(registries.expiredNotifiedFor), ne(registries.expiredNotifiedFor, registries.expiresAt))))
      .returning(columns);
    const expiring = await t
      .update(registries)
      .set({ expiringNotifiedFor: sql`${registries.expiresAt}` })
      .where(and(live, gt(registries.expiresAt, now), lte(registries.expiresAt, soon), or(isNull(registries.expiringNotifiedFor), ne(registries.expiringNotifiedFor, registries.expiresAt))))
      .returning(columns);
    for (const [type, rows] of [["registry.expired", expired], ["registry.expiring", expiring]] as const) {
      for (const r of rows) {
        const { deliveryIds } = await enqueueEvent(t, {
          companyId: r.companyId,
          type,
          registry: { id: r.id, name: r.name, type: r.type, url: r.url },
          data: { expiresAt: r.expiresAt!.toISOString() },
          now,
        });
        deliveries.push(...deliveryIds);
      }
    }
    return { expiring: expiring.length, expired: expired.length };
  });
  deliverSoon(deliveries);
  return result;
}
