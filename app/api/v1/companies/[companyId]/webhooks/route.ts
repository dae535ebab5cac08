import { companyRoute } from "@/lib/api-route";
import { json, readJson, otherMethods } from "@/lib/http";
import { createWebhook, listWebhooks } from "@/lib/notifications/webhooks";

export const dynamic = "force-dynamic";

export const GET = companyRoute({ permission: "company:admin" }, async (_req, { ctx }) => json({ items: await listWebhooks(ctx) }));

/** Creates a webhook; `secret` (the signing secret) is in this answer only. */
export const POST = companyRoute({ permission: "company:admin" }, async (req, { ctx }) => {
  const { webhook, secret } = await createWebhook(ctx, await readJson(req));
  return json({ ...webhook, secret }, { status: 201, headers: { Location: `/api/v1/companies/${ctx.companyId}/webhooks/${webhook.id}`, "Cache-Control": "no-store" } });
});

export const { PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS, POST");
