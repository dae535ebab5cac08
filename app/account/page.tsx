import { TwoFactorSection } from "@/components/account/two-factor-section";
import { AccountMenu } from "@/components/shell/account-menu";
import { AppHeader } from "@/components/shell/app-header";
import { listUserCompanies } from "@/lib/companies/service";
import { requireUser } from "@/lib/page-auth";
import { companiesRequiringTwoFactor } from "@/lib/two-factor/policy";
import { getTwoFactorStatus } from "@/lib/two-factor/service";

export const metadata = { title: "Account" };
export const dynamic = "force-dynamic";

/** The signed-in user's own settings; each section is its own component. */
export default async function AccountPage() {
  const user = await requireUser("/account");
  const [companies, twoFactor, requiredBy] = await Promise.all([
    listUserCompanies(user.id),
    getTwoFactorStatus({ userId: user.id, email: user.email, ip: null, requestId: "page" }),
    companiesRequiringTwoFactor(user.id),
  ]);
  return (
    <>
      <AppHeader homeHref={companies[0] ? `/${companies[0].slug}/settings/registries` : "/"}>
        <AccountMenu email={user.email} companies={companies} />
      </AppHeader>
      <main id="main" className="mx-auto max-w-3xl space-y-6 px-4 py-8">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Account</h1>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Signed in as {user.email}.</p>
        </div>
        <TwoFactorSection status={twoFactor} requiredBy={twoFactor.enabled ? [] : requiredBy} />
      </main>
    </>
  );
}
