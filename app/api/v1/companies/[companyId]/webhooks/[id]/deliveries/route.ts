import { companyRoute } from "@/lib/api-route";
import { validationError, zodErrors } from "@/lib/errors";
import { json, otherMethods } from "@/lib/http";
import { deliveriesQuerySchema } from "@/lib/notifications/schemas";
import { listDeliveries } from "@/lib/notifications/webhooks";

export const dynamic = "force-dynamic";

export const GET = companyRoute<{ companyId: string; id: string }>({ permission: "company:admin" }, async (req, { ctx, params }) => {
  const parsed = deliveriesQuerySchema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  return json(await listDeliveries(ctx, params.id, { limit: parsed.data.limit, pageToken: parsed.data["pagination.token"] }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
