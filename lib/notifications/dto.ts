import type { DeliveryStatus, WebhookFormat } from "@/db/schema";

/** A webhook as the API and the page show it: never its signing secret (but `secret` once, at creation). */
export interface WebhookDto {
  id: string;
  url: string;
  events: string[];
  format: WebhookFormat;
  description: string;
  isActive: boolean;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  lastDelivery: { status: DeliveryStatus; responseCode: number | null; at: string } | null;
}

export interface WebhookDeliveryDto {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due; null once the delivery succeeded or failed for good. */
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  responseCode: number | null;
  durationMs: number | null;
  errorMessage: string | null;
  createdAt: string;
}

export interface WebhookDeliveryPage {
  items: WebhookDeliveryDto[];
  limit: number;
  nextPageToken: string | null;
}
