import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { apiTokens, users } from "@/db/schema";
import { callerRoute } from "@/lib/api-route";
import { listUserCompanies } from "@/lib/companies/service";
import { json, otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Who the caller is: the user, the token (when one was used) and the companies it may act for. */
export const GET = callerRoute(async (_req, { caller }) => {
  const db = await getDb();
  const [user] = await db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, caller.userId));
  let token = null;
  let companies = await listUserCompanies(caller.userId);
  if (caller.via === "token") {
    const [t] = await db.select().from(apiTokens).where(eq(apiTokens.id, caller.tokenId));
    token = { id: t!.id, name: t!.name, scopes: t!.scopes, expiresAt: t!.expiresAt?.toISOString() ?? null, registryIds: t!.registryIds && t!.registryIds.length > 0 ? t!.registryIds : null };
    companies = companies.filter((c) => c.id === caller.companyId);
  }
  return json({ user, token, companies }, { headers: { "Cache-Control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
