"use server";

import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { signIn, signOut } from "@/lib/auth/auth";
import { completeSetup } from "@/lib/auth/bootstrap";
import { clientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";
import { runAction, type ActionResult } from "@/lib/action-result";
import { safeNext } from "@/lib/safe-next";

export type FormState = ActionResult<undefined> | null;

/** `step: "code"`: the password was right and the account asks for its second factor. */
export type SignInState = { error: string | null; email: string; step?: "code" } | null;

const SIGN_IN_ERRORS: Record<string, { error: string | null; step?: "code" }> = {
  throttled: { error: "Too many failed attempts. Wait a few minutes and try again." },
  code_required: { error: null, step: "code" },
  invalid_code: { error: "That code is not right, or it was already used. Enter the current code from your app, or a recovery code.", step: "code" },
};

export async function signInAction(_prev: SignInState, form: FormData): Promise<SignInState> {
  const code = String(form.get("code") ?? "").trim();
  try {
    await signIn("credentials", { email: form.get("email"), password: form.get("password"), ...(code ? { code } : {}), redirectTo: safeNext(form.get("next")) });
  } catch (err) {
    if (err instanceof AuthError) {
      const known = SIGN_IN_ERRORS[(err as AuthError & { code?: string }).code ?? ""];
      const answer = known ?? { error: "The email or password is incorrect." };
      // Throttled while entering a code: stay on the code step.
      return { ...answer, ...(code && !answer.step ? { step: "code" as const } : {}), email: String(form.get("email") ?? "") };
    }
    throw err;
  }
  return null;
}

export async function setupAction(_prev: FormState, form: FormData): Promise<FormState> {
  const input = { email: form.get("email"), password: form.get("password"), companyName: form.get("companyName") };
  const h = await headers();
  const result = await runAction(() =>
    completeSetup(String(form.get("code") ?? ""), input, { requestId: h.get("x-request-id") ?? crypto.randomUUID(), ip: clientAddress(h, env().BERTH_TRUSTED_PROXIES) }),
  );
  if (!result.ok) return result;
  await signIn("credentials", { email: input.email, password: input.password, redirectTo: `/${result.data.slug}/settings/registries` });
  return null;
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}

export async function oidcSignInAction(form: FormData): Promise<void> {
  await signIn("oidc", { redirectTo: safeNext(form.get("next")) });
}
