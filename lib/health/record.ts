/**
 * Writes one check: the history row, the registry's `lastTest` and its health state, in the
 * caller's transaction. The one place health transitions are detected (becoming failing, and
 * failing → healthy), so the events they cause are written in the same transaction.
 */
import "server-only";
import { checkStateColumns } from "./health-sql";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { registries, registryChecks, type CheckTrigger } from "@/db/schema";
import { enqueueEvent } from "@/lib/notifications/outbox";
import { checkStateOf, healthTransition, stepCheckState } from "./health";

/** What a check writes of a Test Connection result: no stages, no details. */
export interface CheckOutcome {
  status: string;
  stage: string;
  message: string;
  latencyMs: number;
}

const MAX_MESSAGE = 1000;

/**
 * Records a check of the registry's saved values, unless the registry changed since the check
 * read it (`expectVersion`: a new secret or binding makes the result about the old one) or was
 * deleted. The registry row is locked first, so concurrent checks of one registry step its
 * health one after the other. The message must already be redacted (the engine's is).
 */
export async function recordCheck(
  tx: Db,
  registry: { id: string; companyId: string },
  outcome: CheckOutcome,
  options: { trigger: CheckTrigger; expectVersion: number; at?: Date },
): Promise<{ recorded: boolean; transition: ReturnType<typeof healthTransition>; deliveryIds: string[] }> {
  const at = options.at ?? new Date();
  const [row] = await tx
    .select({
      version: registries.version,
      name: registries.name,
      type: registries.type,
      url: registries.url,
      isDeleted: registries.isDeleted,
      ...checkStateColumns,
    })
    .from(registries)
    .where(and(eq(registries.id, registry.id), eq(registries.companyId, registry.companyId)))
    .for("update");
  if (!row || row.isDeleted || row.version !== options.expectVersion) return { recorded: false, transition: null, deliveryIds: [] };

  const before = checkStateOf(row);
  const after = stepCheckState(before, { status: outcome.status, at });
  const message = outcome.message.length > MAX_MESSAGE ? `${outcome.message.slice(0, MAX_MESSAGE - 1)}…` : outcome.message;
  await tx.insert(registryChecks).values({
    registryId: registry.id,
    companyId: registry.companyId,
    checkedAt: at,
    status: outcome.status,
    stage: outcome.stage,
    latencyMs: Math.max(0, Math.round(outcome.latencyMs)),
    message,
    trigger: options.trigger,
  });
  await tx
    .update(registries)
    .set({
      lastTestStatus: outcome.status,
      lastTestAt: at,
      lastTestMessage: outcome.message,
      healthStatus: after.status,
      healthSince: after.since,
      consecutiveFailures: after.consecutiveFailures,
      failuresSince: after.failuresSince,
      lastCheckedAt: after.lastCheckedAt,
    })
    .where(and(eq(registries.id, registry.id), eq(registries.companyId, registry.companyId)));

  const transition = healthTransition(before, after);
  let deliveryIds: string[] = [];
  if (transition) {
    // The event commits with the check row that caused it (the outbox), or not at all.
    ({ deliveryIds } = await enqueueEvent(tx, {
      companyId: registry.companyId,
      type: transition,
      registry: { id: registry.id, name: row.name, type: row.type, url: row.url },
      data: { status: outcome.status, stage: outcome.stage, message, trigger: options.trigger, consecutiveFailures: after.consecutiveFailures },
      now: at,
    }));
  }
  return { recorded: true, transition, deliveryIds };
}
