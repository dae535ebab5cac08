import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DELETE as deleteMember, PATCH as patchMember } from "@/app/api/v1/companies/[companyId]/members/[userId]/route";
import { DELETE as revokeToken } from "@/app/api/v1/companies/[companyId]/tokens/[tokenId]/route";
import { GET as listTokens, POST as createToken } from "@/app/api/v1/companies/[companyId]/tokens/route";
import { GET as me } from "@/app/api/v1/me/route";
import { apiTokens, memberships } from "@/db/schema";
import { hashApiToken } from "@/lib/auth/tokens";
import { requirePermission, settleTokenTouches } from "@/lib/context";
import { apiRequest, call } from "@/lib/testing/auth";
import { contextFor, problemOf, setUpSeededTeam, tokenFor, tokenRow, withEnv } from "@/lib/testing/identity";

const s = setUpSeededTeam();

const meAs = (token: string, peer?: string, headers?: Record<string, string>) => me(apiRequest("GET", "/api/v1/me", { token, peer }, undefined, headers));

async function expect401(res: Response) {
  await problemOf(res, 401);
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer\b/);
}

/** Creates a token through the API as a session user, returning the answer. */
async function createViaApi(body: unknown, who = s.team.users.member) {
  return call(createToken, apiRequest("POST", `/api/v1/companies/${s.team.company.id}/tokens`, { cookie: who.cookie }, body), { companyId: s.team.company.id });
}

describe("creating and listing tokens", () => {
  it("the token is shown once: in the POST answer, stored only as its hash", async () => {
    const res = await createViaApi({ name: "ci", scopes: ["registries:read", "registries:read", "registries:pull"] });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    expect(body.token).toMatch(/^brt_[A-Za-z0-9_-]{43}$/);
    expect(res.headers.get("location")).toBe(`/api/v1/companies/${s.team.company.id}/tokens/${body.id}`);
    expect(body.scopes).toEqual(["registries:read", "registries:pull"]);
    const row = await tokenRow(s.t.db, body.id);
    expect(row.tokenHash).toBe(hashApiToken(body.token));
    expect(JSON.stringify(row)).not.toContain(body.token);
    expect(row.prefix).toBe(body.token.slice(0, 12));

    const list = await call(listTokens, apiRequest("GET", `/api/v1/companies/${s.team.company.id}/tokens`, { cookie: s.team.users.member.cookie }), { companyId: s.team.company.id });
    const text = await list.text();
    expect(text).not.toContain(body.token);
    expect(JSON.parse(text).items.map((i: { id: string }) => i.id)).toContain(body.id);
  });

  it("lists only the caller's own tokens", async () => {
    const mine = await tokenFor(s.t.db, s.team.company.id, s.team.users.memberMr.id);
    const theirs = await tokenFor(s.t.db, s.team.company.id, s.team.users.admin.id);
    const res = await call(listTokens, apiRequest("GET", `/api/v1/companies/${s.team.company.id}/tokens`, { cookie: s.team.users.memberMr.cookie }), { companyId: s.team.company.id });
    const ids = (await res.json()).items.map((i: { id: string }) => i.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
  });

  it.each([
    { why: "no scopes", body: { name: "x", scopes: [] }, path: "scopes" },
    { why: "an unknown scope", body: { name: "x", scopes: ["registries:admin"] }, path: "scopes.0" },
    { why: "no name", body: { scopes: ["registries:read"] }, path: "name" },
    { why: "an expiry in the past", body: { name: "x", scopes: ["registries:read"], expiresAt: "2000-01-01T00:00:00Z" }, path: "expiresAt" },
    { why: "a bad CIDR", body: { name: "x", scopes: ["registries:read"], cidrAllowlist: ["10.0.0.0/8", "bogus"] }, path: "cidrAllowlist.1" },
    {
      why: "26 allowlist entries",
      body: { name: "x", scopes: ["registries:read"], cidrAllowlist: Array.from({ length: 26 }, (_, i) => `10.0.${i}.0/24`) },
      path: "cidrAllowlist",
    },
    { why: "an unknown field", body: { name: "x", scopes: ["registries:read"], admin: true }, path: "" },
  ])("400 with the field's path for $why", async ({ body, path }) => {
    const before = await s.t.db.select({ n: sql<number>`count(*)::int` }).from(apiTokens);
    const problem = await problemOf(await createViaApi(body), 400);
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    const after = await s.t.db.select({ n: sql<number>`count(*)::int` }).from(apiTokens);
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it("25 allowlist entries are accepted, normalised (bare addresses, IPv6)", async () => {
    const list = [...Array.from({ length: 23 }, (_, i) => `10.0.${i}.0/24`), "203.0.113.9", "2001:DB8::/32"];
    const res = await createViaApi({ name: "many", scopes: ["registries:read"], cidrAllowlist: list });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.cidrAllowlist).toHaveLength(25);
    expect(body.cidrAllowlist.slice(-2)).toEqual(["203.0.113.9/32", "2001:db8::/32"]);
  });
});

describe("bearer authentication", () => {
  it.each([
    ["Bearer brt_" + "A".repeat(43), "an unknown token of the right shape"],
    ["Bearer nope", "a malformed token"],
    ["Bearer brt_short", "a too-short token"],
    ["Basic dXNlcjpwYXNz", "another scheme"],
    ["Bearer", "an empty bearer"],
  ])("%j (%s) → 401 with WWW-Authenticate: Bearer", async (authorization) => {
    await expect401(await me(apiRequest("GET", "/api/v1/me", {}, undefined, { authorization })));
  });

  it("an expired token → 401; one that has not expired yet works", async () => {
    const { token, id } = await tokenFor(s.t.db, s.team.company.id, s.team.users.member.id, { expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect((await meAs(token)).status).toBe(200);
    await s.t.db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, id));
    const res = await meAs(token);
    await expect401(res);
    await expect(contextFor(s.team.company.id, { token })).rejects.toMatchObject({ status: 401 });
  });

  it("a revoked token → 401 (revocation through the API is idempotent)", async () => {
    const { token, id } = await tokenFor(s.t.db, s.team.company.id, s.team.users.member.id);
    expect((await meAs(token)).status).toBe(200);
    const path = `/api/v1/companies/${s.team.company.id}/tokens/${id}`;
    for (let i = 0; i < 2; i++) {
      const res = await call(revokeToken, apiRequest("DELETE", path, { cookie: s.team.users.member.cookie }), { companyId: s.team.company.id, tokenId: id });
      expect(res.status).toBe(204);
    }
    expect((await tokenRow(s.t.db, id)).revokedAt).not.toBeNull();
    await expect401(await meAs(token));
  });

  it("a token cannot revoke tokens (session only), not even itself", async () => {
    const { token, id } = await tokenFor(s.t.db, s.team.company.id, s.team.users.owner.id);
    const res = await call(revokeToken, apiRequest("DELETE", `/api/v1/companies/${s.team.company.id}/tokens/${id}`, { token }), { companyId: s.team.company.id, tokenId: id });
    await problemOf(res, 403);
    expect((await tokenRow(s.t.db, id)).revokedAt).toBeNull();
  });
});

describe("CIDR allowlist", () => {
  it.each([
    { allow: ["10.0.0.0/8"], inside: ["10.1.2.3", "::ffff:10.1.2.3"], outside: ["203.0.113.9", "11.0.0.1", "2001:db8::1"] },
    { allow: ["203.0.113.9"], inside: ["203.0.113.9"], outside: ["203.0.113.10"] },
    { allow: ["2001:db8::/32"], inside: ["2001:db8::1", "2001:db8:ffff::9"], outside: ["2001:db9::1", "10.0.0.1"] },
    { allow: ["2001:db8::7"], inside: ["2001:db8::7"], outside: ["2001:db8::8"] },
    { allow: ["192.0.2.0/24", "2001:db8::/32"], inside: ["192.0.2.200", "2001:db8::1"], outside: ["198.51.100.1"] },
  ])("allowlist $allow", async ({ allow, inside, outside }) => {
    const { token } = await tokenFor(s.t.db, s.team.company.id, s.team.users.member.id, { cidrAllowlist: allow, scopes: ["registries:read"] });
    for (const peer of inside) {
      expect((await meAs(token, peer)).status, peer).toBe(200);
      const ctx = await contextFor(s.team.company.id, { token, peer });
      expect(() => requirePermission(ctx, "registries:list")).not.toThrow();
    }
    for (const peer of outside) {
      const problem = await problemOf(await meAs(token, peer), 403);
      expect(problem.detail).toMatch(/address/);
      await expect(contextFor(s.team.company.id, { token, peer })).rejects.toMatchObject({ status: 403 });
    }
  });

  it("X-Forwarded-For is believed only from a trusted proxy (BERTH_TRUSTED_PROXIES)", async () => {
    const { token } = await tokenFor(s.t.db, s.team.company.id, s.team.users.member.id, { cidrAllowlist: ["203.0.113.0/24"] });
    const xff = { "x-forwarded-for": "203.0.113.9" };
    // Without trusted proxies, a client cannot claim an allowed address.
    await withEnv({ BERTH_TRUSTED_PROXIES: undefined }, async () => {
      await problemOf(await meAs(token, "10.0.0.5", xff), 403);
    });
    await withEnv({ BERTH_TRUSTED_PROXIES: "10.0.0.0/8" }, async () => {
      expect((await meAs(token, "10.0.0.5", xff)).status).toBe(200); // via the trusted proxy
      await problemOf(await meAs(token, "198.51.100.7", xff), 403); // an untrusted peer's header is ignored
      await problemOf(await meAs(token, "10.0.0.5", { "x-forwarded-for": "203.0.113.9, 198.51.100.7" }), 403); // right-most untrusted hop
    });
  });
});

describe("last-used time", () => {
  it("is written at most once a minute", async () => {
    const { token, id } = await tokenFor(s.t.db, s.team.company.id, s.team.users.member.id);
    expect((await tokenRow(s.t.db, id)).lastUsedAt).toBeNull();

    expect((await meAs(token)).status).toBe(200);
    await settleTokenTouches(); // the write is off the request's path
    const first = (await tokenRow(s.t.db, id)).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    expect(Math.abs(first!.getTime() - Date.now())).toBeLessThan(60_000);

    await new Promise((r) => setTimeout(r, 20));
    expect((await meAs(token)).status).toBe(200);
    await contextFor(s.team.company.id, { token });
    await settleTokenTouches();
    expect((await tokenRow(s.t.db, id)).lastUsedAt!.getTime()).toBe(first!.getTime()); // no second write

    // Over a minute later it is written again.
    const old = new Date(Date.now() - 61_000);
    await s.t.db.update(apiTokens).set({ lastUsedAt: old }).where(eq(apiTokens.id, id));
    expect((await meAs(token)).status).toBe(200);
    await settleTokenTouches();
    const third = (await tokenRow(s.t.db, id)).lastUsedAt!;
    expect(third.getTime()).toBeGreaterThan(old.getTime() + 60_000);
  });

  it("is not written for a refused token", async () => {
    const { token, id } = await tokenFor(s.t.db, s.team.company.id, s.team.users.member.id, { cidrAllowlist: ["10.0.0.0/8"] });
    await problemOf(await meAs(token, "203.0.113.9"), 403);
    await settleTokenTouches();
    expect((await tokenRow(s.t.db, id)).lastUsedAt).toBeNull();
  });
});

describe("tokens act with their user's current role", () => {
  it("a demoted admin's token loses rights at once", async () => {
    const admin = await s.team.addUser("admin");
    const { token } = await tokenFor(s.t.db, s.team.company.id, admin.id);
    const before = await contextFor(s.team.company.id, { token });
    expect(before.role).toBe("admin");
    expect(() => requirePermission(before, "registries:pull")).not.toThrow();
    expect(() => requirePermission(before, "registries:write")).not.toThrow();

    const res = await call(patchMember, apiRequest("PATCH", `/api/v1/companies/${s.team.company.id}/members/${admin.id}`, { cookie: s.team.users.owner.cookie }, { role: "viewer" }), {
      companyId: s.team.company.id,
      userId: admin.id,
    });
    expect(res.status).toBe(200);

    const after = await contextFor(s.team.company.id, { token });
    expect(after.role).toBe("viewer");
    expect(() => requirePermission(after, "registries:pull")).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => requirePermission(after, "registries:write")).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => requirePermission(after, "registries:list")).not.toThrow();
    const who = await (await meAs(token)).json();
    expect(who.companies).toEqual([expect.objectContaining({ id: s.team.company.id, role: "viewer" })]);
  });

  it("a member who loses manageRegistries loses write at once", async () => {
    const m = await s.team.addUser("member", true);
    const { token } = await tokenFor(s.t.db, s.team.company.id, m.id, { scopes: ["registries:write"] });
    requirePermission(await contextFor(s.team.company.id, { token }), "registries:write");
    await s.t.db.update(memberships).set({ manageRegistries: false }).where(eq(memberships.userId, m.id));
    const ctx = await contextFor(s.team.company.id, { token });
    expect(() => requirePermission(ctx, "registries:write")).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => requirePermission(ctx, "registries:validate")).not.toThrow();
  });

  it("a removed member's tokens are refused (401)", async () => {
    const m = await s.team.addUser("admin");
    const a = await tokenFor(s.t.db, s.team.company.id, m.id);
    const b = await tokenFor(s.t.db, s.team.company.id, m.id, { scopes: ["registries:read"] });
    expect((await meAs(a.token)).status).toBe(200);
    const res = await call(deleteMember, apiRequest("DELETE", `/api/v1/companies/${s.team.company.id}/members/${m.id}`, { cookie: s.team.users.admin.cookie }), {
      companyId: s.team.company.id,
      userId: m.id,
    });
    expect(res.status).toBe(204);
    for (const { token, id } of [a, b]) {
      await expect401(await meAs(token));
      await expect(contextFor(s.team.company.id, { token })).rejects.toMatchObject({ status: 401 });
      expect((await tokenRow(s.t.db, id)).revokedAt).not.toBeNull();
    }
  });

  it("a token whose user's membership vanished another way is refused on company requests (401)", async () => {
    const m = await s.team.addUser("member");
    const { token } = await tokenFor(s.t.db, s.team.company.id, m.id);
    await s.t.db.delete(memberships).where(eq(memberships.userId, m.id));
    await expect(contextFor(s.team.company.id, { token })).rejects.toMatchObject({ status: 401 });
  });
});
