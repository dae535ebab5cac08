import Link from "next/link";
import { SimpleActionForm } from "@/components/auth/simple-action-form";
import { Logo } from "@/components/shell/logo";
import { buttonClass } from "@/components/ui/button";
import { getDb } from "@/db";
import { acceptInviteAction, registerWithInviteAction } from "@/app/companies/actions";
import { peekInvite } from "@/lib/companies/service";
import { currentUser } from "@/lib/page-auth";
import { findUserByEmail } from "@/lib/auth/users";
import { PASSWORD_MIN } from "@/lib/auth/schemas";

export const metadata = { title: "Invitation" };
export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invite = await peekInvite(token);
  const user = await currentUser();
  let body: React.ReactNode;
  if (!invite) {
    body = <p className="text-sm text-zinc-600 dark:text-zinc-400">This invitation is invalid, has already been used, or has expired. Ask for a new one.</p>;
  } else if (user && user.email.toLowerCase() === invite.email.toLowerCase()) {
    body = (
      <SimpleActionForm action={acceptInviteAction} hidden={{ token }} fields={[]} submitLabel={`Join ${invite.companyName}`} pendingLabel="Joining…" />
    );
  } else if (user) {
    body = (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        This invitation is for {invite.email}, but you are signed in as {user.email}. Sign out and open the link again.
      </p>
    );
  } else if (await findUserByEmail(await getDb(), invite.email)) {
    body = (
      <Link href={`/login?next=${encodeURIComponent(`/invite/${token}`)}`} className={buttonClass("primary", "md", "w-full")}>
        Sign in to accept
      </Link>
    );
  } else {
    body = (
      <SimpleActionForm
        action={registerWithInviteAction}
        hidden={{ token }}
        fields={[
          { name: "email", label: "Email", defaultValue: invite.email, readOnly: true },
          { name: "name", label: "Your name", autoComplete: "name" },
          { name: "password", label: "Password", type: "password", required: true, autoComplete: "new-password", hint: `At least ${PASSWORD_MIN} characters; common passwords are refused.` },
        ]}
        submitLabel="Create account and join"
        pendingLabel="Joining…"
      />
    );
  }
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 py-10">
      <div className="mb-6 flex items-center gap-2 text-lg font-semibold">
        <Logo className="h-7 w-7" /> Berth
      </div>
      <div className="w-full max-w-sm rounded-xl bg-white p-6 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
        <h1 className="mb-1 text-lg font-semibold">{invite ? `Join ${invite.companyName}` : "Invitation"}</h1>
        {invite ? <p className="mb-5 text-sm text-zinc-600 dark:text-zinc-400">You were invited as {invite.role}.</p> : null}
        {body}
      </div>
    </main>
  );
}
