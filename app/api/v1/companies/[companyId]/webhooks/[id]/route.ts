import { companyRoute } from "@/lib/api-route";
import { json, readJson, otherMethods } from "@/lib/http";
import { deleteWebhook, getWebhook, updateWebhook } from "@/lib/notifications/webhooks";

export const dynamic = "force-dynamic";

type P = { companyId: string; id: string };

export const GET = companyRoute<P>({ permission: "company:admin" }, async (_req, { ctx, params }) => json(await getWebhook(ctx, params.id)));

export const PATCH = companyRoute<P>({ permission: "company:admin" }, async (req, { ctx, params }) => json(await updateWebhook(ctx, params.id, await readJson(req))));

export const DELETE = companyRoute<P>({ permission: "company:admin" }, async (_req, { ctx, params }) => {
  await deleteWebhook(ctx, params.id);
  return new Response(null, { status: 204 });
});

export const { POST, PUT } = otherMethods("DELETE, GET, HEAD, OPTIONS, PATCH");
