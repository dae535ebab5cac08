"use client";

import { useState } from "react";
import { ApiError, apiJson } from "@/components/registries/api";
import { Button } from "@/components/ui/button";
import { Alert, Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import type { HealthCheckSettingsDto } from "@/lib/health/settings";

const MIN = 15;
const MAX = 1440;

/** The company's scheduled-check interval: its own 15–1440 minutes, or the server's default. */
export function HealthCheckInterval({ companyId, initial }: { companyId: string; initial: HealthCheckSettingsDto }) {
  const toast = useToast();
  const [settings, setSettings] = useState(initial);
  const [own, setOwn] = useState(initial.intervalMinutes !== null);
  const [minutes, setMinutes] = useState(String(initial.intervalMinutes ?? initial.defaultIntervalMinutes));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const save = async () => {
    const value = own ? Number(minutes) : null;
    if (value !== null && (!Number.isInteger(value) || value < MIN || value > MAX)) {
      setError(`Enter a whole number of minutes from ${MIN} to ${MAX}.`);
      return;
    }
    setError(null);
    setSaving(true);
    try {
      const next = await apiJson<HealthCheckSettingsDto>(`/api/v1/companies/${encodeURIComponent(companyId)}/health-checks`, { method: "PATCH", body: { intervalMinutes: value } });
      setSettings(next);
      toast({ title: `Registries are checked every ${next.effectiveIntervalMinutes} minutes`, tone: "success" });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not save. Check your connection and try again.");
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card className="mt-6 p-5">
      <section aria-labelledby="health-checks-title" className="space-y-3">
        <h2 id="health-checks-title" className="text-base font-semibold">
          Scheduled health checks
        </h2>
        <p className="max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
          Berth signs in to every active registry with its saved credentials (login only, no image pull), spread over the interval, and marks a registry failing after two failed checks in a row. Now: every{" "}
          <strong data-testid="effective-interval">{settings.effectiveIntervalMinutes} minutes</strong>
          {settings.intervalMinutes === null ? " (the server's default)" : ""}.
        </p>
        {error ? <Alert>{error}</Alert> : null}
        <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex items-center gap-2.5">
            <input id="own-interval" type="checkbox" checked={own} onChange={(e) => setOwn(e.target.checked)} className="h-4 w-4 accent-brand-600" />
            <label htmlFor="own-interval" className="text-sm font-medium">
              Use our own interval
            </label>
          </div>
          <div className="space-y-1">
            <label htmlFor="check-interval" className="block text-sm font-medium">
              Interval in minutes
            </label>
            <Input id="check-interval" type="number" inputMode="numeric" min={MIN} max={MAX} step={1} value={minutes} disabled={!own} onChange={(e) => setMinutes(e.target.value)} className="w-32" aria-describedby="check-interval-help" />
          </div>
          <Button onClick={() => void save()} disabled={saving}>
            {saving ? "Saving…" : "Save interval"}
          </Button>
        </div>
        <p id="check-interval-help" className="text-xs text-zinc-500 dark:text-zinc-400">
          {MIN} to {MAX} minutes (24 hours). Without our own, the server&apos;s default applies ({settings.defaultIntervalMinutes} minutes).
        </p>
      </section>
    </Card>
  );
}
