import { z } from "zod";
import { companyRoute } from "@/lib/api-route";
import { listAuditEvents } from "@/lib/audit-log";
import { validationError, zodErrors } from "@/lib/errors";
import { json, otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

const querySchema = z.object({
  "filter.action": z.string().trim().min(1).max(100).optional(),
  "filter.actor": z.uuid({ error: "Must be a user id" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  "pagination.token": z
    .string()
    .regex(/^[0-9]{1,18}$/, { error: "Not a pagination token from this API" })
    .optional(),
});

/** Owners and admins: newest first, filter by action and actor, keyset pagination. */
export const GET = companyRoute({ permission: "company:admin" }, async (req, { ctx }) => {
  const parsed = querySchema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!parsed.success) throw validationError(zodErrors(parsed.error));
  const q = parsed.data;
  const page = await listAuditEvents(ctx, {
    action: q["filter.action"],
    actorUserId: q["filter.actor"],
    limit: q.limit,
    before: q["pagination.token"] ? Number(q["pagination.token"]) : undefined,
  });
  return json({ items: page.items, limit: q.limit, nextPageToken: page.nextCursor === null ? null : String(page.nextCursor) });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
