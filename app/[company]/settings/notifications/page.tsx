import { WebhooksManager } from "@/components/notifications/webhooks-manager";
import { Alert, PageHeader } from "@/components/ui/card";
import { can } from "@/lib/context";
import { listWebhooks } from "@/lib/notifications/webhooks";
import { companyPageContext } from "@/lib/page-auth";

export const metadata = { title: "Notifications" };
export const dynamic = "force-dynamic";

export default async function NotificationsPage({ params }: { params: Promise<{ company: string }> }) {
  const { company } = await params;
  const ctx = await companyPageContext(company);
  const header = (
    <PageHeader
      title="Notifications"
      description="Webhooks tell your tools when a registry changes, fails its checks, recovers or nears its expiry. Every delivery is signed with the webhook's secret (Berth-Signature) and retried for 24 hours."
    />
  );
  if (!can(ctx, "company:admin")) {
    return (
      <>
        {header}
        <Alert tone="info" role="note">Only owners and admins can manage notifications.</Alert>
      </>
    );
  }
  return (
    <>
      {header}
      <WebhooksManager companySlug={ctx.companySlug} webhooks={await listWebhooks(ctx)} />
    </>
  );
}
