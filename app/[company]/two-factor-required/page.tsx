import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { AccountMenu } from "@/components/shell/account-menu";
import { AppHeader } from "@/components/shell/app-header";
import { buttonClass } from "@/components/ui/button";
import { listUserCompanies } from "@/lib/companies/service";
import { requireUser } from "@/lib/page-auth";
import { companyTwoFactorGate } from "@/lib/two-factor/policy";

export const metadata = { title: "Two-factor authentication required" };
export const dynamic = "force-dynamic";

/** Where a member without two-factor lands on any page of a company that requires it. */
export default async function TwoFactorRequiredPage({ params }: { params: Promise<{ company: string }> }) {
  const { company } = await params;
  const user = await requireUser(`/${company}/settings/registries`);
  const gate = await companyTwoFactorGate(user.id, company);
  if (!gate) notFound();
  if (!gate.required || user.twoFactor) redirect(`/${gate.slug}/settings/registries`);
  const companies = await listUserCompanies(user.id);
  return (
    <>
      <AppHeader>
        <AccountMenu email={user.email} companies={companies} currentSlug={gate.slug} />
      </AppHeader>
      <main id="main" className="mx-auto max-w-lg px-4 py-12">
        <div className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
          <p className="text-xs font-semibold uppercase tracking-wide text-amber-600 dark:text-amber-400">Action needed</p>
          <h1 className="mt-1 text-lg font-semibold">{gate.name} requires two-factor authentication</h1>
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            Your account does not have two-factor authentication turned on. Until it does, you can do nothing in {gate.name} but set it up. It takes a minute with an
            authenticator app.
          </p>
          <Link href="/account" className={buttonClass("primary", "md", "mt-5")}>
            Set up two-factor on your account
          </Link>
        </div>
      </main>
    </>
  );
}
