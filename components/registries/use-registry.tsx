"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useState, useSyncExternalStore } from "react";
import { revealPullSecretAction } from "@/app/[company]/settings/registries/actions";
import { Button } from "@/components/ui/button";
import { Alert, Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { ecrAnyAccountRegion } from "@/lib/registries/types/ecr-hosts";

export type RevealFormat = "kubernetes" | "docker-login" | "dockerconfigjson";

const FORMATS: { value: RevealFormat; label: string; what: string }[] = [
  { value: "kubernetes", label: "Kubernetes Secret", what: "a Secret to pipe into kubectl apply -f -" },
  { value: "docker-login", label: "docker login", what: "a docker login command that reads the password from stdin" },
  { value: "dockerconfigjson", label: ".dockerconfigjson", what: "a Docker config file (also GitLab CI's DOCKER_AUTH_CONFIG)" },
];

/** Revealed credentials stay on the page this long at most; leaving the page drops them at once. */
const REVEAL_MS = 5 * 60_000;

const noSubscription = () => () => {};

interface Revealed {
  format: RevealFormat;
  text: string;
  expiresAt: string | null;
}

/**
 * "Use this registry": the image prefix, and the credentials in the form a consumer needs. The
 * credentials are fetched only after a confirmation (each reveal is audited like the API's pull
 * secret) and live in this component's state only, so they are gone when the user leaves the page.
 * Everyone sees the API call that fetches the same thing with a `registries:pull` token.
 */
export function UseRegistryPanel({
  companyId,
  companySlug,
  registry,
  canReveal,
}: {
  companyId: string;
  companySlug: string;
  registry: { id: string; name: string; url: string; isActive: boolean };
  canReveal: boolean;
}) {
  const toast = useToast();
  const router = useRouter();
  const [format, setFormat] = useState<RevealFormat>("kubernetes");
  const [namespace, setNamespace] = useState("default");
  const [secretName, setSecretName] = useState("berth-pull-secret");
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  // The address this page was reached at; on the server (no window) a neutral example.
  const origin = useSyncExternalStore(noSubscription, () => window.location.origin, () => "https://berth.example.com");
  const ids = { namespace: useId(), name: useId(), output: useId() };

  useEffect(() => {
    if (!revealed) return;
    const timer = setTimeout(() => setRevealed(null), REVEAL_MS);
    return () => clearTimeout(timer);
  }, [revealed]);

  // ECR without a Registry ID: the account's host is only known once AWS has answered.
  const anyAccountRegion = ecrAnyAccountRegion(registry.url);
  const prefix = anyAccountRegion === null ? `${registry.url}/` : null;
  const body: Record<string, unknown> = { registryIds: [registry.id], format };
  if (format === "kubernetes") Object.assign(body, { namespace, name: secretName });
  const apiCall = [
    `curl -sS -X POST \\`,
    `  -H "Authorization: Bearer $BERTH_TOKEN" -H "Content-Type: application/json" \\`,
    `  -d '${JSON.stringify(body)}' \\`,
    `  ${origin}/api/v1/companies/${companyId}/registries/pull-secret`,
  ].join("\n");

  async function reveal() {
    setPending(true);
    setFieldErrors({});
    const result = await revealPullSecretAction(companySlug, registry.id, format, format === "kubernetes" ? { namespace, name: secretName } : {});
    setPending(false);
    setConfirming(false);
    if (!result.ok) {
      setFieldErrors(result.fieldErrors);
      toast({ tone: "error", title: "Could not reveal the credentials", description: result.error });
      return;
    }
    setRevealed({ format, text: result.data.text, expiresAt: result.data.expiresAt });
    router.refresh(); // the server-rendered "Recent uses" and last-used time now include this reveal
  }

  const chosen = FORMATS.find((f) => f.value === format)!;
  return (
    <Card className="mt-8">
      <section aria-labelledby="use-registry-title" className="space-y-5 p-5">
        <div>
          <h2 id="use-registry-title" className="text-base font-semibold">
            Use this registry
          </h2>
          <p className="mt-1 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
            Images whose name starts with this prefix are pulled with these credentials.
          </p>
        </div>

        <div className="flex flex-wrap items-center gap-2">
          <span className="text-sm text-zinc-500 dark:text-zinc-400">Image prefix</span>
          {prefix ? (
            <>
              <code className="rounded bg-zinc-100 px-2 py-1 font-mono text-sm break-all dark:bg-zinc-800">{prefix}</code>
              <CopyButton value={prefix} label="Copy image prefix" />
            </>
          ) : (
            <span className="text-sm">learned at the first test: the registry address AWS returns for this key&apos;s account in {anyAccountRegion}</span>
          )}
        </div>

        <fieldset>
          <legend className="text-sm font-medium">Format</legend>
          <div className="mt-2 inline-flex flex-wrap gap-1 rounded-lg bg-zinc-100 p-1 dark:bg-zinc-800">
            {FORMATS.map((f) => (
              <label
                key={f.value}
                className="cursor-pointer rounded-md px-3 py-1.5 text-sm font-medium text-zinc-700 has-checked:bg-white has-checked:shadow-sm has-focus-visible:outline-2 has-focus-visible:outline-brand-500 dark:text-zinc-300 dark:has-checked:bg-zinc-900"
              >
                <input
                  type="radio"
                  name="use-registry-format"
                  value={f.value}
                  checked={format === f.value}
                  onChange={() => {
                    setFormat(f.value);
                    setRevealed(null);
                  }}
                  className="sr-only"
                />
                {f.label}
              </label>
            ))}
          </div>
          <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">{chosen.what[0]!.toUpperCase() + chosen.what.slice(1)}.</p>
        </fieldset>

        {format === "kubernetes" ? (
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id={ids.namespace} label="Namespace" error={fieldErrors.namespace}>
              <Input id={ids.namespace} value={namespace} onChange={(e) => (setNamespace(e.target.value), setRevealed(null))} autoComplete="off" spellCheck={false} />
            </Field>
            <Field id={ids.name} label="Secret name" error={fieldErrors.name}>
              <Input id={ids.name} value={secretName} onChange={(e) => (setSecretName(e.target.value), setRevealed(null))} autoComplete="off" spellCheck={false} />
            </Field>
          </div>
        ) : null}

        {!registry.isActive ? (
          <Alert tone="info" role="note">
            This registry is inactive: activate it to hand out its credentials.
          </Alert>
        ) : canReveal ? (
          revealed ? (
            <div className="space-y-2">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <p className="text-sm font-medium" id={ids.output}>
                  {FORMATS.find((f) => f.value === revealed.format)!.label}
                </p>
                <div className="flex gap-2">
                  <CopyButton value={revealed.text} label={`Copy ${FORMATS.find((f) => f.value === revealed.format)!.label}`} />
                  <Button type="button" variant="secondary" size="sm" onClick={() => setRevealed(null)}>
                    Hide
                  </Button>
                </div>
              </div>
              <pre
                aria-labelledby={ids.output}
                tabIndex={0}
                className="max-h-80 overflow-auto rounded-md bg-zinc-950 p-3 font-mono text-xs whitespace-pre-wrap break-all text-zinc-100"
              >
                {revealed.text}
              </pre>
              <p className="text-xs text-zinc-500 dark:text-zinc-400">
                {revealed.expiresAt ? `Valid until ${new Date(revealed.expiresAt).toLocaleString()}. ` : ""}
                Hidden again when you leave this page (or in 5 minutes). Your reveal is in the audit log.
              </p>
            </div>
          ) : (
            <div className="flex flex-wrap items-center gap-3">
              <Button type="button" onClick={() => setConfirming(true)}>
                Reveal credentials
              </Button>
              <span className="text-xs text-zinc-500 dark:text-zinc-400">Shows the secret on this page after you confirm; the reveal is audited.</span>
            </div>
          )
        ) : (
          <Alert tone="info" role="note">
            Only owners and admins can reveal credentials here. Scripts and clusters fetch them with an API token that has the registries:pull scope.
          </Alert>
        )}

        <div className="space-y-2">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h3 className="text-sm font-medium">Fetch it with the API</h3>
            <CopyButton value={apiCall} label="Copy API call" />
          </div>
          <pre className="overflow-auto rounded-md bg-zinc-50 p-3 font-mono text-xs whitespace-pre dark:bg-zinc-800/60">{apiCall}</pre>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">
            <code>$BERTH_TOKEN</code> is an API token with the registries:pull scope (Settings › API tokens).
          </p>
        </div>
      </section>

      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        dismissible={!pending}
        title="Reveal the credentials?"
        description={
          <>
            The secret of <strong>{registry.name}</strong> will be shown on this page as {chosen.label}. Berth records who revealed it, and when, in the audit log.
          </>
        }
      >
        <DialogActions>
          <Button type="button" variant="secondary" onClick={() => setConfirming(false)} disabled={pending}>
            Cancel
          </Button>
          <Button type="button" onClick={reveal} disabled={pending}>
            {pending ? "Revealing…" : "Reveal"}
          </Button>
        </DialogActions>
      </Dialog>
    </Card>
  );
}
