"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { beginTwoFactorAction, confirmTwoFactorAction, disableTwoFactorAction } from "@/app/account/two-factor-actions";
import { Button } from "@/components/ui/button";
import { Alert, Badge, Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import type { TotpEnrolment, TwoFactorStatus } from "@/lib/two-factor/service";

type View = { kind: "idle" } | { kind: "enrolling"; enrolment: TotpEnrolment } | { kind: "codes"; codes: string[] };

/** Two-factor on /account: set up (QR code and manual key, then a code), the recovery codes once, turn off. */
export function TwoFactorSection({ status, requiredBy }: { status: TwoFactorStatus; requiredBy: string[] }) {
  const router = useRouter();
  const [view, setView] = useState<View>({ kind: "idle" });
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const run = <T,>(fn: () => Promise<{ ok: true; data: T } | { ok: false; error: string; fieldErrors: Record<string, string> }>, then: (data: T) => void) => {
    setError(null);
    setFieldErrors({});
    start(async () => {
      const r = await fn();
      if (r.ok) then(r.data);
      else {
        setError(r.error);
        setFieldErrors(r.fieldErrors);
      }
    });
  };

  return (
    <Card className="p-5">
      <section aria-labelledby="two-factor-title" className="space-y-4">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="two-factor-title" className="text-base font-semibold">
            Two-factor authentication
          </h2>
          {status.enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}
        </div>
        {requiredBy.length > 0 ? (
          <Alert tone="warning" role="note">
            {requiredBy.join(", ")} {requiredBy.length === 1 ? "requires" : "require"} two-factor authentication. Until you turn it on you can do nothing there but set it up here.
          </Alert>
        ) : null}
        {error ? <Alert>{error}</Alert> : null}

        {view.kind === "codes" ? (
          <RecoveryCodes
            codes={view.codes}
            onDone={() => {
              setView({ kind: "idle" });
              router.refresh();
            }}
          />
        ) : status.enabled ? (
          <>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              Signing in asks for a code from your authenticator app after your password. {status.recoveryCodesLeft} of 10 recovery codes left
              {status.enabledAt ? <> · on since {new Date(status.enabledAt).toLocaleDateString()}</> : null}.
            </p>
            <form
              className="space-y-3 border-t border-zinc-100 pt-4 dark:border-zinc-800"
              onSubmit={(e) => {
                e.preventDefault();
                const f = new FormData(e.currentTarget);
                run(
                  () => disableTwoFactorAction({ password: String(f.get("password") ?? ""), code: String(f.get("code") ?? "") }),
                  () => router.refresh(),
                );
              }}
            >
              <h3 className="text-sm font-semibold">Turn off two-factor</h3>
              <div className="grid gap-3 sm:grid-cols-2">
                <Field id="tf-off-password" label="Password" error={fieldErrors.password} required>
                  <Input id="tf-off-password" name="password" type="password" autoComplete="current-password" required />
                </Field>
                <Field id="tf-off-code" label="Authentication code" hint="From your app, or a recovery code" error={fieldErrors.code} required>
                  <Input id="tf-off-code" name="code" autoComplete="one-time-code" autoCapitalize="off" spellCheck={false} required />
                </Field>
              </div>
              <Button type="submit" variant="danger" disabled={pending}>
                {pending ? "Turning off…" : "Turn off two-factor"}
              </Button>
            </form>
          </>
        ) : view.kind === "enrolling" ? (
          <form
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              const code = String(new FormData(e.currentTarget).get("code") ?? "");
              run(() => confirmTwoFactorAction(code), (data) => setView({ kind: "codes", codes: data.recoveryCodes }));
            }}
          >
            <ol className="list-decimal space-y-1 pl-5 text-sm text-zinc-700 dark:text-zinc-300">
              <li>Scan the QR code with an authenticator app (1Password, Google Authenticator, Aegis…), or type the key.</li>
              <li>Enter the 6-digit code the app shows.</li>
            </ol>
            <div className="flex flex-col items-start gap-4 sm:flex-row sm:items-center">
              {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL rendered on the server, not an optimisable asset */}
              <img src={view.enrolment.qrCode} alt="QR code for your authenticator app" width={176} height={176} className="rounded-md bg-white p-1 ring-1 ring-zinc-200" />
              <div className="min-w-0 space-y-1">
                <p id="tf-manual-key-label" className="text-xs font-medium uppercase tracking-wide text-zinc-500">
                  Manual key
                </p>
                <code aria-labelledby="tf-manual-key-label" className="block break-all rounded bg-zinc-100 px-2 py-1 font-mono text-sm dark:bg-zinc-800">
                  {view.enrolment.manualKey}
                </code>
                <p className="text-xs text-zinc-500">Time-based (TOTP), 6 digits, every 30 seconds.</p>
              </div>
            </div>
            <div className="max-w-xs">
              <Field id="tf-confirm-code" label="Authentication code" error={fieldErrors.code} required>
                <Input id="tf-confirm-code" name="code" inputMode="numeric" autoComplete="one-time-code" required autoFocus />
              </Field>
            </div>
            <div className="flex flex-wrap gap-2">
              <Button type="submit" disabled={pending}>
                {pending ? "Checking…" : "Turn on two-factor"}
              </Button>
              <Button variant="ghost" onClick={() => setView({ kind: "idle" })} disabled={pending}>
                Cancel
              </Button>
            </div>
          </form>
        ) : (
          <>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              Protect your account with a code from an authenticator app in addition to your password. You also get 10 recovery codes for when you lose the device.
            </p>
            <Button onClick={() => run(() => beginTwoFactorAction(), (enrolment) => setView({ kind: "enrolling", enrolment }))} disabled={pending}>
              {pending ? "Preparing…" : "Set up two-factor"}
            </Button>
          </>
        )}
      </section>
    </Card>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-3">
      <Alert tone="success" role="status">
        Two-factor authentication is on.
      </Alert>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Save these recovery codes somewhere safe. Each one signs you in once if you lose your device. <strong>They are shown only now.</strong>
      </p>
      <ol aria-label="Recovery codes" className="grid grid-cols-1 gap-1 rounded-md bg-zinc-100 p-3 font-mono text-sm min-[400px]:grid-cols-2 dark:bg-zinc-800">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <Button
          variant="secondary"
          onClick={async () => {
            await navigator.clipboard?.writeText(codes.join("\n")).catch(() => {});
            setCopied(true);
          }}
        >
          {copied ? "Copied" : "Copy codes"}
        </Button>
        <Button onClick={onDone}>I have saved my recovery codes</Button>
      </div>
    </div>
  );
}
