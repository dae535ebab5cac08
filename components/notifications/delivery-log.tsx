"use client";

import { useCallback, useEffect, useState } from "react";
import { listDeliveriesAction } from "@/app/[company]/settings/notifications/actions";
import { Button } from "@/components/ui/button";
import { Alert, Badge } from "@/components/ui/card";
import { Spinner } from "@/components/ui/icons";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { WebhookDeliveryDto } from "@/lib/notifications/dto";

const TONE = { succeeded: "success", failed: "error", pending: "warning" } as const;

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

/** One webhook's deliveries, newest first; `version` changes reload it (after a test event). */
export function DeliveryLog({ companySlug, webhookId, version }: { companySlug: string; webhookId: string; version: number }) {
  const [items, setItems] = useState<WebhookDeliveryDto[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (pageToken?: string) => {
      setLoading(true);
      setError(null);
      const r = await listDeliveriesAction(companySlug, webhookId, pageToken);
      setLoading(false);
      if (!r.ok) {
        setError(r.error);
        return;
      }
      setItems((prev) => (pageToken && prev ? [...prev, ...r.data.items] : r.data.items));
      setNext(r.data.nextPageToken);
    },
    [companySlug, webhookId],
  );

  useEffect(() => {
    // Loading the log is synchronising with the server: the state is set when the answer arrives.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load();
  }, [load, version]);

  if (error) {
    return (
      <div className="space-y-2 p-4">
        <Alert>Could not load the delivery log: {error}</Alert>
        <Button variant="secondary" size="sm" onClick={() => void load()}>
          Try again
        </Button>
      </div>
    );
  }
  if (items === null) {
    return (
      <p className="flex items-center gap-2 p-4 text-sm text-zinc-500" role="status">
        <Spinner /> Loading deliveries…
      </p>
    );
  }
  if (items.length === 0) return <p className="p-4 text-sm text-zinc-500">No deliveries yet. Send a test event to try the webhook.</p>;
  return (
    <div>
      <Table caption="Delivery log">
        <TableHeader>
          <TableRow>
            <TableHead>Event</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Response</TableHead>
            <TableHead className="hidden sm:table-cell">Duration</TableHead>
            <TableHead className="hidden md:table-cell">Next attempt</TableHead>
            <TableHead className="hidden md:table-cell">Sent</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.map((d) => (
            <TableRow key={d.id}>
              <TableCell>
                <code className="text-xs">{d.eventType}</code>
                {d.errorMessage ? <div className="max-w-xs break-words text-xs text-zinc-500">{d.errorMessage}</div> : null}
              </TableCell>
              <TableCell>
                <Badge tone={TONE[d.status]}>{d.status}</Badge>
                <div className="text-xs text-zinc-500">{d.attempts === 1 ? "1 attempt" : `${d.attempts} attempts`}</div>
              </TableCell>
              <TableCell className="text-xs">{d.responseCode ?? "—"}</TableCell>
              <TableCell className="hidden text-xs sm:table-cell">{d.durationMs === null ? "—" : `${d.durationMs} ms`}</TableCell>
              <TableCell className="hidden text-xs md:table-cell">{when(d.nextAttemptAt)}</TableCell>
              <TableCell className="hidden text-xs md:table-cell">{when(d.lastAttemptAt ?? d.createdAt)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {next ? (
        <div className="p-3">
          <Button variant="secondary" size="sm" disabled={loading} onClick={() => void load(next)}>
            {loading ? "Loading…" : "Load older deliveries"}
          </Button>
        </div>
      ) : null}
    </div>
  );
}
