import { IntegrationsPanel } from "@/components/integrations/integrations-panel";
import { PageHeader } from "@/components/ui/card";
import { can } from "@/lib/context";
import { companyPageContext } from "@/lib/page-auth";
import { listRegistryChoices } from "@/lib/registries/choices";

export const metadata = { title: "Integrations" };
export const dynamic = "force-dynamic";

/**
 * Settings › Integrations: copy-paste setups for the Docker credential helper, GitLab CI, the
 * kubelet credential provider and External Secrets, filled with this Berth's URL (the address
 * the browser reached it at) and the company. Every role sees it; owners and admins may create
 * a `registries:pull` token here (a pull secret needs that role).
 */
export default async function IntegrationsPage({ params }: { params: Promise<{ company: string }> }) {
  const { company } = await params;
  const ctx = await companyPageContext(company);
  const choices = await listRegistryChoices(ctx);
  const tokenButton = can(ctx, "registries:pull") && can(ctx, "tokens:own") ? "create" : can(ctx, "tokens:own") ? "ask-admin" : "none";
  return (
    <>
      <PageHeader
        title="Integrations"
        description="Let Docker, Podman, skopeo, GitLab runners and Kubernetes nodes fetch fresh credentials from Berth at pull time, with a registries:pull API token. Configure a host once; every pull then gets the current credentials, ECR included."
      />
      <IntegrationsPanel
        companySlug={ctx.companySlug}
        companyName={ctx.companyName}
        // Public registries need no credentials: no client asks Berth for them.
        registries={choices.filter((r) => r.isActive && r.type !== "public").map(({ name, host, prefix, ecrRegion }) => ({ name, host, prefix, ecrRegion }))}
        options={choices.filter((r) => r.type !== "public").map(({ id, name, url, isActive }) => ({ id, name, url, isActive }))}
        tokenButton={tokenButton}
        registriesHref={`/${ctx.companySlug}/settings/registries`}
        tokensHref={`/${ctx.companySlug}/settings/tokens`}
      />
    </>
  );
}
