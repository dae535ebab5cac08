"use client";

import { useActionState, useState } from "react";
import { oidcSignInAction, signInAction, type SignInState } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";

/**
 * Email and password, then, for an account with two-factor, the authentication code. The second
 * step sends the email and password again with the code: the session is issued only when all
 * three are right, and nothing is remembered on the server between the steps.
 */
export function LoginForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [restarted, setRestarted] = useState<SignInState>(null);
  const codeStep = state?.step === "code" && restarted !== state;
  // The first step's values are kept in memory for the code step (the form itself is reset).
  const submitPassword = (form: FormData) => {
    setEmail(String(form.get("email") ?? ""));
    setPassword(String(form.get("password") ?? ""));
    action(form);
  };
  if (codeStep) {
    return (
      <form action={action} className="space-y-4" noValidate>
        <input type="hidden" name="next" value={next} />
        <input type="hidden" name="email" value={email} />
        <input type="hidden" name="password" value={password} />
        <div>
          <h2 className="text-base font-semibold">Two-factor authentication</h2>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            Signing in as <span className="font-medium text-zinc-800 dark:text-zinc-200">{email}</span>. Enter the 6-digit code from your authenticator app, or one of your recovery codes.
          </p>
        </div>
        {state?.error ? <Alert>{state.error}</Alert> : null}
        <Field id="code" label="Authentication code">
          <Input id="code" name="code" type="text" autoComplete="one-time-code" autoCapitalize="off" spellCheck={false} required autoFocus key={state?.error ?? "code"} />
        </Field>
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? "Verifying…" : "Verify"}
        </Button>
        <button type="button" className="w-full text-center text-sm text-zinc-600 underline-offset-2 hover:underline dark:text-zinc-400" onClick={() => { setPassword(""); setRestarted(state); }}>
          Use another account
        </button>
      </form>
    );
  }
  return (
    <form action={submitPassword} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      {state?.error && !state.step ? <Alert>{state.error}</Alert> : null}
      <Field id="email" label="Email">
        <Input key={state?.email} id="email" name="email" type="email" autoComplete="username" required autoFocus defaultValue={state?.email ?? email} />
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
