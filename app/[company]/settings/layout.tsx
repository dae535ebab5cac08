import { Providers } from "@/app/providers";
import { AccountMenu } from "@/components/shell/account-menu";
import { AppHeader } from "@/components/shell/app-header";
import { SettingsNav } from "@/components/shell/settings-nav";
import { listUserCompanies } from "@/lib/companies/service";
import { companyPageContext } from "@/lib/page-auth";
import { pageExpirySummary } from "@/lib/registries/expiry/summary";

export default async function SettingsLayout({ children, params }: { children: React.ReactNode; params: Promise<{ company: string }> }) {
  const { company } = await params;
  const ctx = await companyPageContext(company);
  const [companies, expiry] = await Promise.all([listUserCompanies(ctx.userId), pageExpirySummary(ctx)]);
  return (
    <>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-zinc-900">
        Skip to content
      </a>
      <AppHeader homeHref={`/${ctx.companySlug}/settings/registries`}>
        <AccountMenu email={ctx.email} companies={companies} currentSlug={ctx.companySlug} />
      </AppHeader>
      <div className="mx-auto grid max-w-6xl gap-6 px-4 py-6 md:grid-cols-[13rem_1fr]">
        <aside className="min-w-0">
          <h2 className="mb-2 hidden px-3 text-xs font-semibold uppercase tracking-wide text-zinc-500 md:block">Settings</h2>
          <SettingsNav companySlug={ctx.companySlug} expiring={expiry.total} />
        </aside>
        <main id="main" className="min-w-0">
          <Providers>{children}</Providers>
        </main>
      </div>
    </>
  );
}
