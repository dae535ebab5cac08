import { redirect } from "next/navigation";
import { LoginForm, OidcButton } from "@/components/auth/login-form";
import { Alert } from "@/components/ui/card";
import { getDb } from "@/db";
import { env } from "@/lib/env";
import { currentUser } from "@/lib/page-auth";
import { countUsers } from "@/lib/auth/users";
import { safeNext } from "@/lib/safe-next";

export const metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; reset?: string }> }) {
  if ((await countUsers(await getDb())) === 0) redirect("/setup");
  const query = await searchParams;
  const next = safeNext(query.next);
  if (await currentUser()) redirect(next);
  return (
    <>
      <h1 className="mb-1 text-lg font-semibold">Sign in</h1>
      <p className="mb-5 text-sm text-zinc-600 dark:text-zinc-400">Manage your container registry credentials.</p>
      {query.reset === "done" ? (
        <div className="mb-4">
          <Alert tone="success" role="status">
            Your password is set. Sign in with it.
          </Alert>
        </div>
      ) : null}
      <LoginForm next={next} />
      {env().AUTH_OIDC_ISSUER ? <OidcButton next={next} /> : null}
    </>
  );
}
