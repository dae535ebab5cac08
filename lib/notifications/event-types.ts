/**
 * The events a webhook may subscribe to, with what the Notifications page says of each.
 * Client-safe. `ping` is not subscribable: it is what "Send test event" delivers.
 */
export const WEBHOOK_EVENT_TYPES = [
  "registry.check_failed",
  "registry.recovered",
  "registry.expiring",
  "registry.expired",
  "registry.created",
  "registry.updated",
  "registry.deleted",
  "registry.pull_secret_issued",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type DeliveredEventType = WebhookEventType | "ping";

export const WEBHOOK_EVENT_LABELS: Record<WebhookEventType, string> = {
  "registry.check_failed": "Check failed (twice in a row)",
  "registry.recovered": "Recovered",
  "registry.expiring": "Expiring within 14 days",
  "registry.expired": "Expired",
  "registry.created": "Registry created",
  "registry.updated": "Registry updated",
  "registry.deleted": "Registry deleted",
  "registry.pull_secret_issued": "Pull secret issued",
};

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === "string" && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
