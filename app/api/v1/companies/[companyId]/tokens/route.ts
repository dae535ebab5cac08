import { companyRoute } from "@/lib/api-route";
import { createApiToken, listApiTokens } from "@/lib/api-tokens/service";
import { json, readJson, otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = companyRoute({ permission: "tokens:own" }, async (_req, { ctx }) => json({ items: await listApiTokens(ctx) }));

/** Creates a token for the signed-in user; the token is in this answer only. */
export const POST = companyRoute({ permission: "tokens:own" }, async (req, { ctx }) => {
  const { token, apiToken } = await createApiToken(ctx, await readJson(req));
  return json(
    { ...apiToken, token },
    { status: 201, headers: { Location: `/api/v1/companies/${ctx.companyId}/tokens/${apiToken.id}`, "Cache-Control": "no-store" } },
  );
});

export const { PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS, POST");
