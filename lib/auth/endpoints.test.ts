import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listAudit } from "@/app/api/v1/companies/[companyId]/audit-events/route";
import { GET as listInvites, POST as createInvite } from "@/app/api/v1/companies/[companyId]/invites/route";
import { DELETE as deleteMember, PATCH as patchMember } from "@/app/api/v1/companies/[companyId]/members/[userId]/route";
import { GET as listMembers } from "@/app/api/v1/companies/[companyId]/members/route";
import { DELETE as revokeToken } from "@/app/api/v1/companies/[companyId]/tokens/[tokenId]/route";
import { GET as listTokens, POST as createToken } from "@/app/api/v1/companies/[companyId]/tokens/route";
import { GET as me } from "@/app/api/v1/me/route";
import { invites, memberships } from "@/db/schema";
import { requirePermission } from "@/lib/context";
import { apiRequest, call, cookieFor, sessionCookie } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { setPassword } from "@/lib/auth/users";
import { ROLE_CASES, contextFor, problemOf, seedTeam, tokenFor, tokenRow, type RoleCase, type Team } from "@/lib/testing/identity";

let t: TestDb;
let team: Team;
let other: Team;
beforeAll(async () => {
  t = await useTestDb();
  team = await seedTeam(t.db);
  other = await seedTeam(t.db);
});
afterAll(async () => {
  await t?.close();
});

type Auth = { cookie?: string; token?: string };
type Access = "admin" | "own-tokens" | "anyone";

interface Endpoint {
  name: string;
  access: Access;
  ok: number;
  /** Performs the request as `caller` against `companyRef`, returning a check of its side effect. */
  run: (caller: RoleCase, auth: Auth, companyRef: string, target: Team) => Promise<{ res: Response; effect: (allowed: boolean) => Promise<void> }>;
}

const none = async () => {};
let inviteSeq = 0;

const ENDPOINTS: Endpoint[] = [
  {
    name: "GET tokens",
    access: "own-tokens",
    ok: 200,
    run: async (_c, auth, ref) => {
      const res = await call(listTokens, apiRequest("GET", `/api/v1/companies/${ref}/tokens`, auth), { companyId: ref });
      return { res, effect: none };
    },
  },
  {
    name: "POST tokens",
    access: "own-tokens",
    ok: 201,
    run: async (_c, auth, ref) => {
      const res = await call(createToken, apiRequest("POST", `/api/v1/companies/${ref}/tokens`, auth, { name: "perm", scopes: ["registries:read"] }), { companyId: ref });
      return {
        res,
        effect: async (allowed) => {
          if (allowed) expect((await res.clone().json()).token).toMatch(/^brt_/);
        },
      };
    },
  },
  {
    name: "DELETE tokens/{tokenId}",
    access: "own-tokens",
    ok: 204,
    run: async (caller, auth, ref, target) => {
      const victim = await tokenFor(t.db, target.company.id, target.users[caller].id, { name: "victim" });
      const res = await call(revokeToken, apiRequest("DELETE", `/api/v1/companies/${ref}/tokens/${victim.id}`, auth), { companyId: ref, tokenId: victim.id });
      return { res, effect: async (allowed) => expect((await tokenRow(t.db, victim.id)).revokedAt !== null).toBe(allowed) };
    },
  },
  {
    name: "GET audit-events",
    access: "admin",
    ok: 200,
    run: async (_c, auth, ref) => ({ res: await call(listAudit, apiRequest("GET", `/api/v1/companies/${ref}/audit-events`, auth), { companyId: ref }), effect: none }),
  },
  {
    name: "GET members",
    access: "admin",
    ok: 200,
    run: async (_c, auth, ref) => {
      const res = await call(listMembers, apiRequest("GET", `/api/v1/companies/${ref}/members`, auth), { companyId: ref });
      return {
        res,
        effect: async (allowed) => {
          if (allowed) expect((await res.clone().json()).items.length).toBeGreaterThanOrEqual(5);
        },
      };
    },
  },
  {
    name: "PATCH members/{userId}",
    access: "admin",
    ok: 200,
    run: async (_c, auth, ref, target) => {
      const victim = await target.addUser("viewer");
      const res = await call(patchMember, apiRequest("PATCH", `/api/v1/companies/${ref}/members/${victim.id}`, auth, { role: "member" }), { companyId: ref, userId: victim.id });
      return {
        res,
        effect: async (allowed) => {
          const [m] = await t.db.select().from(memberships).where(and(eq(memberships.companyId, target.company.id), eq(memberships.userId, victim.id)));
          expect(m!.role).toBe(allowed ? "member" : "viewer");
        },
      };
    },
  },
  {
    name: "DELETE members/{userId}",
    access: "admin",
    ok: 204,
    run: async (_c, auth, ref, target) => {
      const victim = await target.addUser("viewer");
      const res = await call(deleteMember, apiRequest("DELETE", `/api/v1/companies/${ref}/members/${victim.id}`, auth), { companyId: ref, userId: victim.id });
      return {
        res,
        effect: async (allowed) => {
          const rows = await t.db.select().from(memberships).where(and(eq(memberships.companyId, target.company.id), eq(memberships.userId, victim.id)));
          expect(rows.length).toBe(allowed ? 0 : 1);
        },
      };
    },
  },
  {
    name: "GET invites",
    access: "admin",
    ok: 200,
    run: async (_c, auth, ref) => ({ res: await call(listInvites, apiRequest("GET", `/api/v1/companies/${ref}/invites`, auth), { companyId: ref }), effect: none }),
  },
  {
    name: "POST invites",
    access: "admin",
    ok: 201,
    run: async (_c, auth, ref, target) => {
      const email = `perm-invite-${inviteSeq++}@example.test`;
      const res = await call(createInvite, apiRequest("POST", `/api/v1/companies/${ref}/invites`, auth, { email, role: "viewer" }), { companyId: ref });
      return {
        res,
        effect: async (allowed) => {
          const rows = await t.db.select().from(invites).where(and(eq(invites.companyId, target.company.id), eq(invites.email, email)));
          expect(rows.length).toBe(allowed ? 1 : 0);
        },
      };
    },
  },
  {
    name: "GET /me",
    access: "anyone",
    ok: 200,
    run: async (_c, auth) => ({ res: await me(apiRequest("GET", "/api/v1/me", auth)), effect: none }),
  },
];

function sessionAllowed(access: Access, caller: RoleCase): boolean {
  if (access === "anyone") return true;
  if (access === "own-tokens") return caller !== "viewer";
  return caller === "admin" || caller === "owner";
}

const grid = ENDPOINTS.flatMap((endpoint) => ROLE_CASES.map((caller) => ({ endpoint, caller, name: endpoint.name })));

describe("endpoints by session, for each role", () => {
  it.each(grid)("$name as $caller", async ({ endpoint, caller }) => {
    const allowed = sessionAllowed(endpoint.access, caller);
    const { res, effect } = await endpoint.run(caller, { cookie: team.users[caller].cookie }, team.company.id, team);
    if (allowed) expect(res.status, await res.clone().text()).toBe(endpoint.ok);
    else await problemOf(res, 403);
    await effect(allowed);
  });
});

describe("endpoints by API token (all scopes), for each role", () => {
  it.each(grid)("$name as $caller's token", async ({ endpoint, caller }) => {
    const { token } = await tokenFor(t.db, team.company.id, team.users[caller].id);
    const { res, effect } = await endpoint.run(caller, { token }, team.company.id, team);
    if (endpoint.access === "anyone") {
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.user.id).toBe(team.users[caller].id);
      expect(body.companies).toEqual([expect.objectContaining({ id: team.company.id, role: caller === "memberMr" ? "member" : caller })]);
      expect(body.token.scopes).toEqual(["registries:read", "registries:write", "registries:pull"]);
    } else {
      // Every company endpoint that exists now is "session only".
      const problem = await problemOf(res, 403);
      expect(problem.detail).toMatch(/scopes/);
    }
    await effect(false);
  });
});

describe("cross-company and malformed references", () => {
  const companyEndpoints = ENDPOINTS.filter((e) => e.access !== "anyone");

  it.each(companyEndpoints.flatMap((endpoint) => (["owner", "viewer"] as const).map((caller) => ({ endpoint, caller, name: endpoint.name }))))(
    "$name: $caller of one company naming another → 404 by session and by token",
    async ({ endpoint, caller }) => {
      const { token } = await tokenFor(t.db, team.company.id, team.users[caller].id);
      for (const auth of [{ cookie: team.users[caller].cookie }, { token }]) {
        const { res, effect } = await endpoint.run(caller, auth, other.company.id, other);
        await problemOf(res, 404);
        await effect(false);
        // and by the other company's slug
        const bySlug = await endpoint.run(caller, auth, other.company.slug, other);
        await problemOf(bySlug.res, 404);
      }
    },
  );

  it.each(["not-a-uuid!", "..", "00000000-0000-4000-8000-000000000000", "x".repeat(65), "%27%20or%201%3D1"])("company reference %j → 404 (session and token)", async (ref) => {
    const { token } = await tokenFor(t.db, team.company.id, team.users.owner.id);
    for (const auth of [{ cookie: team.users.owner.cookie }, { token }]) {
      const res = await call(listMembers, apiRequest("GET", `/api/v1/companies/x/members`, auth), { companyId: ref });
      await problemOf(res, 404);
    }
  });

  it("a slug works like the id (any case) for sessions", async () => {
    for (const ref of [team.company.slug, team.company.slug.toUpperCase()]) {
      const res = await call(listMembers, apiRequest("GET", `/api/v1/companies/${ref}/members`, { cookie: team.users.admin.cookie }), { companyId: ref });
      expect(res.status).toBe(200);
      const ids = (await res.json()).items.map((m: { userId: string }) => m.userId);
      expect(ids).toContain(team.users.viewer.id);
    }
  });

  it("a slug works like the id for tokens (resolveContext + requirePermission)", async () => {
    const { token } = await tokenFor(t.db, team.company.id, team.users.member.id, { scopes: ["registries:read"] });
    const byId = await contextFor(team.company.id, { token });
    const bySlug = await contextFor(team.company.slug, { token });
    expect(bySlug).toMatchObject({ companyId: byId.companyId, role: "member", via: "token", scopes: ["registries:read"] });
    expect(() => requirePermission(bySlug, "registries:list")).not.toThrow();
    expect(() => requirePermission(bySlug, "registries:test")).not.toThrow();
    expect(() => requirePermission(bySlug, "registries:validate")).toThrow(/permission/);
    await expect(contextFor(other.company.slug, { token })).rejects.toMatchObject({ status: 404 });
    await expect(contextFor(other.company.id, { token })).rejects.toMatchObject({ status: 404 });
  });

  it("an unknown, malformed or someone else's token id → 404 on DELETE tokens/{tokenId}", async () => {
    const cookie = team.users.member.cookie;
    const someoneElses = await tokenFor(t.db, team.company.id, team.users.admin.id);
    const otherCompanys = await tokenFor(t.db, other.company.id, other.users.member.id);
    for (const tokenId of ["00000000-0000-4000-8000-000000000000", "not-a-token-id", someoneElses.id, otherCompanys.id]) {
      const res = await call(revokeToken, apiRequest("DELETE", `/api/v1/companies/${team.company.id}/tokens/${tokenId}`, { cookie }), { companyId: team.company.id, tokenId });
      await problemOf(res, 404);
    }
    expect((await tokenRow(t.db, someoneElses.id)).revokedAt).toBeNull();
    expect((await tokenRow(t.db, otherCompanys.id)).revokedAt).toBeNull();
  });

  it("an unknown or malformed member id → 404; a member of another company → 404", async () => {
    const cookie = team.users.owner.cookie;
    for (const userId of ["00000000-0000-4000-8000-000000000000", "nope", other.users.viewer.id]) {
      const patch = await call(patchMember, apiRequest("PATCH", `/api/v1/companies/${team.company.id}/members/${userId}`, { cookie }, { role: "admin" }), { companyId: team.company.id, userId });
      await problemOf(patch, 404);
      const del = await call(deleteMember, apiRequest("DELETE", `/api/v1/companies/${team.company.id}/members/${userId}`, { cookie }), { companyId: team.company.id, userId });
      await problemOf(del, 404);
    }
    const [m] = await t.db.select().from(memberships).where(and(eq(memberships.companyId, other.company.id), eq(memberships.userId, other.users.viewer.id)));
    expect(m!.role).toBe("viewer");
  });
});

describe("session requests", () => {
  it("a state-changing request with a cookie but no same-site Origin is refused (CSRF)", async () => {
    for (const origin of [null, "https://evil.example"]) {
      const res = await call(createToken, apiRequest("POST", `/api/v1/companies/${team.company.id}/tokens`, { cookie: team.users.owner.cookie, origin }, { name: "x", scopes: ["registries:read"] }), {
        companyId: team.company.id,
      });
      await problemOf(res, 403);
    }
  });

  it("no credentials → 401 with WWW-Authenticate on a company endpoint", async () => {
    const res = await call(listMembers, apiRequest("GET", `/api/v1/companies/${team.company.id}/members`, {}), { companyId: team.company.id });
    await problemOf(res, 401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("a password reset signs the user out everywhere: the old session cookie → 401", async () => {
    const u = await team.addUser("member");
    expect((await me(apiRequest("GET", "/api/v1/me", { cookie: u.cookie }))).status).toBe(200);
    await setPassword(t.db, u.id, "a-brand-new-password");
    await problemOf(await me(apiRequest("GET", "/api/v1/me", { cookie: u.cookie })), 401);
    const res = await call(listTokens, apiRequest("GET", `/api/v1/companies/${team.company.id}/tokens`, { cookie: u.cookie }), { companyId: team.company.id });
    await problemOf(res, 401);
    expect((await me(apiRequest("GET", "/api/v1/me", { cookie: await sessionCookie(u.id) }))).status).toBe(200);
  });

  it("a forged or foreign session cookie → 401", async () => {
    const forged = `authjs.session-token=${"x".repeat(40)}`;
    await problemOf(await me(apiRequest("GET", "/api/v1/me", { cookie: forged })), 401);
    await problemOf(await me(apiRequest("GET", "/api/v1/me", { cookie: await cookieFor("00000000-0000-4000-8000-000000000000", crypto.randomUUID()) })), 401);
  });

  it("GET /me by session lists every company of the user, with the role in each", async () => {
    const res = await me(apiRequest("GET", "/api/v1/me", { cookie: team.users.owner.cookie }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ user: { id: team.users.owner.id, email: team.users.owner.email }, token: null });
    expect(body.companies).toEqual([{ id: team.company.id, slug: team.company.slug, name: team.company.name, role: "owner" }]);
  });
});
