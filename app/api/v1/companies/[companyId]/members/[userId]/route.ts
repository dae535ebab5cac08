import { companyRoute } from "@/lib/api-route";
import { removeMember, updateMember } from "@/lib/companies/service";
import { isUuid, notFound } from "@/lib/context";
import { json, readJson, otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

type P = { companyId: string; userId: string };

export const PATCH = companyRoute<P>({ permission: "company:admin" }, async (req, { ctx, params }) => {
  if (!isUuid(params.userId)) throw notFound("Member");
  return json(await updateMember(ctx, params.userId, await readJson(req)));
});

export const DELETE = companyRoute<P>({ permission: "company:admin" }, async (_req, { ctx, params }) => {
  if (!isUuid(params.userId)) throw notFound("Member");
  await removeMember(ctx, params.userId);
  return new Response(null, { status: 204 });
});

export const { GET, POST, PUT, HEAD } = otherMethods("DELETE, OPTIONS, PATCH");
