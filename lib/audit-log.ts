import "server-only";
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { auditEvents, users } from "@/db/schema";
import { requirePermission, type RequestContext } from "@/lib/context";

export interface AuditEventDto {
  id: string;
  action: string;
  actor: { userId: string | null; email: string | null; tokenId: string | null };
  targetType: string | null;
  targetId: string | null;
  metadata: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
  createdAt: string;
}

/**
 * The company's audit log, newest first; the cursor is the last id seen (ids only grow).
 * Owners and admins only, and only with a session: no token scope grants it.
 */
export async function listAuditEvents(
  ctx: RequestContext,
  opts: { action?: string; actorUserId?: string; limit: number; before?: number },
): Promise<{ items: AuditEventDto[]; nextCursor: number | null }> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  const where: SQL[] = [eq(auditEvents.companyId, ctx.companyId)];
  if (opts.action) where.push(eq(auditEvents.action, opts.action));
  if (opts.actorUserId) where.push(eq(auditEvents.actorUserId, opts.actorUserId));
  if (opts.before !== undefined) where.push(lt(auditEvents.id, opts.before));
  const rows = await db
    .select({ e: auditEvents, email: users.email })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorUserId))
    .where(and(...where))
    .orderBy(desc(auditEvents.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return {
    items: page.map(({ e, email }) => ({
      id: String(e.id),
      action: e.action,
      actor: { userId: e.actorUserId, email, tokenId: e.actorTokenId },
      targetType: e.targetType,
      targetId: e.targetId,
      metadata: e.metadata,
      ip: e.ip,
      requestId: e.requestId,
      createdAt: e.createdAt.toISOString(),
    })),
    nextCursor: rows.length > opts.limit ? page[page.length - 1]!.e.id : null,
  };
}
