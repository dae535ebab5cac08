"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { createWebhookAction, deleteWebhookAction, sendTestEventAction, updateWebhookAction } from "@/app/[company]/settings/notifications/actions";
import { Button } from "@/components/ui/button";
import { Alert, Badge, Card } from "@/components/ui/card";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { OneTimeSecret } from "@/components/ui/one-time-secret";
import { useToast } from "@/components/ui/toast";
import type { WebhookDto } from "@/lib/notifications/dto";
import { DeliveryLog, when } from "./delivery-log";
import { WebhookForm, type WebhookFormValues } from "./webhook-form";

type Errors = { error: string | null; fieldErrors: Record<string, string> };
const NO_ERRORS: Errors = { error: null, fieldErrors: {} };

function WebhookCard({ companySlug, webhook }: { companySlug: string; webhook: WebhookDto }) {
  const router = useRouter();
  const toast = useToast();
  const [pending, start] = useTransition();
  const [editing, setEditing] = useState(false);
  const [errors, setErrors] = useState<Errors>(NO_ERRORS);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [showLog, setShowLog] = useState(false);
  const [logVersion, setLogVersion] = useState(0);
  const headingId = `webhook-${webhook.id}`;
  const cancelRef = useRef<HTMLButtonElement>(null);

  const sendTest = () =>
    start(async () => {
      const r = await sendTestEventAction(companySlug, webhook.id);
      if (!r.ok) {
        toast({ title: "Could not send the test event", description: r.error, tone: "error" });
        return;
      }
      const d = r.data;
      if (d.status === "succeeded") toast({ title: "Test event delivered", description: `The receiver answered ${d.responseCode} in ${d.durationMs} ms.` });
      else toast({ title: "Test event failed", description: d.errorMessage ?? "The receiver did not accept it.", tone: "error" });
      setShowLog(true);
      setLogVersion((v) => v + 1);
      router.refresh();
    });

  return (
    <Card>
      <section aria-labelledby={headingId} className="space-y-3 p-4">
        <div className="flex flex-col gap-2 sm:flex-row sm:items-start sm:justify-between">
          <div className="min-w-0">
            <h3 id={headingId} className="break-all text-sm font-semibold">
              {webhook.url}
            </h3>
            {webhook.description ? <p className="text-sm text-zinc-600 dark:text-zinc-400">{webhook.description}</p> : null}
            <div className="mt-2 flex flex-wrap gap-1">
              <Badge tone={webhook.isActive ? "success" : "neutral"}>{webhook.isActive ? "Active" : "Paused"}</Badge>
              <Badge tone="info">{webhook.format === "slack" ? "Slack" : "JSON"}</Badge>
              {webhook.events.map((e) => (
                <Badge key={e}>{e}</Badge>
              ))}
            </div>
            <p className="mt-2 text-xs text-zinc-500">
              Last delivery: {webhook.lastDelivery ? `${webhook.lastDelivery.status}${webhook.lastDelivery.responseCode ? ` (${webhook.lastDelivery.responseCode})` : ""}, ${when(webhook.lastDelivery.at)}` : "none yet"}
            </p>
          </div>
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" size="sm" disabled={pending} onClick={sendTest}>
              {pending ? "Sending…" : "Send test event"}
            </Button>
            <Button variant="secondary" size="sm" aria-expanded={editing} onClick={() => setEditing((v) => !v)}>
              Edit
            </Button>
            <Button variant="ghost" size="sm" onClick={() => setDeleting(true)}>
              Delete
            </Button>
          </div>
        </div>
        {editing ? (
          <div className="border-t border-zinc-100 pt-3 dark:border-zinc-800">
            <WebhookForm
              idPrefix={`edit-${webhook.id}`}
              initial={webhook}
              submitLabel="Save changes"
              pending={pending}
              {...errors}
              onCancel={() => setEditing(false)}
              onSubmit={(values: WebhookFormValues) =>
                start(async () => {
                  setErrors(NO_ERRORS);
                  const r = await updateWebhookAction(companySlug, webhook.id, values);
                  if (!r.ok) return setErrors({ error: r.error, fieldErrors: r.fieldErrors });
                  toast({ title: "Webhook saved" });
                  setEditing(false);
                  router.refresh();
                })
              }
            />
          </div>
        ) : null}
        <div className="border-t border-zinc-100 pt-2 dark:border-zinc-800">
          <Button variant="ghost" size="sm" aria-expanded={showLog} onClick={() => setShowLog((v) => !v)}>
            {showLog ? "Hide delivery log" : "Show delivery log"}
          </Button>
          {showLog ? <DeliveryLog companySlug={companySlug} webhookId={webhook.id} version={logVersion} /> : null}
        </div>
      </section>
      <Dialog
        open={deleting}
        onClose={() => setDeleting(false)}
        title="Delete webhook"
        description={`Berth stops sending events to ${webhook.url}; its delivery log is deleted too.`}
        initialFocus={cancelRef}
        dismissible={!pending}
      >
        {deleteError ? <Alert>{deleteError}</Alert> : null}
        <DialogActions>
          <Button ref={cancelRef} variant="secondary" onClick={() => setDeleting(false)} disabled={pending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            disabled={pending}
            onClick={() =>
              start(async () => {
                setDeleteError(null);
                const r = await deleteWebhookAction(companySlug, webhook.id);
                if (!r.ok) return setDeleteError(r.error);
                setDeleting(false);
                toast({ title: "Webhook deleted" });
                router.refresh();
              })
            }
          >
            Delete
          </Button>
        </DialogActions>
      </Dialog>
    </Card>
  );
}

export function WebhooksManager({ companySlug, webhooks }: { companySlug: string; webhooks: WebhookDto[] }) {
  const router = useRouter();
  const toast = useToast();
  const [pending, start] = useTransition();
  const [errors, setErrors] = useState<Errors>(NO_ERRORS);
  const [secret, setSecret] = useState<string | null>(null);
  const [formKey, setFormKey] = useState(0);
  return (
    <div className="space-y-6">
      <Card>
        <div className="space-y-4 p-4">
          <h2 className="text-sm font-semibold">New webhook</h2>
          <WebhookForm
            key={formKey}
            idPrefix="new-webhook"
            submitLabel="Create webhook"
            pending={pending}
            {...errors}
            onSubmit={(values) =>
              start(async () => {
                setErrors(NO_ERRORS);
                setSecret(null);
                const r = await createWebhookAction(companySlug, values);
                if (!r.ok) return setErrors({ error: r.error, fieldErrors: r.fieldErrors });
                setSecret(r.data.secret);
                setFormKey((k) => k + 1);
                toast({ title: "Webhook created", description: "Copy its signing secret now." });
                router.refresh();
              })
            }
          />
          {secret ? (
            <OneTimeSecret what="signing secret" value={secret} testId="webhook-secret" onCopied={() => toast({ title: "Signing secret copied" })}>
              Verify each request: <code>Berth-Signature: t=…,v1=…</code> where v1 is the hex HMAC-SHA256 of <code>t + &quot;.&quot; + body</code> with this secret.
            </OneTimeSecret>
          ) : null}
        </div>
      </Card>
      <section aria-label="Webhooks" className="space-y-4">
        {webhooks.length === 0 ? (
          <Card>
            <p className="p-6 text-center text-sm text-zinc-500">No webhooks yet. Create one above to be told when a credential fails, recovers or expires.</p>
          </Card>
        ) : (
          webhooks.map((w) => <WebhookCard key={w.id} companySlug={companySlug} webhook={w} />)
        )}
      </section>
    </div>
  );
}
