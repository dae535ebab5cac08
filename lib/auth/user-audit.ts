import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { memberships } from "@/db/schema";
import { recordAudit, type AuditActor } from "@/lib/audit";

/**
 * Records an event about a user's account (sign-in, password, sessions) in the audit log of every
 * company the user belongs to, so each company's owners see it; a user of no company gets one row
 * without a company. Metadata never holds a password, a code or a link.
 */
export async function recordUserAudit(db: Db, actor: AuditActor, userId: string | null, action: string, metadata: Record<string, unknown> = {}): Promise<void> {
  const companies = userId ? await db.select({ id: memberships.companyId }).from(memberships).where(eq(memberships.userId, userId)) : [];
  const targets = companies.length > 0 ? companies.map((c) => c.id) : [null];
  for (const companyId of targets) {
    await recordAudit(db, actor, { companyId, action, targetType: "user", ...(userId ? { targetId: userId } : {}), metadata });
  }
}
