import { companyRoute } from "@/lib/api-route";
import { listMembers } from "@/lib/companies/service";
import { json, otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = companyRoute({ permission: "company:admin" }, async (_req, { ctx }) => json({ items: await listMembers(ctx) }));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
