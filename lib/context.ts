import "server-only";
import { and, eq, gt, isNotNull, isNull, or, sql } from "drizzle-orm";
import { getDb, preparedPerDb, type Db } from "@/db";
import { apiTokens, companies, memberships, sessions, users, userTotp, type Role } from "@/db/schema";
import { addressInCidrs } from "@/lib/cidr";
import { clientAddress } from "@/lib/client-address";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { decide, allowsOn, type Operation } from "@/lib/auth/permissions";
import { noteSessionSeen, sessionClaims, sessionUserFromHeaders } from "@/lib/auth/session";
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
  /**
   * A token limited to some registries: their ids (it sees, resolves and fetches only those).
   * Undefined for a session and for a token of every registry of the company.
   */
  registryIds?: string[];
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
const COMPANY_REF = /^[a-z0-9-]{1,64}$/i;

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

const membershipColumns = {
  companyId: companies.id,
  slug: companies.slug,
  name: companies.name,
  role: memberships.role,
  manageRegistries: memberships.manageRegistries,
  requireTwoFactor: companies.requireTwoFactor,
};

/**
 * One round trip for a token request: the token, its user, and that user's current membership of
 * the token's company (null when the user has left it). Prepared once per database client.
 */
const tokenStatement = preparedPerDb((db) =>
  db
    .select({
      id: apiTokens.id,
      userId: apiTokens.userId,
      companyId: apiTokens.companyId,
      scopes: apiTokens.scopes,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      cidrAllowlist: apiTokens.cidrAllowlist,
      registryIds: apiTokens.registryIds,
      lastUsedAt: apiTokens.lastUsedAt,
      email: users.email,
      m: membershipColumns,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .leftJoin(memberships, and(eq(memberships.userId, apiTokens.userId), eq(memberships.companyId, apiTokens.companyId)))
    .leftJoin(companies, eq(companies.id, memberships.companyId))
    .where(eq(apiTokens.tokenHash, sql.placeholder("hash")))
    .limit(1)
    .prepare("berth_token_context"),
);

/**
 * One round trip for a session request: the cookie's session (live on the server: not signed out,
 * not revoked, not expired), its user and whether they have two-factor, and the membership of the
 * company named by id or slug.
 */
function sessionStatementFor(byId: boolean) {
  return (db: Db) =>
    db
      .select({ id: users.id, email: users.email, lastSeenAt: sessions.lastSeenAt, totpConfirmedAt: userTotp.confirmedAt, m: membershipColumns })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .leftJoin(userTotp, and(eq(userTotp.userId, users.id), isNotNull(userTotp.confirmedAt)))
      .leftJoin(companies, byId ? eq(companies.id, sql.placeholder("ref")) : eq(companies.slug, sql.placeholder("ref")))
      .leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.companyId, companies.id)))
      .where(and(eq(sessions.id, sql.placeholder("sid")), eq(sessions.userId, sql.placeholder("uid")), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
      .limit(1)
      .prepare(byId ? "berth_session_context_id" : "berth_session_context_slug");
}
const sessionById = preparedPerDb(sessionStatementFor(true));
const sessionBySlug = preparedPerDb(sessionStatementFor(false));

export type Caller =
  | { via: "session"; userId: string; email: string; twoFactor: boolean }
  | { via: "token"; userId: string; email: string; tokenId: string; companyId: string; scopes: string[]; registryIds?: string[] };

type Membership = { companyId: string; slug: string; name: string; role: Role; manageRegistries: boolean; requireTwoFactor: boolean };
const memberOrNull = (
  m: { companyId: string | null; slug: string | null; name: string | null; role: Role | null; manageRegistries: boolean | null; requireTwoFactor: boolean | null } | null,
): Membership | null =>
  m && m.companyId && m.role ? (m as Membership) : null;

/** Checks a bearer token; 401 for a malformed, unknown, revoked or expired token, 403 outside its allowlist. */
async function tokenCaller(authz: string, ip: string | null): Promise<{ caller: Caller & { via: "token" }; membership: Membership | null }> {
  const m = /^Bearer\s+(\S+)$/i.exec(authz.trim());
  if (!m || !looksLikeApiToken(m[1]!)) throw unauthenticated("The Authorization header must be Bearer brt_…");
  const db = await getDb();
  const [row] = await tokenStatement(db).execute({ hash: hashApiToken(m[1]!) });
  if (!row || row.revokedAt) throw unauthenticated("The API token is unknown or revoked");
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw unauthenticated("The API token has expired");
  if (row.cidrAllowlist.length > 0 && !(ip && addressInCidrs(ip, row.cidrAllowlist))) {
    throw new AppError("forbidden", "This API token may not be used from this address");
  }
  touchTokenSoon(db, row.id, row.lastUsedAt);
  return {
    caller: {
      via: "token",
      userId: row.userId,
      email: row.email,
      tokenId: row.id,
      companyId: row.companyId,
      scopes: row.scopes,
      // An empty list is stored as null; either means every registry of the company.
      ...(row.registryIds && row.registryIds.length > 0 ? { registryIds: row.registryIds } : {}),
    },
    membership: memberOrNull(row.m),
  };
}

/**
 * Authenticates a request: `Authorization: Bearer brt_…` or the session cookie. A bad, expired
 * or revoked token is 401; a token used from outside its CIDR allowlist is 403.
 */
export async function authenticate(headers: Headers, ip: string | null): Promise<Caller | null> {
  const authz = headers.get("authorization");
  if (authz) return (await tokenCaller(authz, ip)).caller;
  const user = await sessionUserFromHeaders(headers);
  return user ? { via: "session", userId: user.id, email: user.email, twoFactor: user.twoFactor } : null;
}

// ------------------------------------------------------------------ the token's last-used time

/** last_used_at is written at most once a minute per token. */
const TOUCH_EVERY_MS = 60_000;
const touching = new Map<string, Promise<void>>();

/**
 * Records the token's use off the request's critical path: the request does not wait for the
 * write, no write is sent while the value read with the token is under a minute old, and at most
 * one is in flight per token in this process. The WHERE clause keeps it once a minute across
 * instances too. A failed write is logged, never the request's error.
 */
function touchTokenSoon(db: Db, tokenId: string, lastUsedAt: Date | null): void {
  const now = Date.now();
  if (lastUsedAt && now - lastUsedAt.getTime() < TOUCH_EVERY_MS) return;
  if (touching.has(tokenId)) return;
  const write = db
    .update(apiTokens)
    .set({ lastUsedAt: new Date(now) })
    .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), sql`${apiTokens.lastUsedAt} < now() - interval '1 minute'`)))
    .then(
      () => undefined,
      (err: unknown) => {
        log.warn({ err, tokenId }, "could not record the API token's last use");
      },
    )
    .finally(() => touching.delete(tokenId));
  touching.set(tokenId, write);
}

/** Waits for the last-used writes in flight (tests, and a graceful stop). */
export async function settleTokenTouches(): Promise<void> {
  await Promise.all([...touching.values()]);
}

// ------------------------------------------------------------------ context

/** The full context for a company-scoped request, or 401 / 404. */
export async function resolveContext(headers: Headers, companyRef: string, requestId: string): Promise<RequestContext> {
  const ip = clientAddress(headers, env().BERTH_TRUSTED_PROXIES);
  const validRef = isUuid(companyRef) || COMPANY_REF.test(companyRef);
  let caller: Caller;
  let m: Membership | null;
  const authz = headers.get("authorization");
  if (authz) {
    // A token belongs to one company and acts with its user's current role there.
    const t = await tokenCaller(authz, ip);
    caller = t.caller;
    if (!validRef) throw notFound("Company");
    m = t.membership;
    if (!m) throw unauthenticated("The API token's user is no longer a member of its company");
    if (companyRef !== m.companyId && companyRef.toLowerCase() !== m.slug) throw notFound("Company");
  } else {
    const claims = await sessionClaims(headers);
    if (!claims) throw unauthenticated();
    if (!validRef) {
      // Still 401 (not 404) for a session whose user is gone.
      if (!(await sessionUserFromHeaders(headers))) throw unauthenticated();
      throw notFound("Company");
    }
    const db = await getDb();
    const byId = isUuid(companyRef);
    const [row] = await (byId ? sessionById(db) : sessionBySlug(db)).execute({ uid: claims.uid, sid: claims.sid, ref: byId ? companyRef : companyRef.toLowerCase() });
    if (!row) throw unauthenticated();
    noteSessionSeen(db, claims.sid, row.lastSeenAt);
    caller = { via: "session", userId: row.id, email: row.email, twoFactor: !!row.totpConfirmedAt };
    m = memberOrNull(row.m);
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
    ...(caller.via === "token" ? { tokenId: caller.tokenId, scopes: caller.scopes, ...(caller.registryIds ? { registryIds: caller.registryIds } : {}) } : {}),
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
