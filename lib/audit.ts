import "server-only";
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { auditEvents, users } from "@/db/schema";

export interface AuditActor {
  userId?: string | null;
  tokenId?: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export interface AuditInput {
  companyId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  /** Ids, names and changed field names only: never a secret, a token or a password. */
  metadata?: Record<string, unknown>;
}

export async function recordAudit(db: Db, actor: AuditActor, input: AuditInput): Promise<void> {
  await db.insert(auditEvents).values({
    companyId: input.companyId,
    actorUserId: actor.userId ?? null,
    actorTokenId: actor.tokenId ?? null,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    metadata: input.metadata ?? {},
    ip: actor.ip ?? null,
    requestId: actor.requestId ?? null,
  });
}

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

/** Newest first; the cursor is the last id seen (ids only grow). */
export async function listAuditEvents(
  db: Db,
  companyId: string,
  opts: { action?: string; actorUserId?: string; limit: number; before?: number },
): Promise<{ items: AuditEventDto[]; nextCursor: number | null }> {
  const where: SQL[] = [eq(auditEvents.companyId, companyId)];
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
