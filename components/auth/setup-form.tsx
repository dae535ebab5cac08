"use client";

import { useActionState } from "react";
import { setupAction, type FormState } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";

export function SetupForm({ code }: { code: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(setupAction, null);
  const fe = state && !state.ok ? state.fieldErrors : {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="code" value={code} />
      {state && !state.ok ? <Alert>{state.error}</Alert> : null}
      <Field id="email" label="Email" required error={fe.email}>
        <Input id="email" name="email" type="email" autoComplete="username" required autoFocus aria-invalid={!!fe.email} />
      </Field>
      <Field id="password" label="Password" required error={fe.password} hint="At least 12 characters; common passwords are refused.">
        <Input id="password" name="password" type="password" autoComplete="new-password" required minLength={8} aria-invalid={!!fe.password} />
      </Field>
      <Field id="companyName" label="Company name" required error={fe.companyName} hint="Its address becomes /your-company-name.">
        <Input id="companyName" name="companyName" required aria-invalid={!!fe.companyName} />
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Creating…" : "Create account"}
      </Button>
    </form>
  );
}
