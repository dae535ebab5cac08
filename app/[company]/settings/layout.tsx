import { AppHeader } from "@/components/shell/app-header";
import { SettingsNav } from "@/components/shell/settings-nav";

export default async function SettingsLayout({
  children,
  params,
}: {
  children: React.ReactNode;
  params: Promise<{ company: string }>;
}) {
  const { company } = await params;
  return (
    <>
      <AppHeader homeHref={`/${company}/settings/registries`} />
      <div className="mx-auto grid max-w-6xl gap-6 px-4 py-6 md:grid-cols-[13rem_1fr]">
        <aside>
          <h2 className="mb-2 hidden px-3 text-xs font-semibold uppercase tracking-wide text-zinc-500 md:block">Settings</h2>
          <SettingsNav companySlug={company} />
        </aside>
        <main id="main" className="min-w-0">{children}</main>
      </div>
    </>
  );
}
