import "server-only";
import { and, asc, eq, gt, isNull, notExists, or, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { getDb, type Db } from "@/db";
import { apiTokens, companies, memberships, users, userTotp, type Role } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { hasTwoFactor } from "@/lib/auth/second-factor";
import { auditActor, requirePermission, type RequestContext } from "@/lib/context";
import { AppError } from "@/lib/errors";

/*
 * The company policy "require two-factor". The request context enforces it for sessions (see
 * resolveContext); API tokens made before keep working, so this page lists the tokens of members
 * without two-factor and can revoke them all.
 */

export interface TwoFactorPolicyDto {
  required: boolean;
  membersWithout: { userId: string; email: string; role: Role }[];
  /** Active (unrevoked, unexpired) tokens whose user has no two-factor. */
  tokensWithout: { id: string; name: string; prefix: string; userEmail: string; createdAt: string; lastUsedAt: string | null }[];
}

const noTwoFactor = (userId: AnyPgColumn) =>
  notExists(sql`(select 1 from ${userTotp} where ${userTotp.userId} = ${userId} and ${userTotp.confirmedAt} is not null)`);

const activeToken = () => and(isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)));

export async function getTwoFactorPolicy(ctx: RequestContext): Promise<TwoFactorPolicyDto> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  const [company] = await db.select({ required: companies.requireTwoFactor }).from(companies).where(eq(companies.id, ctx.companyId));
  const membersWithout = await db
    .select({ userId: users.id, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.companyId, ctx.companyId), noTwoFactor(memberships.userId)))
    .orderBy(asc(users.email));
  const tokens = await db
    .select({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, userEmail: users.email, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.companyId, ctx.companyId), activeToken(), noTwoFactor(apiTokens.userId)))
    .orderBy(asc(users.email), asc(apiTokens.createdAt));
  return {
    required: !!company?.required,
    membersWithout,
    tokensWithout: tokens.map((t) => ({ ...t, createdAt: t.createdAt.toISOString(), lastUsedAt: t.lastUsedAt?.toISOString() ?? null })),
  };
}

/**
 * Turns the policy on or off (owners and admins). Turning it on needs two-factor on the caller's
 * own account first, or the caller would lock themselves out of the company at once.
 */
export async function setTwoFactorPolicy(ctx: RequestContext, required: boolean): Promise<void> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  if (required && !(await hasTwoFactor(db, ctx.userId))) {
    throw new AppError("conflict", "Turn on two-factor authentication for your own account (on /account) before requiring it of everyone.");
  }
  const [before] = await db.select({ required: companies.requireTwoFactor }).from(companies).where(eq(companies.id, ctx.companyId));
  if (before?.required === required) return;
  await db.update(companies).set({ requireTwoFactor: required }).where(eq(companies.id, ctx.companyId));
  await recordAudit(db, auditActor(ctx), { companyId: ctx.companyId, action: "company.two_factor_policy_changed", targetType: "company", targetId: ctx.companyId, metadata: { required } });
}

/** Revokes every active token of this company whose user has no two-factor; returns how many. */
export async function revokeTokensOfMembersWithoutTwoFactor(ctx: RequestContext): Promise<{ revoked: number }> {
  requirePermission(ctx, "company:admin");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.companyId, ctx.companyId), activeToken(), noTwoFactor(apiTokens.userId)))
      .returning({ id: apiTokens.id, name: apiTokens.name, userId: apiTokens.userId });
    for (const r of rows) {
      await recordAudit(tx as unknown as Db, auditActor(ctx), {
        companyId: ctx.companyId,
        action: "token.revoked",
        targetType: "api_token",
        targetId: r.id,
        metadata: { name: r.name, userId: r.userId, reason: "two_factor_policy" },
      });
    }
    await recordAudit(tx as unknown as Db, auditActor(ctx), { companyId: ctx.companyId, action: "company.tokens_without_two_factor_revoked", targetType: "company", targetId: ctx.companyId, metadata: { count: rows.length } });
    return { revoked: rows.length };
  });
}

/**
 * For the page a blocked member lands on: the company (by slug) if the user is a member, and
 * whether it requires two-factor.
 */
export async function companyTwoFactorGate(userId: string, slug: string): Promise<{ name: string; slug: string; required: boolean } | null> {
  if (!/^[a-z0-9-]{1,64}$/i.test(slug)) return null;
  const db = await getDb();
  const [row] = await db
    .select({ name: companies.name, slug: companies.slug, required: companies.requireTwoFactor })
    .from(memberships)
    .innerJoin(companies, eq(companies.id, memberships.companyId))
    .where(and(eq(memberships.userId, userId), eq(companies.slug, slug.toLowerCase())))
    .limit(1);
  return row ?? null;
}

/** The names of the user's companies that require two-factor (for the notice on /account). */
export async function companiesRequiringTwoFactor(userId: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ name: companies.name })
    .from(memberships)
    .innerJoin(companies, eq(companies.id, memberships.companyId))
    .where(and(eq(memberships.userId, userId), eq(companies.requireTwoFactor, true)))
    .orderBy(asc(companies.name));
  return rows.map((r) => r.name);
}
