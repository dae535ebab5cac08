import type { Metadata } from "next";
import Link from "next/link";
import { SimpleActionForm } from "@/components/auth/simple-action-form";
import { peekPasswordReset } from "@/lib/account/password-resets";
import { PASSWORD_MIN } from "@/lib/auth/schemas";
import { resetPasswordAction } from "../actions";

// The link is a credential: never send it on as a Referer.
export const metadata: Metadata = { title: "Set a new password", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const reset = await peekPasswordReset(token);
  if (!reset) {
    return (
      <>
        <h1 className="mb-2 text-lg font-semibold">Reset link not valid</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">This link is invalid, has already been used, or has expired (links work once, within an hour). Ask an owner or admin of your company for a new one.</p>
        <Link href="/login" className="mt-4 inline-block text-sm font-medium text-brand-600 hover:underline">
          Go to sign in
        </Link>
      </>
    );
  }
  return (
    <>
      <h1 className="mb-1 text-lg font-semibold">Set a new password</h1>
      <p className="mb-5 text-sm text-zinc-600 dark:text-zinc-400">For {reset.email}. Every session of this account will be signed out.</p>
      <SimpleActionForm
        action={resetPasswordAction}
        hidden={{ token }}
        fields={[{ name: "password", label: "New password", type: "password", required: true, autoComplete: "new-password", hint: `At least ${PASSWORD_MIN} characters; common passwords are refused.` }]}
        submitLabel="Set password"
        pendingLabel="Setting…"
      />
    </>
  );
}
