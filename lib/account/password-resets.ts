import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { memberships, passwordResets, users } from "@/db/schema";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { parseNewPassword } from "@/lib/auth/password-policy";
import { recordUserAudit } from "@/lib/auth/user-audit";
import { setPassword } from "@/lib/auth/users";
import { auditActor, isUuid, notFound, requirePermission, type RequestContext } from "@/lib/context";
import { AppError } from "@/lib/errors";

export const RESET_LINK_TTL_MS = 60 * 60_000;

const hashResetToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

/**
 * Why an owner or admin may not reset this member's password, or null when they may. Only a
 * member who belongs to no other company can be reset from a company (otherwise an admin of one
 * company could take over the account someone uses in another), never an admin resetting an
 * owner, and never oneself (use the account page).
 */
async function resetRefusal(db: Db, companyId: string, actor: { userId: string; role: string }, memberUserId: string): Promise<AppError | null> {
  const rows = await db.select({ companyId: memberships.companyId, role: memberships.role }).from(memberships).where(eq(memberships.userId, memberUserId));
  const here = rows.find((r) => r.companyId === companyId);
  if (!here) return notFound("Member");
  if (memberUserId === actor.userId) return new AppError("bad_request", "Change your own password on your account page");
  if (actor.role !== "owner" && actor.role !== "admin") return new AppError("forbidden", "You do not have permission to do this");
  if (here.role === "owner" && actor.role !== "owner") return new AppError("forbidden", "Only an owner can reset an owner's password");
  if (rows.length > 1) {
    return new AppError("forbidden", "This member belongs to another company too, so their password cannot be reset from here: the server's operator can reset it (berth user reset-password)");
  }
  return null;
}

/**
 * Creates a one-time link that sets a member's password, valid for an hour; earlier unused links
 * for the member stop working. The link is returned once and only its hash is stored.
 */
export async function createPasswordResetLink(ctx: RequestContext, memberUserId: string): Promise<{ path: string; expiresAt: string }> {
  requirePermission(ctx, "company:admin");
  if (!isUuid(memberUserId)) throw notFound("Member");
  const db = await getDb();
  const refusal = await resetRefusal(db, ctx.companyId, ctx, memberUserId);
  if (refusal) throw refusal;
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + RESET_LINK_TTL_MS);
  await db.transaction(async (tx) => {
    await tx.delete(passwordResets).where(and(eq(passwordResets.userId, memberUserId), isNull(passwordResets.usedAt)));
    const [created] = await tx
      .insert(passwordResets)
      .values({ userId: memberUserId, companyId: ctx.companyId, createdBy: ctx.userId, tokenHash: hashResetToken(token), expiresAt })
      .returning({ id: passwordResets.id });
    await recordAudit(tx as unknown as Db, auditActor(ctx), {
      companyId: ctx.companyId,
      action: "member.password_reset_link_created",
      targetType: "user",
      targetId: memberUserId,
      metadata: { linkId: created!.id, expiresAt: expiresAt.toISOString() },
    });
  });
  return { path: `/reset-password/${token}`, expiresAt: expiresAt.toISOString() };
}

const usable = () => and(isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, sql`now()`));

/** The email a reset link is for, or null when it is unknown, used or expired. */
export async function peekPasswordReset(token: string): Promise<{ email: string } | null> {
  if (!token || token.length > 200) return null;
  const db = await getDb();
  const [row] = await db
    .select({ email: users.email })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(and(eq(passwordResets.tokenHash, hashResetToken(token)), usable()))
    .limit(1);
  return row ?? null;
}

/**
 * Sets a new password with a reset link. Single use: the link is claimed with a conditional UPDATE
 * (two concurrent uses cannot both succeed). The restrictions are checked again as things are now
 * (the member joined another company, the creator lost the right meanwhile: refused). Every
 * session of the user ends.
 */
export async function resetPasswordWithLink(actor: AuditActor, token: string, newPassword: unknown): Promise<{ email: string }> {
  const invalid = () => new AppError("not_found", "This reset link is invalid, already used or expired. Ask for a new one.");
  if (typeof token !== "string" || !token || token.length > 200) throw invalid();
  const target = await peekPasswordReset(token);
  if (!target) throw invalid();
  // Checked before the link is claimed, so that a refused password does not use it up.
  const password = parseNewPassword(newPassword, target.email);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(passwordResets)
      .set({ usedAt: new Date() })
      .where(and(eq(passwordResets.tokenHash, hashResetToken(token)), usable()))
      .returning();
    if (!claimed) throw invalid();
    const [creator] = claimed.createdBy
      ? await tx
          .select({ role: memberships.role })
          .from(memberships)
          .where(and(eq(memberships.companyId, claimed.companyId), eq(memberships.userId, claimed.createdBy), inArray(memberships.role, ["owner", "admin"])))
      : [];
    const refusal = creator ? await resetRefusal(tx as unknown as Db, claimed.companyId, { userId: claimed.createdBy!, role: creator.role }, claimed.userId) : invalid();
    if (refusal) throw refusal.code === "not_found" ? invalid() : refusal;
    const { sessionsEnded } = await setPassword(tx as unknown as Db, claimed.userId, password, null);
    await recordUserAudit(tx as unknown as Db, { ...actor, userId: claimed.userId }, claimed.userId, "user.password_reset", { via: "link", linkId: claimed.id, sessionsEnded });
    return { email: target.email };
  });
}
