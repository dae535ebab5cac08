import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { registries } from "@/db/schema";
import { isUuid, notFound, type RequestContext } from "@/lib/context";

export type RegistryRow = typeof registries.$inferSelect;

/**
 * The one loader of a registry row: by id, in the caller's company, not deleted (in `db`, a
 * transaction, when given). Another
 * company's id, a deleted one and a malformed one are all "not found".
 */
export async function loadRegistryRow(ctx: RequestContext, id: string, options: { db?: Db; forUpdate?: boolean } = {}): Promise<RegistryRow> {
  if (!isUuid(id)) throw notFound("Registry");
  const db = options.db ?? (await getDb());
  const query = db
    .select()
    .from(registries)
    .where(and(eq(registries.id, id), eq(registries.companyId, ctx.companyId), eq(registries.isDeleted, false)))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound("Registry");
  return row;
}
