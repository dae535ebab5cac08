import { MembersManager } from "@/components/settings/members-manager";
import { Alert, PageHeader } from "@/components/ui/card";
import { listMembers, listPendingInvites } from "@/lib/companies/service";
import { can } from "@/lib/context";
import { companyPageContext } from "@/lib/page-auth";

export const metadata = { title: "Members" };
export const dynamic = "force-dynamic";

export default async function MembersPage({ params }: { params: Promise<{ company: string }> }) {
  const { company } = await params;
  const ctx = await companyPageContext(company);
  if (!can(ctx, "company:admin")) {
    return (
      <>
        <PageHeader title="Members" />
        <Alert tone="info" role="note">Only owners and admins can see and manage the members of {ctx.companyName}.</Alert>
      </>
    );
  }
  const [members, invites] = await Promise.all([listMembers(ctx), listPendingInvites(ctx)]);
  return (
    <>
      <PageHeader title="Members" description={`People who can use ${ctx.companyName}'s registries. Members can test registries; give them "Manage registries" to add and edit them.`} />
      <MembersManager companySlug={ctx.companySlug} members={members} invites={invites} me={ctx.userId} myRole={ctx.role} />
    </>
  );
}
