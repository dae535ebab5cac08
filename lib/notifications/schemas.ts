/** Webhook input, shared by the Notifications form and the API. Client-safe. */
import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "./event-types";

export const WEBHOOK_DESCRIPTION_MAX = 500;
export const WEBHOOK_URL_MAX = 2048;

const url = z
  .string({ error: "Required" })
  .trim()
  .min(1, { error: "Required" })
  .max(WEBHOOK_URL_MAX, { error: `Use at most ${WEBHOOK_URL_MAX} characters` })
  .refine((v) => /^https?:\/\//i.test(v), { error: "Must start with https:// (or http:// for an address in OUTBOUND_ALLOW_CIDRS)" });

const events = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: `Must be one of ${WEBHOOK_EVENT_TYPES.join(", ")}` }), { error: "Must be a list of event types" })
  .min(1, { error: "Choose at least one event" })
  .transform((list) => [...new Set(list)]);

const format = z.enum(["json", "slack"], { error: "Must be json or slack" });
const description = z.string({ error: "Must be text" }).trim().max(WEBHOOK_DESCRIPTION_MAX, { error: `Use at most ${WEBHOOK_DESCRIPTION_MAX} characters` });
const isActive = z.boolean({ error: "Must be true or false" });

export const createWebhookSchema = z.strictObject({
  url,
  events,
  format: format.default("json"),
  description: description.default(""),
  isActive: isActive.default(true),
});
export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;

export const updateWebhookSchema = z.strictObject({
  url: url.optional(),
  events: events.optional(),
  format: format.optional(),
  description: description.optional(),
  isActive: isActive.optional(),
});
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;

/** The delivery log's query: `limit` (1–100, default 50) and `pagination.token`. */
export const deliveriesQuerySchema = z.object({
  limit: z.coerce.number({ error: "Must be a number" }).int({ error: "Must be a whole number" }).min(1, { error: "Must be from 1 to 100" }).max(100, { error: "Must be from 1 to 100" }).default(50),
  "pagination.token": z.string().max(500).optional(),
});
