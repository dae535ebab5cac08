"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import type { WebhookDto } from "@/lib/notifications/dto";
import { WEBHOOK_EVENT_LABELS, WEBHOOK_EVENT_TYPES } from "@/lib/notifications/event-types";

export interface WebhookFormValues {
  url: string;
  events: string[];
  format: "json" | "slack";
  description: string;
  isActive?: boolean;
}

/** Create or edit a webhook: URL, events, format, description (and, when editing, paused or not). */
export function WebhookForm({
  idPrefix,
  initial,
  submitLabel,
  pending,
  error,
  fieldErrors,
  onSubmit,
  onCancel,
}: {
  idPrefix: string;
  initial?: WebhookDto;
  submitLabel: string;
  pending: boolean;
  error: string | null;
  fieldErrors: Record<string, string>;
  onSubmit: (values: WebhookFormValues, form: HTMLFormElement) => void;
  onCancel?: () => void;
}) {
  const [events, setEvents] = useState<string[]>(initial?.events ?? ["registry.check_failed", "registry.recovered", "registry.expiring", "registry.expired"]);
  const id = (name: string) => `${idPrefix}-${name}`;
  const eventsError = Object.entries(fieldErrors).find(([k]) => k.startsWith("events"))?.[1];
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        onSubmit(
          {
            url: String(f.get("url") ?? "").trim(),
            events,
            format: f.get("format") === "slack" ? "slack" : "json",
            description: String(f.get("description") ?? ""),
            ...(initial ? { isActive: f.get("isActive") === "on" } : {}),
          },
          e.currentTarget,
        );
      }}
    >
      {error ? <Alert>{error}</Alert> : null}
      <Field id={id("url")} label="Webhook URL" required error={fieldErrors.url} hint="https:// (http:// only for addresses in OUTBOUND_ALLOW_CIDRS). Berth posts each event here.">
        <Input id={id("url")} name="url" type="url" inputMode="url" defaultValue={initial?.url} placeholder="https://hooks.example.com/berth" required aria-invalid={fieldErrors.url ? true : undefined} />
      </Field>
      <fieldset>
        <legend className="text-sm font-medium">Events</legend>
        <div className="mt-2 grid gap-2 sm:grid-cols-2">
          {WEBHOOK_EVENT_TYPES.map((type) => (
            <label key={type} className="flex items-start gap-2 rounded-md p-2 text-sm ring-1 ring-zinc-200 dark:ring-zinc-800">
              <input
                type="checkbox"
                className="mt-0.5 h-4 w-4"
                checked={events.includes(type)}
                onChange={(e) => setEvents((list) => (e.target.checked ? [...list, type] : list.filter((t) => t !== type)))}
              />
              <span>
                <span className="block font-medium">{WEBHOOK_EVENT_LABELS[type]}</span>
                <code className="block text-xs text-zinc-500">{type}</code>
              </span>
            </label>
          ))}
        </div>
        {eventsError ? <p className="mt-1 text-xs font-medium text-red-600 dark:text-red-400">{eventsError}</p> : null}
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={id("format")} label="Format" hint="Slack: a {&quot;text&quot;: …} message for a Slack incoming webhook.">
          <Select id={id("format")} name="format" defaultValue={initial?.format ?? "json"}>
            <option value="json">JSON event</option>
            <option value="slack">Slack message</option>
          </Select>
        </Field>
        <Field id={id("description")} label="Description" error={fieldErrors.description}>
          <Textarea id={id("description")} name="description" rows={1} maxLength={500} defaultValue={initial?.description} placeholder="Alerts to #platform" />
        </Field>
      </div>
      {initial ? (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="isActive" defaultChecked={initial.isActive} className="h-4 w-4" />
          Active (a paused webhook gets no events)
        </label>
      ) : null}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        {onCancel ? (
          <Button type="button" variant="secondary" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
        ) : null}
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </Button>
      </div>
    </form>
  );
}
