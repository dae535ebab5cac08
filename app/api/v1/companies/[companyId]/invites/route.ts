import { companyRoute } from "@/lib/api-route";
import { createInvite, listPendingInvites } from "@/lib/companies/service";
import { json, readJson, otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = companyRoute({ permission: "company:admin" }, async (_req, { ctx }) => json({ items: await listPendingInvites(ctx) }));

/** The invite link is in this answer only (there is no mail server). */
export const POST = companyRoute({ permission: "company:admin" }, async (req, { ctx }) => {
  const { invite, token } = await createInvite(ctx, await readJson(req));
  return json({ ...invite, invitePath: `/invite/${token}` }, { status: 201, headers: { "Cache-Control": "no-store" } });
});

export const { PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS, POST");
