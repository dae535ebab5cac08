import { HealthCheckInterval } from "@/components/settings/health-check-interval";
import { TwoFactorPolicy } from "@/components/settings/two-factor-policy";
import { getHealthCheckSettings } from "@/lib/health/settings";
import { Alert, PageHeader } from "@/components/ui/card";
import { can } from "@/lib/context";
import { companyPageContext } from "@/lib/page-auth";
import { getTwoFactorPolicy } from "@/lib/two-factor/policy";

export const metadata = { title: "Security" };
export const dynamic = "force-dynamic";

export default async function SecurityPage({ params }: { params: Promise<{ company: string }> }) {
  const { company } = await params;
  const ctx = await companyPageContext(company);
  const header = <PageHeader title="Security" description={`How people sign in to ${ctx.companyName}, and how often its registries are checked.`} />;
  if (!can(ctx, "company:admin")) {
    return (
      <>
        {header}
        <Alert tone="info" role="note">Only owners and admins can change {ctx.companyName}&apos;s security settings.</Alert>
      </>
    );
  }
  return (
    <>
      {header}
      <TwoFactorPolicy companySlug={ctx.companySlug} companyName={ctx.companyName} policy={await getTwoFactorPolicy(ctx)} />
      <HealthCheckInterval companyId={ctx.companyId} initial={await getHealthCheckSettings(ctx)} />
    </>
  );
}
