import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { getDb } from "@/db";
import { apiTokens, companies, invites, memberships, users, type Role } from "@/db/schema";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { inviteSchema, updateMemberSchema } from "@/lib/auth/schemas";
import { auditActor, isUuid, notFound, requirePermission, type RequestContext, type UserContext } from "@/lib/context";
import { AppError, validationError, zodErrors } from "@/lib/errors";
import { insertUser } from "@/lib/auth/users";
import { endOtherSessions } from "@/lib/auth/sessions";
import type { z } from "zod";
import type { CompanyDto } from "./dto";
import { insertCompanyWithOwner } from "./insert";

export const INVITE_TTL_MS = 7 * 24 * 3600_000;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw validationError(zodErrors(r.error));
  return r.data;
}

/** Creates a company with the signed-in caller as its owner. */
export async function createCompany(caller: UserContext, rawName: string): Promise<CompanyDto> {
  return insertCompanyWithOwner(await getDb(), caller.userId, rawName, { ip: caller.ip, requestId: caller.requestId });
}

export async function listUserCompanies(userId: string): Promise<CompanyDto[]> {
  const db = await getDb();
  return db
    .select({ id: companies.id, slug: companies.slug, name: companies.name, role: memberships.role })
    .from(memberships)
    .innerJoin(companies, eq(companies.id, memberships.companyId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(companies.name));
}

export interface MemberDto {
  userId: string;
  email: string;
  name: string;
  role: Role;
  manageRegistries: boolean;
  joinedAt: string;
}

export async function listMembers(ctx: RequestContext): Promise<MemberDto[]> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  const rows = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, manageRegistries: memberships.manageRegistries, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.companyId, ctx.companyId))
    .orderBy(asc(users.email));
  return rows.map((r) => ({ ...r, joinedAt: r.joinedAt.toISOString() }));
}

/** Only an owner may make or unmake owners. */
function assertMayAssign(ctx: RequestContext, from: Role | null, to: Role | undefined) {
  if ((to === "owner" || from === "owner") && ctx.role !== "owner") {
    throw new AppError("forbidden", "Only an owner can grant or take away the owner role");
  }
}

/**
 * Serialises membership changes within a company. Without it two concurrent changes each lock
 * their target row and then wait on each other's row in assertOwnerRemains (a deadlock, a 500).
 * NO KEY UPDATE does not block inserts that merely reference the company.
 */
async function lockCompanyMemberships(tx: Db, companyId: string) {
  await tx.select({ id: companies.id }).from(companies).where(eq(companies.id, companyId)).for("no key update");
}

/** Locks the company's owner rows and throws if the change would leave it with none. */
async function assertOwnerRemains(tx: Db, companyId: string, leavingUserId: string) {
  const owners = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.companyId, companyId), eq(memberships.role, "owner")))
    .for("update");
  if (owners.every((o) => o.userId === leavingUserId)) {
    throw new AppError("conflict", "A company must keep at least one owner: make someone else an owner first");
  }
}

/**
 * Inside a member-changing transaction: queues behind other member changes of the company, checks
 * the caller's role as it is now (not as it was when the request began), and returns the target
 * membership, locked.
 */
async function lockedMember(tx: Db, ctx: RequestContext, memberUserId: string) {
  await lockCompanyMemberships(tx, ctx.companyId);
  const rows = await tx
    .select()
    .from(memberships)
    .where(and(eq(memberships.companyId, ctx.companyId), inArray(memberships.userId, [ctx.userId, memberUserId])))
    .for("update");
  const me = rows.find((r) => r.userId === ctx.userId);
  if (!me) throw notFound("Company"); // removed meanwhile: as for any non-member
  if (me.role !== "owner" && me.role !== "admin") throw new AppError("forbidden", "You do not have permission to do this");
  const current = rows.find((r) => r.userId === memberUserId);
  if (!current) throw notFound("Member");
  return { current, caller: { ...ctx, role: me.role } };
}

/**
 * Revokes the pending invites a member made in the company that their role no longer allows:
 * all of them once they are no longer an owner or admin (removed or demoted), those granting the
 * owner role once they are no longer an owner. Returns how many were revoked.
 */
async function revokeInvitesBeyondRole(tx: Db, ctx: RequestContext, creatorId: string, newRole: Role | null): Promise<number> {
  if (newRole === "owner") return 0;
  const onlyOwnerInvites = newRole === "admin";
  const revoked = await tx
    .update(invites)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(invites.companyId, ctx.companyId),
        eq(invites.createdBy, creatorId),
        isNull(invites.acceptedAt),
        isNull(invites.revokedAt),
        onlyOwnerInvites ? eq(invites.role, "owner") : undefined,
      ),
    )
    .returning({ id: invites.id });
  if (revoked.length > 0) {
    await recordAudit(tx, auditActor(ctx), {
      companyId: ctx.companyId,
      action: "member.invites_revoked",
      targetType: "user",
      targetId: creatorId,
      metadata: { inviteIds: revoked.map((r) => r.id), reason: newRole ? "demoted" : "removed" },
    });
  }
  return revoked.length;
}

export async function updateMember(ctx: RequestContext, memberUserId: string, input: unknown): Promise<MemberDto> {
  requirePermission(ctx, "company:admin");
  if (!isUuid(memberUserId)) throw notFound("Member");
  const patch = parse(updateMemberSchema, input);
  const db = await getDb();
  await db.transaction(async (tx) => {
    const { current, caller } = await lockedMember(tx as unknown as Db, ctx, memberUserId);
    assertMayAssign(caller, current.role, patch.role);
    if (current.role === "owner" && patch.role && patch.role !== "owner") await assertOwnerRemains(tx as unknown as Db, ctx.companyId, memberUserId);
    await tx
      .update(memberships)
      .set({ ...(patch.role ? { role: patch.role } : {}), ...(patch.manageRegistries !== undefined ? { manageRegistries: patch.manageRegistries } : {}) })
      .where(and(eq(memberships.companyId, ctx.companyId), eq(memberships.userId, memberUserId)));
    await recordAudit(tx as unknown as Db, auditActor(ctx), {
      companyId: ctx.companyId,
      action: "member.updated",
      targetType: "user",
      targetId: memberUserId,
      metadata: { from: { role: current.role, manageRegistries: current.manageRegistries }, changes: patch },
    });
    if (patch.role && patch.role !== current.role) await revokeInvitesBeyondRole(tx as unknown as Db, ctx, memberUserId, patch.role);
  });
  const member = (await listMembers(ctx)).find((m) => m.userId === memberUserId);
  if (!member) throw notFound("Member");
  return member;
}

/**
 * Removes a member: their tokens for the company are revoked, the invites they made are revoked,
 * and if this was their last company every session of theirs ends.
 */
export async function removeMember(ctx: RequestContext, memberUserId: string): Promise<void> {
  requirePermission(ctx, "company:admin");
  if (!isUuid(memberUserId)) throw notFound("Member");
  const db = await getDb();
  await db.transaction(async (tx) => {
    const { current, caller } = await lockedMember(tx as unknown as Db, ctx, memberUserId);
    assertMayAssign(caller, current.role, undefined);
    if (current.role === "owner") await assertOwnerRemains(tx as unknown as Db, ctx.companyId, memberUserId);
    await tx.delete(memberships).where(and(eq(memberships.companyId, ctx.companyId), eq(memberships.userId, memberUserId)));
    // Their tokens for this company stop working at once.
    await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.companyId, ctx.companyId), eq(apiTokens.userId, memberUserId), isNull(apiTokens.revokedAt)));
    await recordAudit(tx as unknown as Db, auditActor(ctx), { companyId: ctx.companyId, action: "member.removed", targetType: "user", targetId: memberUserId, metadata: { role: current.role } });
    await revokeInvitesBeyondRole(tx as unknown as Db, ctx, memberUserId, null);
    const [left] = await tx.select({ n: sql<number>`count(*)::int` }).from(memberships).where(eq(memberships.userId, memberUserId));
    if (Number(left?.n ?? 0) === 0) {
      const sessionsEnded = await endOtherSessions(tx as unknown as Db, memberUserId, null);
      await recordAudit(tx as unknown as Db, auditActor(ctx), { companyId: ctx.companyId, action: "user.sessions_ended", targetType: "user", targetId: memberUserId, metadata: { reason: "removed_from_every_company", sessionsEnded } });
    }
  });
}

function hashInvite(token: string) {
  return createHash("sha256").update(token).digest("hex");
}

export interface InviteDto {
  id: string;
  email: string;
  role: Role;
  manageRegistries: boolean;
  expiresAt: string;
  acceptedAt: string | null;
  createdAt: string;
}

/** Creates an invitation; the returned token is shown once (there is no mail server). */
export async function createInvite(ctx: RequestContext, input: unknown): Promise<{ invite: InviteDto; token: string }> {
  requirePermission(ctx, "company:admin");
  const data = parse(inviteSchema, input);
  assertMayAssign(ctx, null, data.role);
  const db = await getDb();
  const [existing] = await db
    .select({ userId: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.companyId, ctx.companyId), sql`lower(${users.email}) = ${data.email}`))
    .limit(1);
  if (existing) throw new AppError("conflict", `${data.email} is already a member`, { errors: [{ path: "email", message: "Already a member" }] });
  const token = randomBytes(24).toString("base64url");
  const [row] = await db
    .insert(invites)
    .values({ companyId: ctx.companyId, email: data.email, role: data.role, manageRegistries: data.manageRegistries, tokenHash: hashInvite(token), expiresAt: new Date(Date.now() + INVITE_TTL_MS), createdBy: ctx.userId })
    .returning();
  await recordAudit(db, auditActor(ctx), { companyId: ctx.companyId, action: "member.invited", targetType: "invite", targetId: row!.id, metadata: { email: data.email, role: data.role, manageRegistries: data.manageRegistries } });
  return { invite: inviteDto(row!), token };
}

function inviteDto(row: typeof invites.$inferSelect): InviteDto {
  return { id: row.id, email: row.email, role: row.role, manageRegistries: row.manageRegistries, expiresAt: row.expiresAt.toISOString(), acceptedAt: row.acceptedAt?.toISOString() ?? null, createdAt: row.createdAt.toISOString() };
}

export async function listPendingInvites(ctx: RequestContext): Promise<InviteDto[]> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  const rows = await db
    .select()
    .from(invites)
    .where(and(eq(invites.companyId, ctx.companyId), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, new Date())))
    .orderBy(asc(invites.createdAt));
  return rows.map(inviteDto);
}

export async function revokeInvite(ctx: RequestContext, inviteId: string): Promise<void> {
  requirePermission(ctx, "company:admin");
  if (!isUuid(inviteId)) throw notFound("Invite");
  const db = await getDb();
  const rows = await db
    .update(invites)
    .set({ revokedAt: new Date() })
    .where(and(eq(invites.id, inviteId), eq(invites.companyId, ctx.companyId), isNull(invites.acceptedAt)))
    .returning({ id: invites.id });
  if (rows.length === 0) throw notFound("Invite");
  await recordAudit(db, auditActor(ctx), { companyId: ctx.companyId, action: "member.invite_revoked", targetType: "invite", targetId: inviteId });
}

/** What an invite link offers, or null when it is unknown, used, revoked or expired. */
export async function peekInvite(token: string) {
  const db = await getDb();
  const [row] = await db
    .select({ i: invites, companyName: companies.name, companySlug: companies.slug })
    .from(invites)
    .innerJoin(companies, eq(companies.id, invites.companyId))
    .where(eq(invites.tokenHash, hashInvite(token)))
    .limit(1);
  if (!row || row.i.acceptedAt || row.i.revokedAt || row.i.expiresAt.getTime() <= Date.now()) return null;
  return { email: row.i.email, role: row.i.role, companyName: row.companyName, companySlug: row.companySlug };
}

/**
 * Accepts an invite for a signed-in user whose email matches. Single use: the row is claimed
 * with a conditional UPDATE, so two concurrent accepts cannot both succeed.
 */
export async function acceptInvite(caller: UserContext, token: string): Promise<{ companySlug: string }> {
  const user = { id: caller.userId, email: caller.email };
  const actor: AuditActor = { ip: caller.ip, requestId: caller.requestId };
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(invites)
      .set({ acceptedAt: new Date(), acceptedBy: user.id })
      .where(and(eq(invites.tokenHash, hashInvite(token)), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, new Date()), sql`lower(${invites.email}) = ${user.email.toLowerCase()}`))
      .returning();
    if (!claimed) throw new AppError("not_found", "This invitation is invalid, already used, expired, or for another email address");
    await tx
      .insert(memberships)
      .values({ companyId: claimed.companyId, userId: user.id, role: claimed.role, manageRegistries: claimed.manageRegistries })
      .onConflictDoNothing();
    const [company] = await tx.select({ slug: companies.slug }).from(companies).where(eq(companies.id, claimed.companyId));
    await recordAudit(tx as unknown as Db, { ...actor, userId: user.id }, { companyId: claimed.companyId, action: "member.joined", targetType: "user", targetId: user.id, metadata: { role: claimed.role, inviteId: claimed.id } });
    return { companySlug: company!.slug };
  });
}

/** A visitor without an account accepts an invite by creating one for the invited email. */
export async function registerWithInvite(visitor: AuditActor, token: string, input: { name?: string; password: string }): Promise<{ email: string; companySlug: string }> {
  const invite = await peekInvite(token);
  if (!invite) throw new AppError("not_found", "This invitation is invalid, already used or expired");
  const db = await getDb();
  const user = await insertUser(db, { email: invite.email, password: input.password, name: input.name });
  const { companySlug } = await acceptInvite({ userId: user.id, email: user.email, ip: visitor.ip ?? null, requestId: visitor.requestId ?? crypto.randomUUID() }, token);
  return { email: user.email, companySlug };
}
