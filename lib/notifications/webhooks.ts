/**
 * Company webhooks (owners and admins, sessions only): create, read, change, delete, send a
 * test event, read the delivery log. The signing secret is generated here, returned once by
 * {@link createWebhook} and otherwise only decrypted to sign a delivery. The audit log and the
 * logs name a webhook by its URL's origin only: a URL's path may itself be a credential (Slack's
 * incoming webhooks carry their token there).
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { webhookDeliveries, webhookEvents, webhooks, type WebhookDeliveryRow, type WebhookRow } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { auditActor, isUuid, notFound, requirePermission, type RequestContext } from "@/lib/context";
import { validationError, zodErrors } from "@/lib/errors";
import { outboundPolicyFromEnv } from "@/lib/registries/connection/policy";
import { defaultLookup } from "@/lib/registries/connection/transport";
import type { LookupFunction } from "@/lib/registries/connection/types";
import { deliverDueWebhooks, type DeliveryTransport } from "./delivery";
import type { WebhookDeliveryDto, WebhookDeliveryPage, WebhookDto } from "./dto";
import { enqueueEvent } from "./outbox";
import { createWebhookSchema, updateWebhookSchema } from "./schemas";
import { sealWebhookSecret } from "./secret";
import { generateSigningSecret } from "./signing";
import { checkWebhookUrl } from "./url-policy";

/** How URLs are resolved when a webhook is saved (tests pass their own). */
export interface WebhookNetwork {
  lookup?: LookupFunction;
  transport?: DeliveryTransport;
}

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
};

function toDto(row: WebhookRow, last: WebhookDto["lastDelivery"] = null): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    format: row.format,
    description: row.description,
    isActive: row.isActive,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastDelivery: last,
  };
}

function deliveryDto(row: WebhookDeliveryRow, eventType: string): WebhookDeliveryDto {
  return {
    id: row.id,
    webhookId: row.webhookId,
    eventId: row.eventId,
    eventType,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    responseCode: row.responseCode,
    durationMs: row.durationMs,
    errorMessage: row.errorMessage,
    createdAt: row.createdAt.toISOString(),
  };
}

async function assertUrlAllowed(url: string, network: WebhookNetwork = {}): Promise<void> {
  const issue = await checkWebhookUrl(url, { policy: outboundPolicyFromEnv(), lookup: network.lookup ?? defaultLookup });
  if (issue) throw validationError([{ path: "url", message: issue }]);
}

async function loadWebhook(db: Db, ctx: RequestContext, id: string): Promise<WebhookRow> {
  if (!isUuid(id)) throw notFound("Webhook");
  const [row] = await db.select().from(webhooks).where(and(eq(webhooks.id, id), eq(webhooks.companyId, ctx.companyId)));
  if (!row) throw notFound("Webhook");
  return row;
}

async function lastDeliveries(db: Db, companyId: string, ids: string[]): Promise<Map<string, WebhookDto["lastDelivery"]>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([webhookDeliveries.webhookId], {
      webhookId: webhookDeliveries.webhookId,
      status: webhookDeliveries.status,
      responseCode: webhookDeliveries.responseCode,
      at: webhookDeliveries.updatedAt,
    })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.companyId, companyId), inArray(webhookDeliveries.webhookId, ids)))
    .orderBy(webhookDeliveries.webhookId, desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id));
  return new Map(rows.map((r) => [r.webhookId, { status: r.status, responseCode: r.responseCode, at: r.at.toISOString() }]));
}

export async function listWebhooks(ctx: RequestContext): Promise<WebhookDto[]> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  const rows = await db.select().from(webhooks).where(eq(webhooks.companyId, ctx.companyId)).orderBy(desc(webhooks.createdAt), desc(webhooks.id));
  const last = await lastDeliveries(db, ctx.companyId, rows.map((r) => r.id));
  return rows.map((r) => toDto(r, last.get(r.id) ?? null));
}

export async function getWebhook(ctx: RequestContext, id: string): Promise<WebhookDto> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  const row = await loadWebhook(db, ctx, id);
  return toDto(row, (await lastDeliveries(db, ctx.companyId, [row.id])).get(row.id) ?? null);
}

/** Creates a webhook; the answer carries its signing secret, the only time it is shown. */
export async function createWebhook(ctx: RequestContext, body: unknown, network?: WebhookNetwork): Promise<{ webhook: WebhookDto; secret: string }> {
  requirePermission(ctx, "company:admin");
  const parsed = createWebhookSchema.safeParse(body);
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const input = parsed.data;
  await assertUrlAllowed(input.url, network);
  const id = randomUUID();
  const secret = generateSigningSecret();
  const db = await getDb();
  const row = await db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(webhooks)
      .values({ id, companyId: ctx.companyId, url: input.url, events: input.events, format: input.format, description: input.description, isActive: input.isActive, createdBy: ctx.userId, ...sealWebhookSecret(secret, { companyId: ctx.companyId, id }) })
      .returning();
    await recordAudit(tx as unknown as Db, auditActor(ctx), {
      companyId: ctx.companyId,
      action: "webhook.created",
      targetType: "webhook",
      targetId: id,
      metadata: { origin: originOf(input.url), events: input.events, format: input.format, isActive: input.isActive },
    });
    return inserted!;
  });
  return { webhook: toDto(row), secret };
}

export async function updateWebhook(ctx: RequestContext, id: string, body: unknown, network?: WebhookNetwork): Promise<WebhookDto> {
  requirePermission(ctx, "company:admin");
  const parsed = updateWebhookSchema.safeParse(body ?? {});
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const input = parsed.data;
  const db = await getDb();
  const current = await loadWebhook(db, ctx, id);
  if (input.url !== undefined && input.url !== current.url) await assertUrlAllowed(input.url, network);
  const row = await db.transaction(async (tx) => {
    const [locked] = await tx.select().from(webhooks).where(and(eq(webhooks.id, current.id), eq(webhooks.companyId, ctx.companyId))).for("update");
    if (!locked) throw notFound("Webhook");
    const changed = (Object.keys(input) as (keyof typeof input)[]).filter((k) => JSON.stringify(input[k]) !== JSON.stringify(locked[k]));
    const [updated] = await tx
      .update(webhooks)
      .set({ ...input, updatedAt: new Date() })
      .where(and(eq(webhooks.id, locked.id), eq(webhooks.companyId, ctx.companyId)))
      .returning();
    await recordAudit(tx as unknown as Db, auditActor(ctx), {
      companyId: ctx.companyId,
      action: "webhook.updated",
      targetType: "webhook",
      targetId: locked.id,
      metadata: { origin: originOf(updated!.url), changed },
    });
    return updated!;
  });
  return toDto(row, (await lastDeliveries(db, ctx.companyId, [row.id])).get(row.id) ?? null);
}

/** Deletes a webhook with its delivery log; pending deliveries are never sent. */
export async function deleteWebhook(ctx: RequestContext, id: string): Promise<void> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  await db.transaction(async (tx) => {
    const row = await loadWebhook(tx as unknown as Db, ctx, id);
    await tx.delete(webhooks).where(and(eq(webhooks.id, row.id), eq(webhooks.companyId, ctx.companyId)));
    await recordAudit(tx as unknown as Db, auditActor(ctx), {
      companyId: ctx.companyId,
      action: "webhook.deleted",
      targetType: "webhook",
      targetId: row.id,
      metadata: { origin: originOf(row.url), events: row.events },
    });
  });
}

/** Sends a `ping` event to the webhook now (even when paused) and answers with its delivery. */
export async function sendTestEvent(ctx: RequestContext, id: string, network: WebhookNetwork = {}): Promise<WebhookDeliveryDto> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  const row = await loadWebhook(db, ctx, id);
  const { deliveryIds } = await db.transaction((tx) =>
    enqueueEvent(tx as unknown as Db, { companyId: ctx.companyId, type: "ping", registry: null, webhookId: row.id, data: { webhookId: row.id, requestedBy: ctx.userId } }),
  );
  await deliverDueWebhooks(db, { ids: deliveryIds, transport: network.transport });
  const [delivery] = await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.id, deliveryIds[0]!), eq(webhookDeliveries.companyId, ctx.companyId)));
  return deliveryDto(delivery!, "ping");
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString("base64url");
}

function decodeCursor(token: string): [Date, string] {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string" && isUuid(v[1])) {
      const at = new Date(v[0]);
      if (!Number.isNaN(at.getTime()) && at.toISOString() === v[0]) return [at, v[1]];
    }
  } catch {
    // fall through
  }
  throw validationError([{ path: "pagination.token", message: "Not a pagination token from this API" }]);
}

/** The delivery log of one webhook, newest first, keyset-paginated. */
export async function listDeliveries(ctx: RequestContext, id: string, q: { limit?: number; pageToken?: string } = {}): Promise<WebhookDeliveryPage> {
  requirePermission(ctx, "company:admin");
  const limit = q.limit ?? 50;
  const cursor = q.pageToken ? decodeCursor(q.pageToken) : null;
  const db = await getDb();
  const row = await loadWebhook(db, ctx, id);
  const rows = await db
    .select({ d: webhookDeliveries, type: webhookEvents.type })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(
      and(
        eq(webhookDeliveries.companyId, ctx.companyId),
        eq(webhookDeliveries.webhookId, row.id),
        cursor ? sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (${cursor[0].toISOString()}::timestamptz, ${cursor[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => deliveryDto(r.d, r.type)),
    limit,
    nextPageToken: rows.length > limit && last ? encodeCursor(last.d.createdAt, last.d.id) : null,
  };
}
