/**
 * What a webhook receives. One function builds the body of every event, so every event has the
 * same shape: `{id, type, createdAt, company: {id, slug}, registry: {id, name, type, url, health}
 * | null, data}`. Nothing here may be a secret: the registry is named by its id, name, type and
 * URL only, and `data` holds ids, names, field names and times.
 */
import type { DeliveredEventType } from "./event-types";

/** A registry as an event names it. */
export interface EventRegistry {
  id: string;
  name: string;
  type: string;
  url: string;
}

/** The registry's health when the event was written (null until health is tracked). */
export type EventRegistryHealth = { status: string; since: string | null; lastCheckedAt: string | null } | null;

export interface EventBody {
  id: string;
  type: DeliveredEventType;
  createdAt: string;
  company: { id: string; slug: string };
  registry: (EventRegistry & { health: EventRegistryHealth }) | null;
  data: Record<string, unknown>;
}

export function eventBody(input: {
  id: string;
  type: DeliveredEventType;
  createdAt: Date;
  company: { id: string; slug: string };
  registry: EventRegistry | null;
  health: EventRegistryHealth;
  data: Record<string, unknown>;
}): EventBody {
  const { registry } = input;
  return {
    id: input.id,
    type: input.type,
    createdAt: input.createdAt.toISOString(),
    company: { id: input.company.id, slug: input.company.slug },
    registry: registry ? { id: registry.id, name: registry.name, type: registry.type, url: registry.url, health: input.health } : null,
    data: input.data,
  };
}

const SENTENCES: Record<DeliveredEventType, (name: string) => string> = {
  ping: () => "Test event from Berth: this webhook works.",
  "registry.check_failed": (name) => `Registry ${name} is failing its connection checks.`,
  "registry.recovered": (name) => `Registry ${name} has recovered: its connection check succeeded.`,
  "registry.expiring": (name) => `The credentials of registry ${name} expire soon.`,
  "registry.expired": (name) => `The credentials of registry ${name} have expired.`,
  "registry.created": (name) => `Registry ${name} was added.`,
  "registry.updated": (name) => `Registry ${name} was changed.`,
  "registry.deleted": (name) => `Registry ${name} was deleted.`,
  "registry.pull_secret_issued": (name) => `A pull secret was issued for registry ${name}.`,
};

/** Slack's incoming-webhook shape `{"text": …}` for the same event. */
export function slackBody(body: EventBody): { text: string } {
  const name = body.registry ? `“${body.registry.name}” (${body.registry.url})` : "";
  const expiresAt = typeof body.data.expiresAt === "string" ? ` Expiry: ${body.data.expiresAt}.` : "";
  return { text: `[${body.company.slug}] ${SENTENCES[body.type](name)}${expiresAt}` };
}
