"use client";

import { useActionState } from "react";
import { oidcSignInAction, signInAction, type SignInState } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";

export function LoginForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, null);
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      {state ? <Alert>{state.error}</Alert> : null}
      <Field id="email" label="Email">
        <Input key={state?.email} id="email" name="email" type="email" autoComplete="username" required autoFocus defaultValue={state?.email} />
      </Field>
      <Field id="password" label="Password">
        <Input id="password" name="password" type="password" autoComplete="current-password" required />
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}

export function OidcButton({ next }: { next: string }) {
  return (
    <form action={oidcSignInAction} className="mt-3">
      <input type="hidden" name="next" value={next} />
      <Button type="submit" variant="secondary" className="w-full">
        Use single sign-on
      </Button>
    </form>
  );
}
