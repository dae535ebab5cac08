import { eq } from "drizzle-orm";
import { afterAll, beforeAll } from "vitest";
import type { Db } from "@/db";
import { apiTokens, auditEvents, memberships, userTotp, type Role } from "@/db/schema";
import { issueApiToken } from "@/lib/api-tokens/service";
import { SCOPE_VALUES } from "@/lib/auth/schemas";
import { resolveContext, type RequestContext } from "@/lib/context";
import { resetEnvCache } from "@/lib/env";
import { apiRequest, seedCompany, sessionCookie } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";

/** The five kinds of caller of the permission table: viewer, member, member with manageRegistries, admin, owner. */
export const ROLE_CASES = ["viewer", "member", "memberMr", "admin", "owner"] as const;
export type RoleCase = (typeof ROLE_CASES)[number];

export const ALL_SCOPES = [...SCOPE_VALUES];

export interface SeededUser {
  id: string;
  email: string;
  cookie: string;
}

/** A company with one user of each kind, each with a session cookie. */
export async function seedTeam(db: Db, name?: string) {
  const seeded = await seedCompany(db, name);
  const withCookie = async (u: { id: string; email: string }): Promise<SeededUser> => ({ id: u.id, email: u.email, cookie: await sessionCookie(u.id) });
  const users: Record<RoleCase, SeededUser> = {
    owner: await withCookie(seeded.owner),
    admin: await withCookie(await seeded.addMember("admin")),
    member: await withCookie(await seeded.addMember("member")),
    memberMr: await withCookie(await seeded.addMember("member", true, "membermr")),
    viewer: await withCookie(await seeded.addMember("viewer")),
  };
  let extra = 0;
  /** Adds another member (a fresh email each time). */
  const addUser = async (role: Role, manageRegistries = false) => withCookie(await seeded.addMember(role, manageRegistries, `${role}x${extra++}`));
  return { ...seeded, users, addUser };
}
export type Team = Awaited<ReturnType<typeof seedTeam>>;

/**
 * Registers the file's beforeAll / afterAll: a fresh database the app uses (useTestDb) with one
 * seeded team, closed after the file's tests. Call it at the top of a test file; the fields are
 * filled in by the time the tests run: `const s = setUpSeededTeam();` then `s.t.db`, `s.team`.
 * (Not named use…: it is not a React hook.)
 */
export function setUpSeededTeam(): { t: TestDb; team: Team } {
  const s = {} as { t: TestDb; team: Team };
  beforeAll(async () => {
    s.t = await useTestDb();
    s.team = await seedTeam(s.t.db);
  });
  afterAll(async () => {
    await s.t?.close();
  });
  return s;
}

/** Issues an API token for a member directly (as the CLI does), whatever the member's role. */
export async function tokenFor(
  db: Db,
  companyId: string,
  userId: string,
  opts: { scopes?: string[]; cidrAllowlist?: string[]; expiresAt?: string | null; name?: string; registryIds?: string[] } = {},
): Promise<{ token: string; id: string }> {
  const { token, apiToken } = await issueApiToken(
    db,
    { companyId, userId },
    { name: opts.name ?? "test", scopes: opts.scopes ?? ALL_SCOPES, cidrAllowlist: opts.cidrAllowlist ?? [], expiresAt: opts.expiresAt ?? null, ...(opts.registryIds ? { registryIds: opts.registryIds } : {}) },
    { userId, requestId: "test" },
  );
  return { token, id: apiToken.id };
}

/** Marks a token expired a minute ago, or revoked now, in the database (the API refuses a past expiry). */
export async function spoilToken(db: Db, id: string, how: "expired" | "revoked"): Promise<void> {
  const at = new Date(Date.now() - 60_000);
  await db.update(apiTokens).set(how === "expired" ? { expiresAt: at } : { revokedAt: at }).where(eq(apiTokens.id, id));
}

/**
 * Gives a user confirmed two-factor without an authenticator round trip: enough for the policy
 * checks (a company that requires two-factor), not for signing in with a code.
 */
export async function enrolTwoFactor(db: Db, userId: string): Promise<void> {
  await db.insert(userTotp).values({ userId, secretBlob: "not-a-sealed-secret", keyId: "none", confirmedAt: new Date() });
}

/** The request context a route handler would resolve for these credentials. */
export function contextFor(companyRef: string, auth: { cookie?: string; token?: string; peer?: string }): Promise<RequestContext> {
  return resolveContext(apiRequest("GET", "/api/v1/me", auth).headers, companyRef, "test-request");
}

/** Runs `fn` with some environment variables set (undefined deletes), then restores them. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvCache();
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvCache();
  }
}

/** Puts back the variables `keys` as they were in `saved` (a copy of process.env), and re-reads the environment. */
export function restoreEnv(saved: NodeJS.ProcessEnv, keys: readonly string[]): void {
  for (const key of keys) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  resetEnvCache();
}

export async function tokenRow(db: Db, id: string) {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id));
  return row!;
}

export async function membershipsOf(db: Db, companyId: string) {
  return db.select().from(memberships).where(eq(memberships.companyId, companyId));
}

export async function auditRows(db: Db, companyId?: string) {
  const q = db.select().from(auditEvents);
  return companyId ? q.where(eq(auditEvents.companyId, companyId)) : q;
}

/** The body of a problem+json answer, after checking its status. */
export async function problemOf(res: Response, status: number): Promise<{ status: number; detail: string; errors?: { path: string; message: string }[] }> {
  const body = await res.json();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  return body;
}
