import { RegistriesList } from "@/components/registries/registries-list";
import { RegistryTypesProvider } from "@/components/registries/type-summaries";
import { PAGE_SIZE } from "@/components/registries/api";
import { requestTime } from "@/components/registries/request-time";
import { ExpiryBanner } from "@/components/registries/expiry-banner";
import { PageHeader } from "@/components/ui/card";
import { can } from "@/lib/context";
import { companyPageContext } from "@/lib/page-auth";
import { HEALTH_STATUSES } from "@/lib/health/health";
import { pageExpirySummary } from "@/lib/registries/expiry/summary";
import { listRegistries } from "@/lib/registries/service";
import { getRegistryType, registryTypeSummaries } from "@/lib/registries/schemas";

export const metadata = { title: "Container Registries" };
export const dynamic = "force-dynamic";

const SOMEONE_ELSE = "00000000-0000-0000-0000-000000000000";

export default async function RegistriesPage({
  params,
  searchParams,
}: {
  params: Promise<{ company: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { company } = await params;
  const query = await searchParams;
  const ctx = await companyPageContext(company);
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
  const name = first(query.name).trim().slice(0, 100);
  const type = getRegistryType(first(query.type)) ? first(query.type) : "";
  const health = (HEALTH_STATUSES as readonly string[]).includes(first(query.health)) ? first(query.health) : "";

  const [page, expiry] = await Promise.all([listRegistries(ctx, { name: name || undefined, type: type || undefined, health: health || undefined, limit: PAGE_SIZE }), pageExpirySummary(ctx)]);
  return (
    <>
      <PageHeader
        title="Container Registries"
        description={
          <>
            Credentials for the private registries {ctx.companyName} pulls images from. Secrets are encrypted at rest and never shown again after saving;
            deploy agents and CI fetch pull secrets through the API.
          </>
        }
      />
      <ExpiryBanner summary={expiry} tokensHref={`/${ctx.companySlug}/settings/tokens`} />
      <RegistryTypesProvider types={registryTypeSummaries()}>
        <RegistriesList
        companyId={ctx.companyId}
        companySlug={ctx.companySlug}
        userId={ctx.userId}
        serverNow={requestTime()}
        initial={{ filters: { name, type, health }, page }}
        permissions={{
          write: can(ctx, "registries:write"),
          test: can(ctx, "registries:test"),
          deleteAll: can(ctx, "registries:delete", SOMEONE_ELSE),
          deleteOwn: can(ctx, "registries:delete", ctx.userId),
        }}
        />
      </RegistryTypesProvider>
    </>
  );
}
