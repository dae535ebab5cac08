import "server-only";
import { and, eq, inArray, type SQL } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { registries } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { isUuid, notFound, type RequestContext } from "@/lib/context";

export type RegistryRow = typeof registries.$inferSelect;

/**
 * The registries a caller may see, as a WHERE condition: a token limited to some registries sees
 * only those (undefined: no limit). Every query of registries on behalf of a caller adds it, so
 * a limited token's other registries read exactly like ids Berth does not know.
 */
export function registryScope(ctx: Pick<RequestContext, "registryIds">): SQL | undefined {
  return ctx.registryIds ? inArray(registries.id, ctx.registryIds) : undefined;
}

/**
 * A token limited to some registries may not create registries: it could not see what it made.
 * 403, before anything else is read or written.
 */
export function refuseLimitedCreate(ctx: Pick<RequestContext, "registryIds">): void {
  if (ctx.registryIds) {
    throw new AppError("forbidden", "This API token is limited to some registries and may not create registries (it could not see them); use a token for all registries");
  }
}

/**
 * The one loader of a registry row: by id, in the caller's company, not deleted (in `db`, a
 * transaction, when given). Another
 * company's id, a deleted one, a malformed one and one outside a limited token's registries are
 * all "not found".
 */
export async function loadRegistryRow(ctx: RequestContext, id: string, options: { db?: Db; forUpdate?: boolean } = {}): Promise<RegistryRow> {
  if (!isUuid(id)) throw notFound("Registry");
  const db = options.db ?? (await getDb());
  const query = db
    .select()
    .from(registries)
    .where(and(eq(registries.id, id), eq(registries.companyId, ctx.companyId), eq(registries.isDeleted, false), registryScope(ctx)))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound("Registry");
  return row;
}
