import Link from "next/link";
import { BackLink } from "@/components/registries/back-link";
import { RegistryForm } from "@/components/registries/registry-form";
import { Alert, PageHeader } from "@/components/ui/card";
import { can } from "@/lib/context";
import { companyPageContext } from "@/lib/page-auth";
import { isRegistryTypeKey } from "@/lib/registries/schemas";

export const metadata = { title: "Add registry" };
export const dynamic = "force-dynamic";

export default async function NewRegistryPage({
  params,
  searchParams,
}: {
  params: Promise<{ company: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { company } = await params;
  const { type } = await searchParams;
  const ctx = await companyPageContext(company);
  const listHref = `/${ctx.companySlug}/settings/registries`;
  return (
    <>
      <BackLink href={listHref} />
      <PageHeader
        title="Add registry"
        description="Choose the registry type, enter the credentials Berth should pull with, and test them before saving. Secrets are encrypted and never shown again."
      />
      {can(ctx, "registries:write") ? (
        <RegistryForm mode="create" companyId={ctx.companyId} companySlug={ctx.companySlug} initialType={typeof type === "string" && isRegistryTypeKey(type) ? type : "ghcr"} />
      ) : (
        <Alert tone="info" role="note">
          You cannot add registries to {ctx.companyName}: that needs the Manage registries permission. Ask an owner or admin.{" "}
          <Link href={listHref} className="font-medium underline">
            Back to the list
          </Link>
        </Alert>
      )}
    </>
  );
}
