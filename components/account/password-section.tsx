"use client";

import { useActionState, useEffect, useRef } from "react";
import { changePasswordAction, type ChangePasswordState } from "@/app/account/actions";
import { Button } from "@/components/ui/button";
import { Alert, Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";

/** Change your own password: the current one is required; other sessions are signed out. */
export function PasswordSection({ minLength }: { minLength: number }) {
  const [state, action, pending] = useActionState<ChangePasswordState, FormData>(changePasswordAction, null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.ok) form.current?.reset();
  }, [state]);
  const fe = state && !state.ok ? state.fieldErrors : {};
  const ended = state?.ok ? state.data.sessionsEnded : 0;
  return (
    <Card>
      <section aria-labelledby="password-heading" className="p-5">
        <h2 id="password-heading" className="text-base font-semibold">
          Password
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Changing it signs you out of every other session.</p>
        <form ref={form} action={action} className="mt-4 max-w-md space-y-4" noValidate>
          {state && !state.ok && Object.keys(fe).length === 0 ? <Alert>{state.error}</Alert> : null}
          {state?.ok ? (
            <Alert tone="success" role="status">
              Password changed.{ended > 0 ? ` ${ended} other session${ended === 1 ? " was" : "s were"} signed out.` : ""}
            </Alert>
          ) : null}
          <Field id="current-password" label="Current password" required error={fe.currentPassword}>
            <Input id="current-password" name="currentPassword" type="password" autoComplete="current-password" required aria-invalid={!!fe.currentPassword} />
          </Field>
          <Field id="new-password" label="New password" required error={fe.newPassword} hint={`At least ${minLength} characters; common passwords are refused.`}>
            <Input id="new-password" name="newPassword" type="password" autoComplete="new-password" required minLength={minLength} aria-invalid={!!fe.newPassword} />
          </Field>
          <Button type="submit" disabled={pending}>
            {pending ? "Changing…" : "Change password"}
          </Button>
        </form>
      </section>
    </Card>
  );
}
