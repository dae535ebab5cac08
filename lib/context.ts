import "server-only";
import { and, eq, isNull, or, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { apiTokens, companies, memberships, users, type Role } from "@/db/schema";
import { addressInCidrs } from "@/lib/cidr";
import { clientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { decide, allowsOn, type Operation } from "@/lib/auth/permissions";
import { sessionUserFromHeaders } from "@/lib/auth/session";
import { hashApiToken, looksLikeApiToken } from "@/lib/auth/tokens";

/** Who is calling, for which company, with which rights: the same for pages, actions and the API. */
export interface RequestContext {
  userId: string;
  email: string;
  companyId: string;
  companySlug: string;
  companyName: string;
  role: Role;
  manageRegistries: boolean;
  via: "session" | "token";
  tokenId?: string;
  scopes?: string[];
  ip: string | null;
  requestId: string;
}

/** A signed-in user before any company is chosen (creating a company, accepting an invite). */
export interface UserContext {
  userId: string;
  email: string;
  ip: string | null;
  requestId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string) => UUID.test(v);

export function unauthenticated(detail = "Sign in, or send an API token as Authorization: Bearer brt_…"): AppError {
  return new AppError("unauthenticated", detail, { headers: { "WWW-Authenticate": 'Bearer realm="berth"' } });
}

/** A company requires two-factor and the signed-in caller has none: only enrolment (on /account) is open. */
export function twoFactorRequired(company: { companyId: string; slug: string; name: string }): AppError {
  return new AppError("two_factor_required", `${company.name} requires two-factor authentication. Turn it on for your account at /account, then try again.`, {
    extra: { companyId: company.companyId, companySlug: company.slug, enrolUrl: "/account" },
  });
}

export function notFound(what = "Resource"): AppError {
  return new AppError("not_found", `${what} not found`);
}

/** The caller's membership of a company named by id or slug; another company is "not found". */
async function membership(db: Db, userId: string, companyRef: string) {
  const byRef = isUuid(companyRef) ? eq(companies.id, companyRef) : eq(companies.slug, companyRef.toLowerCase());
  const [row] = await db
    .select({
      companyId: companies.id,
      slug: companies.slug,
      name: companies.name,
      role: memberships.role,
      manageRegistries: memberships.manageRegistries,
      requireTwoFactor: companies.requireTwoFactor,
    })
    .from(memberships)
    .innerJoin(companies, eq(companies.id, memberships.companyId))
    .where(and(eq(memberships.userId, userId), byRef))
    .limit(1);
  return row ?? null;
}

export type Caller =
  | { via: "session"; userId: string; email: string; twoFactor: boolean }
  | { via: "token"; userId: string; email: string; tokenId: string; companyId: string; scopes: string[] };

/**
 * Authenticates a request: `Authorization: Bearer brt_…` or the session cookie. A bad, expired
 * or revoked token is 401; a token used from outside its CIDR allowlist is 403.
 */
export async function authenticate(headers: Headers, ip: string | null): Promise<Caller | null> {
  const authz = headers.get("authorization");
  if (authz) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz.trim());
    if (!m || !looksLikeApiToken(m[1]!)) throw unauthenticated("The Authorization header must be Bearer brt_…");
    const db = await getDb();
    const [row] = await db
      .select({ t: apiTokens, email: users.email })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(eq(apiTokens.tokenHash, hashApiToken(m[1]!)))
      .limit(1);
    if (!row || row.t.revokedAt) throw unauthenticated("The API token is unknown or revoked");
    if (row.t.expiresAt && row.t.expiresAt.getTime() <= Date.now()) throw unauthenticated("The API token has expired");
    if (row.t.cidrAllowlist.length > 0 && !(ip && addressInCidrs(ip, row.t.cidrAllowlist))) {
      throw new AppError("forbidden", "This API token may not be used from this address");
    }
    await touchToken(db, row.t.id);
    return { via: "token", userId: row.t.userId, email: row.email, tokenId: row.t.id, companyId: row.t.companyId, scopes: row.t.scopes };
  }
  const user = await sessionUserFromHeaders(headers);
  return user ? { via: "session", userId: user.id, email: user.email, twoFactor: user.twoFactor } : null;
}

/** last_used_at is written at most once a minute per token. */
async function touchToken(db: Db, tokenId: string): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: new Date() })
    .where(
      and(
        eq(apiTokens.id, tokenId),
        or(isNull(apiTokens.lastUsedAt), sql`${apiTokens.lastUsedAt} < now() - interval '1 minute'`),
      ),
    );
}

/** The full context for a company-scoped request, or 401 / 404. */
export async function resolveContext(headers: Headers, companyRef: string, requestId: string): Promise<RequestContext> {
  const ip = clientAddress(headers, env().BERTH_TRUSTED_PROXIES);
  const caller = await authenticate(headers, ip);
  if (!caller) throw unauthenticated();
  if (!isUuid(companyRef) && !/^[a-z0-9-]{1,64}$/i.test(companyRef)) throw notFound("Company");
  const db = await getDb();
  let m;
  if (caller.via === "token") {
    // A token belongs to one company and acts with its user's current role there.
    m = await membership(db, caller.userId, caller.companyId);
    if (!m) throw unauthenticated("The API token's user is no longer a member of its company");
    if (companyRef !== m.companyId && companyRef.toLowerCase() !== m.slug) throw notFound("Company");
  } else {
    m = await membership(db, caller.userId, companyRef);
    if (!m) throw notFound("Company");
    // API tokens keep working under the policy (until revoked); sessions need two-factor.
    if (m.requireTwoFactor && !caller.twoFactor) throw twoFactorRequired(m);
  }
  return {
    userId: caller.userId,
    email: caller.email,
    companyId: m.companyId,
    companySlug: m.slug,
    companyName: m.name,
    role: m.role,
    manageRegistries: m.manageRegistries,
    via: caller.via,
    ...(caller.via === "token" ? { tokenId: caller.tokenId, scopes: caller.scopes } : {}),
    ip,
    requestId,
  };
}

export function principalOf(ctx: RequestContext) {
  return { role: ctx.role, manageRegistries: ctx.manageRegistries, via: ctx.via, scopes: ctx.scopes, userId: ctx.userId };
}

/** Throws 403 unless the context may perform the operation (for `own-only`, pass the creator). */
export function requirePermission(ctx: RequestContext, op: Operation, resourceCreatedBy?: string | null): void {
  const p = principalOf(ctx);
  const ok = resourceCreatedBy === undefined ? decide(p, op) === "allow" || decide(p, op) === "own-only" : allowsOn(p, op, resourceCreatedBy);
  if (!ok) {
    const scopeHint = ctx.via === "token" ? " (check the token's scopes and your role)" : "";
    throw new AppError("forbidden", `You do not have permission to do this${scopeHint}`);
  }
}

export function can(ctx: RequestContext, op: Operation, resourceCreatedBy?: string | null): boolean {
  try {
    requirePermission(ctx, op, resourceCreatedBy);
    return true;
  } catch {
    return false;
  }
}

export function auditActor(ctx: RequestContext) {
  return { userId: ctx.userId, tokenId: ctx.tokenId ?? null, ip: ctx.ip, requestId: ctx.requestId };
}
