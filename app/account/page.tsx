import { PasswordSection } from "@/components/account/password-section";
import { SessionsSection } from "@/components/account/sessions-section";
import { TwoFactorSection } from "@/components/account/two-factor-section";
import { AccountMenu } from "@/components/shell/account-menu";
import { AppHeader } from "@/components/shell/app-header";
import { requestTime } from "@/components/registries/request-time";
import { PageHeader } from "@/components/ui/card";
import { listMySessions } from "@/lib/account/service";
import { PASSWORD_MIN } from "@/lib/auth/schemas";
import { listUserCompanies } from "@/lib/companies/service";
import { accountActionContext, requireUser } from "@/lib/page-auth";
import { companiesRequiringTwoFactor } from "@/lib/two-factor/policy";
import { getTwoFactorStatus } from "@/lib/two-factor/service";

export const metadata = { title: "Your account" };
export const dynamic = "force-dynamic";

/** The signed-in user's own account: one section per concern (password, two-factor, sessions). */
export default async function AccountPage() {
  const user = await requireUser("/account");
  const ctx = await accountActionContext();
  const [companies, sessions, twoFactor, requiredBy] = await Promise.all([
    listUserCompanies(user.id),
    listMySessions(ctx),
    getTwoFactorStatus({ userId: user.id, email: user.email, ip: null, requestId: "page" }),
    companiesRequiringTwoFactor(user.id),
  ]);
  return (
    <>
      <AppHeader homeHref={companies[0] ? `/${companies[0].slug}/settings/registries` : "/"}>
        <AccountMenu email={user.email} companies={companies} />
      </AppHeader>
      <main id="main" className="mx-auto max-w-3xl space-y-6 px-4 py-8">
        <PageHeader title="Your account" description={`Signed in as ${user.email}.`} />
        <PasswordSection minLength={PASSWORD_MIN} />
        <TwoFactorSection status={twoFactor} requiredBy={twoFactor.enabled ? [] : requiredBy} />
        <SessionsSection sessions={sessions} serverNow={requestTime()} />
      </main>
    </>
  );
}
