import { notFound } from "next/navigation";
import { BackLink } from "@/components/registries/back-link";
import { RegistryDangerZone } from "@/components/registries/danger-zone";
import { ExpiryNote } from "@/components/registries/expiry-note";
import { RegistryDetails } from "@/components/registries/registry-details";
import { HealthSection } from "@/components/registries/health-timeline";
import { RegistryForm } from "@/components/registries/registry-form";
import { RegistryHost } from "@/components/registries/registry-host";
import { requestTime } from "@/components/registries/request-time";
import { RecentUses } from "@/components/registries/recent-uses";
import { UseRegistryPanel } from "@/components/registries/use-registry";
import { Alert, PageHeader } from "@/components/ui/card";
import { can } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { companyPageContext } from "@/lib/page-auth";
import { getRegistry } from "@/lib/registries/service";
import { listRegistryUses } from "@/lib/registries/usage";
import { getRegistryType } from "@/lib/registries/schemas";

export const metadata = { title: "Registry" };
export const dynamic = "force-dynamic";

export default async function RegistryPage({ params }: { params: Promise<{ company: string; id: string }> }) {
  const { company, id } = await params;
  const ctx = await companyPageContext(company);
  const registry = await getRegistry(ctx, id).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  const type = getRegistryType(registry.type);
  const listHref = `/${ctx.companySlug}/settings/registries`;
  const serverNow = requestTime();
  const uses = registry.type === "public" ? [] : (await listRegistryUses(ctx, registry.id, { limit: 5 })).items;
  const usePanel = (
    <>
    <UseRegistryPanel
      companyId={ctx.companyId}
      companySlug={ctx.companySlug}
      registry={{ id: registry.id, name: registry.name, url: registry.url, isActive: registry.isActive }}
      canReveal={can(ctx, "registries:pull")}
    />
    <RecentUses uses={uses} serverNow={serverNow} />
    </>
  );

  if (!can(ctx, "registries:write")) {
    return (
      <>
        <BackLink href={listHref} />
        <PageHeader
          title={registry.name}
          description={
            <>
              {type?.label ?? registry.type} credentials for <RegistryHost registry={registry} note="inline" />.
            </>
          }
        />
        <div className="space-y-4">
          <Alert tone="info" role="note">
            You have read-only access{can(ctx, "registries:test") ? ": you can test this registry, but not change it" : ""}. Changing a registry needs the Manage
            registries permission.
          </Alert>
          <ExpiryNote registry={registry} serverNow={serverNow} />
          <RegistryDetails registry={registry} serverNow={serverNow} companyId={ctx.companyId} canTest={can(ctx, "registries:test")} />
        </div>
        <HealthSection ctx={ctx} registryId={registry.id} health={registry.health} scheduledChecks={registry.scheduledChecks} />
        {registry.type === "public" ? null : usePanel}
      </>
    );
  }

  // Only what the form needs, and never a secret: the DTO has none, only the names of the set ones.
  const edited = {
    id: registry.id,
    name: registry.name,
    type: registry.type,
    url: registry.url,
    plainHttp: registry.plainHttp,
    isActive: registry.isActive,
    scheduledChecks: registry.scheduledChecks,
    credentials: registry.credentials,
    secretsSet: registry.secretsSet,
    version: registry.version,
    expiresAt: registry.expiresAt,
  };
  return (
    <>
      <BackLink href={listHref} />
      <PageHeader
        title={`Edit ${registry.name}`}
        description={
          <>
            {type?.label ?? registry.type} credentials for <RegistryHost registry={registry} note="inline" />
            {registry.isActive ? "" : " (inactive)"}. Secrets are not shown: leave them blank to keep them.
          </>
        }
      />
      <div className="mb-5">
        <ExpiryNote registry={registry} serverNow={serverNow} />
      </div>
      <RegistryForm key={`${registry.id}-${registry.version}`} mode="edit" companyId={ctx.companyId} companySlug={ctx.companySlug} registry={edited} />
      <HealthSection ctx={ctx} registryId={registry.id} health={registry.health} scheduledChecks={registry.scheduledChecks} />
      {registry.type === "public" ? null : usePanel}
      {can(ctx, "registries:delete", registry.createdBy) ? (
        <RegistryDangerZone
          companyId={ctx.companyId}
          companySlug={ctx.companySlug}
          registry={{ id: registry.id, name: registry.name, type: registry.type, url: registry.url, lastUsedAt: registry.lastUsedAt }}
          serverNow={serverNow}
        />
      ) : null}
    </>
  );
}
