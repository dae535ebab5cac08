/**
 * What the registries page's banner and the settings navigation's badge count: registries of the
 * company expiring within 14 days or expired (for a token limited to some registries, of those), and API tokens expiring within 14 days (all the
 * company's for owners and admins, who can see them in the audit log; the caller's own
 * otherwise, the ones the tokens page shows). One round trip on partial indexes.
 */
import "server-only";
import { cache } from "react";
import { sql } from "drizzle-orm";
import { getDb, rowsOf } from "@/db";
import { can, requirePermission, type RequestContext } from "@/lib/context";
import { EXPIRING_WINDOW_MS } from "./state";

export interface ExpirySummary {
  registriesExpired: number;
  registriesExpiring: number;
  tokensExpiring: number;
  /** Registries expiring or expired, and tokens expiring: the badge. */
  total: number;
}

export async function expirySummary(ctx: RequestContext, now: Date = new Date()): Promise<ExpirySummary> {
  requirePermission(ctx, "registries:list");
  const db = await getDb();
  const soon = new Date(now.getTime() + EXPIRING_WINDOW_MS).toISOString();
  const at = now.toISOString();
  const allTokens = can(ctx, "company:admin");
  const [row] = rowsOf<{ expired: number | string; expiring: number | string; tokens: number | string }>(
    await db.execute(sql`
      select
        count(*) filter (where r.expires_at <= ${at}::timestamptz) as expired,
        count(*) filter (where r.expires_at > ${at}::timestamptz and r.expires_at <= ${soon}::timestamptz) as expiring,
        (select count(*) from api_tokens t
          where t.company_id = ${ctx.companyId} and t.revoked_at is null
            and t.expires_at > ${at}::timestamptz and t.expires_at <= ${soon}::timestamptz
            and (${allTokens} or t.user_id = ${ctx.userId})) as tokens
      from registries r
      where r.company_id = ${ctx.companyId} and r.is_deleted = false and r.expires_at is not null and r.expires_at <= ${soon}::timestamptz
        ${ctx.registryIds ? sql`and r.id in (${sql.join(ctx.registryIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``}`),
  );
  const registriesExpired = Number(row?.expired ?? 0);
  const registriesExpiring = Number(row?.expiring ?? 0);
  const tokensExpiring = Number(row?.tokens ?? 0);
  return { registriesExpired, registriesExpiring, tokensExpiring, total: registriesExpired + registriesExpiring + tokensExpiring };
}

/** The summary once per request for the pages (the layout's badge and the registries page's banner share it). */
export const pageExpirySummary = cache((ctx: RequestContext) => expirySummary(ctx));
