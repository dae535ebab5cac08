/**
 * The outbox. {@link enqueueEvent} writes an event and one pending delivery per subscribed
 * webhook inside the caller's transaction, so an event exists exactly when the change that
 * caused it committed: a process that dies after the commit leaves pending deliveries that any
 * instance's runner sends later (nothing is lost), and a rolled-back change sends nothing.
 */
import "server-only";
import { checkStateColumns } from "@/lib/health/health-sql";
import { randomUUID } from "node:crypto";
import { and, arrayContains, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { companies, registries, webhookDeliveries, webhookEvents, webhooks } from "@/db/schema";
import { checkStateOf, healthFromState } from "@/lib/health/health";
import type { DeliveredEventType } from "./event-types";
import { eventBody, type EventRegistry, type EventRegistryHealth } from "./payload";

export interface EnqueueInput {
  companyId: string;
  type: DeliveredEventType;
  registry: EventRegistry | null;
  data: Record<string, unknown>;
  /** The registry's health at the time of the event; read from the registry's row (in `tx`) when left out. */
  health?: EventRegistryHealth;
  /** Only this webhook (the test event); otherwise every active webhook subscribed to `type`. */
  webhookId?: string;
  now?: Date;
}

export interface Enqueued {
  eventId: string | null;
  deliveryIds: string[];
}

/**
 * Writes the event and its deliveries with `tx` (the caller's transaction). No subscribed
 * webhook: nothing is written. Returns the delivery ids, to be attempted once the transaction
 * has committed ({@link import("./delivery").deliverSoon}).
 */
export async function enqueueEvent(tx: Db, input: EnqueueInput): Promise<Enqueued> {
  const targets = await tx
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(
      and(
        eq(webhooks.companyId, input.companyId),
        input.webhookId ? eq(webhooks.id, input.webhookId) : and(eq(webhooks.isActive, true), arrayContains(webhooks.events, [input.type])),
      ),
    );
  if (targets.length === 0) return { eventId: null, deliveryIds: [] };
  const [company] = await tx.select({ id: companies.id, slug: companies.slug }).from(companies).where(eq(companies.id, input.companyId));
  if (!company) return { eventId: null, deliveryIds: [] };
  const id = randomUUID();
  const createdAt = input.now ?? new Date();
  const health = input.health !== undefined ? input.health : input.registry ? await registryHealth(tx, input.companyId, input.registry.id, createdAt) : null;
  const payload = eventBody({ id, type: input.type, createdAt, company, registry: input.registry, health, data: input.data });
  await tx.insert(webhookEvents).values({ id, companyId: input.companyId, type: input.type, payload: payload as unknown as Record<string, unknown>, createdAt });
  const rows = await tx
    .insert(webhookDeliveries)
    .values(targets.map((t) => ({ companyId: input.companyId, eventId: id, webhookId: t.id, nextAttemptAt: createdAt, createdAt, updatedAt: createdAt })))
    .returning({ id: webhookDeliveries.id });
  return { eventId: id, deliveryIds: rows.map((r) => r.id) };
}

/** The registry's health as its answers show it, from the row as this transaction sees it. */
async function registryHealth(tx: Db, companyId: string, registryId: string, now: Date): Promise<EventRegistryHealth> {
  const [row] = await tx
    .select({
      expiresAt: registries.expiresAt,
      ...checkStateColumns,
    })
    .from(registries)
    .where(and(eq(registries.id, registryId), eq(registries.companyId, companyId)));
  return row ? healthFromState({ expiresAt: row.expiresAt, state: checkStateOf(row), now }) : null;
}
