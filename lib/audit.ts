import "server-only";
import type { Db } from "@/db";
import { auditEvents } from "@/db/schema";

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

/** Appends an event (inside the caller's transaction when given); callers check permissions. */
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
