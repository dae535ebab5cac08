import { TokensManager } from "@/components/settings/tokens-manager";
import { Alert, PageHeader } from "@/components/ui/card";
import { listApiTokens } from "@/lib/api-tokens/service";
import { can } from "@/lib/context";
import { companyPageContext } from "@/lib/page-auth";
import { listRegistryChoices } from "@/lib/registries/choices";

export const metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

export default async function TokensPage({ params }: { params: Promise<{ company: string }> }) {
  const { company } = await params;
  const ctx = await companyPageContext(company);
  const header = (
    <PageHeader
      title="API tokens"
      description={<>Tokens let scripts and services call the API as you, with no more than your role in {ctx.companyName} allows. Send one as <code className="text-xs">Authorization: Bearer brt_…</code>.</>}
    />
  );
  if (!can(ctx, "tokens:own")) {
    return (
      <>
        {header}
        <Alert tone="info" role="note">Viewers cannot create API tokens.</Alert>
      </>
    );
  }
  return (
    <>
      {header}
      <TokensManager
        companySlug={ctx.companySlug}
        companyId={ctx.companyId}
        tokens={await listApiTokens(ctx)}
        registries={(await listRegistryChoices(ctx)).map(({ id, name, url, isActive }) => ({ id, name, url, isActive }))}
      />
    </>
  );
}
