import { companyRoute } from "@/lib/api-route";
import { revokeApiToken } from "@/lib/api-tokens/service";
import { isUuid, notFound } from "@/lib/context";
import { otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Revokes one of the caller's tokens (idempotent). */
export const DELETE = companyRoute<{ companyId: string; tokenId: string }>({ permission: "tokens:own" }, async (_req, { ctx, params }) => {
  if (!isUuid(params.tokenId)) throw notFound("API token");
  await revokeApiToken(ctx, params.tokenId);
  return new Response(null, { status: 204 });
});

export const { GET, POST, PUT, PATCH, HEAD } = otherMethods("DELETE, OPTIONS");
