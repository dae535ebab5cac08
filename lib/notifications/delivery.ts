/**
 * Sending webhook deliveries, safe on any number of instances at once.
 *
 * {@link deliverDueWebhooks} claims due pending deliveries with `FOR UPDATE SKIP LOCKED` and, in
 * the same short transaction, counts the attempt and moves `next_attempt_at` to the end of a lease
 * ({@link LEASE_MS}), then sends outside any transaction. So two instances never send one delivery
 * at the same moment, and a delivery whose sender died mid-send is due again when its lease ends
 * (at-least-once: receivers de-duplicate on `Berth-Delivery`). A failure is retried with
 * exponential backoff (30 s × 2^n, ±20 % jitter, at most 4 h apart) until 24 hours after the
 * event, then the delivery is `failed`.
 *
 * Security decisions: the request goes through Test Connection's transport, so the outbound
 * policy is checked on the address connected to (a host that re-resolves to a private address is
 * refused at delivery even when it passed at creation), `http://` only reaches addresses listed in
 * `OUTBOUND_ALLOW_CIDRS`, and redirects are never followed. The signing secret is decrypted only
 * here, to sign; what is stored of an answer is its status and a short redacted snippet.
 */
import "server-only";
import { countWebhookDelivery } from "@/lib/metrics";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { webhookDeliveries, webhookEvents, webhooks, type WebhookDeliveryRow } from "@/db/schema";
import { log } from "@/lib/log";
import { Deadline } from "@/lib/registries/connection/deadline";
import { NetworkFailure } from "@/lib/registries/connection/network-errors";
import { outboundPolicyFromEnv, type OutboundPolicy } from "@/lib/registries/connection/policy";
import { redact } from "@/lib/registries/connection/redact";
import { defaultLookup, requestOnce } from "@/lib/registries/connection/transport";
import type { LookupFunction } from "@/lib/registries/connection/types";
import type { EventBody } from "./payload";
import { eventBody, slackBody } from "./payload";
import { openWebhookSecret } from "./secret";
import { SIGNATURE_HEADER, signatureHeader } from "./signing";

export const DELIVERY_TIMEOUT_MS = 10_000;
/** Longer than a delivery can take: until then nobody else sends a claimed delivery. */
export const LEASE_MS = 60_000;
export const RETRY_WINDOW_MS = 24 * 3600_000;
export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 4 * 3600_000;
const SNIPPET_CHARS = 200;
export const USER_AGENT = "Berth-Webhooks/1.0";

/** The wait after the `attempts`-th failed attempt: 30 s, 60 s, 120 s, … at most 4 h, ±20 %. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), RETRY_MAX_MS);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** When to try again after a failure, or null when the event's 24 hours are over. */
export function nextAttemptAfterFailure(eventAt: Date, now: Date, attempts: number, random?: () => number): Date | null {
  const next = new Date(now.getTime() + retryDelayMs(attempts, random));
  return next.getTime() - eventAt.getTime() > RETRY_WINDOW_MS ? null : next;
}

export interface DeliveryTransport {
  policy?: OutboundPolicy;
  lookup?: LookupFunction;
  timeoutMs?: number;
}

export interface DeliverOptions {
  /** The clock for scheduling (what is due, when to retry); the signature always uses the real time. */
  now?: Date;
  limit?: number;
  /** Only these deliveries (the ones a request just enqueued). */
  ids?: readonly string[];
  transport?: DeliveryTransport;
}

export interface DeliverSummary {
  attempted: number;
  succeeded: number;
  retrying: number;
  failed: number;
}

/** The request a delivery sends: body and headers (the signature computed at `signedAt`). */
export function deliveryRequest(input: { payload: EventBody; format: string; deliveryId: string; secret: string; signedAt: Date }) {
  // jsonb keeps its own key order: the body is written in the documented one.
  const p = input.payload;
  const ordered = eventBody({ ...p, createdAt: new Date(p.createdAt), health: p.registry?.health ?? null });
  const body = JSON.stringify(input.format === "slack" ? slackBody(ordered) : ordered);
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "User-Agent": USER_AGENT,
      [SIGNATURE_HEADER]: signatureHeader(input.secret, body, input.signedAt),
      "Berth-Event": input.payload.type,
      "Berth-Delivery": input.deliveryId,
    },
  };
}

async function claim(db: Db, now: Date, limit: number, ids?: readonly string[]): Promise<WebhookDeliveryRow[]> {
  if (ids && ids.length === 0) return [];
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, now), ids ? inArray(webhookDeliveries.id, [...ids]) : undefined))
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(webhookDeliveries)
      .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + LEASE_MS), lastAttemptAt: now, updatedAt: now })
      .where(inArray(webhookDeliveries.id, due.map((d) => d.id)))
      .returning();
  });
}

interface Outcome {
  ok: boolean;
  responseCode: number | null;
  durationMs: number;
  errorMessage: string | null;
}

/** A short, single-line, redacted view of an answer body (never more is stored). */
function snippet(body: Buffer, secrets: readonly string[]): string {
  const text = body.subarray(0, 1024).toString("utf8").replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  const cut = text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text;
  return redact(cut, secrets);
}

async function send(url: string, request: { body: string; headers: Record<string, string> }, secret: string, transport: DeliveryTransport): Promise<Outcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const answer = await requestOnce(
      { method: "POST", url: new URL(url), headers: request.headers, body: request.body },
      {
        policy: transport.policy ?? outboundPolicyFromEnv(),
        lookup: transport.lookup ?? defaultLookup,
        allowPlainHttp: "allow-listed",
        insecureSkipVerify: false,
        deadline: new Deadline(transport.timeoutMs ?? DELIVERY_TIMEOUT_MS),
      },
    );
    const ok = answer.status >= 200 && answer.status < 300;
    if (ok) return { ok, responseCode: answer.status, durationMs: elapsed(), errorMessage: null };
    const redirected = answer.status >= 300 && answer.status < 400;
    const text = snippet(answer.body, [secret]);
    const message = redirected ? `Answered ${answer.status} (a redirect): redirects are not followed, use the final URL` : `Answered ${answer.status}${text ? `: ${text}` : ""}`;
    return { ok: false, responseCode: answer.status, durationMs: elapsed(), errorMessage: message };
  } catch (error) {
    const message = error instanceof NetworkFailure ? error.message : "The delivery failed before an answer arrived";
    if (!(error instanceof NetworkFailure)) log.warn({ err: error }, "webhook delivery failed unexpectedly");
    return { ok: false, responseCode: null, durationMs: elapsed(), errorMessage: redact(message, [secret]) };
  }
}

async function attempt(db: Db, delivery: WebhookDeliveryRow, now: Date, transport: DeliveryTransport): Promise<"succeeded" | "retrying" | "failed"> {
  const [found] = await db
    .select({ webhook: webhooks, payload: webhookEvents.payload, eventAt: webhookEvents.createdAt })
    .from(webhooks)
    .innerJoin(webhookEvents, eq(webhookEvents.id, delivery.eventId))
    .where(and(eq(webhooks.id, delivery.webhookId), eq(webhooks.companyId, delivery.companyId)));
  let outcome: Outcome;
  if (!found) return "failed"; // the webhook was deleted: its deliveries went with it
  if (!found.webhook.isActive && (found.payload as { type?: string }).type !== "ping") {
    outcome = { ok: false, responseCode: null, durationMs: 0, errorMessage: "The webhook is paused: not sent" };
  } else {
    const secret = openWebhookSecret(found.webhook);
    const request = deliveryRequest({ payload: found.payload as unknown as EventBody, format: found.webhook.format, deliveryId: delivery.id, secret, signedAt: new Date() });
    outcome = await send(found.webhook.url, request, secret, transport);
  }
  // A test event (ping) answers "does it work now": it is not retried.
  const retried = found.webhook.isActive && (found.payload as { type?: string }).type !== "ping";
  const retryAt = outcome.ok || !retried ? null : nextAttemptAfterFailure(found.eventAt, now, delivery.attempts);
  const status = outcome.ok ? "succeeded" : retryAt ? "pending" : "failed";
  await db
    .update(webhookDeliveries)
    .set({
      status,
      nextAttemptAt: retryAt ?? now,
      responseCode: outcome.responseCode,
      durationMs: outcome.durationMs,
      errorMessage: outcome.errorMessage,
      updatedAt: new Date(),
    })
    // Only the claim that made this attempt records it (a later claim after a lost lease wins).
    .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.attempts, delivery.attempts)));
  const result = status === "pending" ? "retrying" : status;
  countWebhookDelivery(result);
  return result;
}

/**
 * Sends the deliveries that are due at `now` (at most `limit`, default 20, at once), or only
 * `ids` among them. Safe to call concurrently from several instances.
 */
export async function deliverDueWebhooks(db: Db, options: DeliverOptions = {}): Promise<DeliverSummary> {
  const now = options.now ?? new Date();
  const claimed = await claim(db, now, options.limit ?? 20, options.ids);
  const results = await Promise.all(claimed.map((d) => attempt(db, d, now, options.transport ?? {})));
  return {
    attempted: claimed.length,
    succeeded: results.filter((r) => r === "succeeded").length,
    retrying: results.filter((r) => r === "retrying").length,
    failed: results.filter((r) => r === "failed").length,
  };
}

const inflight = new Set<Promise<unknown>>();

/**
 * Best effort, right after the transaction that enqueued `ids` committed: sends them now without
 * making the caller wait. Whatever fails here is retried by the runner.
 */
export function deliverSoon(ids: readonly string[]): void {
  if (ids.length === 0) return;
  const work: Promise<unknown> = getDb()
    .then((db) => deliverDueWebhooks(db, { ids }))
    .catch((err: unknown) => log.warn({ err }, "immediate webhook delivery failed; the runner will retry"))
    .finally(() => inflight.delete(work));
  inflight.add(work);
}

/** Waits for the immediate deliveries started so far (tests, shutdown). */
export async function settleDeliveries(): Promise<void> {
  while (inflight.size > 0) await Promise.all([...inflight]);
}
