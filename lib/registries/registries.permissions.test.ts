/**
 * The permission table of SPEC section 4 on every registry endpoint of SPEC section 5, by session
 * for each role and by API token for each role and scope, and tenant isolation: another company's
 * ids, another company's path and malformed ids are all 404, with nothing changed.
 *
 * The expected cells are written out here from the SPEC, not computed with lib/auth/permissions.
 * Endpoints whose answers depend on a registry's network (validate, test) are asserted "not 403 /
 * 401 / 404 / 500" where allowed, and 403 where denied.
 */
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberships, registries } from "@/db/schema";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { ROLE_CASES, seedTeam, tokenFor, type RoleCase, type Team } from "@/lib/testing/identity";
import { sealRegistrySecrets } from "./secrets";
import { createRecorder, expectProblem, MALFORMED_IDS, NIL_UUID, ROUTES, type Answer, type Auth } from "./registries.testkit";

let t: TestDb;
let team: Team;
let other: Team;
const rec = createRecorder();

const ENDPOINTS = ["list", "get", "create", "put", "patch", "delete", "validate", "test", "resolve", "pullSecret"] as const;
type Endpoint = (typeof ENDPOINTS)[number];
/** Endpoints whose answer beyond the permission check depends on the network. */
const OTHERS: readonly Endpoint[] = ["validate", "test"];

/** SPEC section 4, by endpoint: the roles allowed and the token scope needed. `own` = own registries only. */
const TABLE: Record<Endpoint, { roles: Record<RoleCase, boolean | "own">; scope: string }> = {
  list: { roles: { viewer: true, member: true, memberMr: true, admin: true, owner: true }, scope: "registries:read" },
  get: { roles: { viewer: true, member: true, memberMr: true, admin: true, owner: true }, scope: "registries:read" },
  resolve: { roles: { viewer: true, member: true, memberMr: true, admin: true, owner: true }, scope: "registries:read" },
  test: { roles: { viewer: false, member: true, memberMr: true, admin: true, owner: true }, scope: "registries:read" },
  validate: { roles: { viewer: false, member: true, memberMr: true, admin: true, owner: true }, scope: "registries:write" },
  create: { roles: { viewer: false, member: false, memberMr: true, admin: true, owner: true }, scope: "registries:write" },
  put: { roles: { viewer: false, member: false, memberMr: true, admin: true, owner: true }, scope: "registries:write" },
  patch: { roles: { viewer: false, member: false, memberMr: true, admin: true, owner: true }, scope: "registries:write" },
  delete: { roles: { viewer: false, member: false, memberMr: "own", admin: true, owner: true }, scope: "registries:write" },
  pullSecret: { roles: { viewer: false, member: false, memberMr: false, admin: true, owner: true }, scope: "registries:pull" },
};

const OK_STATUS: Partial<Record<Endpoint, number>> = { list: 200, get: 200, create: 201, put: 200, patch: 200, delete: 204, resolve: 200, pullSecret: 200 };

/** A registry Test Connection can try without leaving the machine (port 9 is closed: refused at once). */
const LOCAL_BODY = { type: "custom", credentials: { url: "http://127.0.0.1:9", username: "perm", password: "perm-local-password-01" } } as const;

let shared: string; // a registry of the team's owner, tested, read and updated by every caller
let pullable: string; // the registry pull secrets are asked for (its secret is never sent in a request)
let foreign: string; // the other company's registry
let seq = 0;

async function newRegistry(companyId: string, createdBy: string, name = `perm ${seq++}`) {
  const [row] = await t.db
    .insert(registries)
    .values({ companyId, type: "custom", name, url: `perm-${seq++}.example.com`, credentials: { url: "x", username: "u" }, createdBy, modifiedBy: createdBy })
    .returning();
  return row!.id;
}

/** Performs one endpoint as `auth` on a company path, against `id` where the endpoint takes one. */
async function perform(ep: Endpoint, auth: Auth, companyId: string, id: string): Promise<Answer> {
  const base = `/api/v1/companies/${companyId}/registries`;
  const r = ROUTES.v1;
  const n = seq++;
  switch (ep) {
    case "list":
      return rec.send(r.list, "GET", base, auth, { companyId });
    case "get":
      return rec.send(r.get, "GET", `${base}/${id}`, auth, { companyId, id });
    case "create":
      return rec.send(r.create, "POST", base, auth, { companyId }, { name: `perm created ${n}`, type: "custom", credentials: { url: `created-${n}.example.com`, token: `perm-created-token-${n}` } });
    case "put":
      return rec.send(r.put, "PUT", `${base}/${id}`, auth, { companyId, id }, { name: `perm put ${n}`, ...LOCAL_BODY });
    case "patch":
      return rec.send(r.patch, "PATCH", `${base}/${id}`, auth, { companyId, id }, { isActive: true });
    case "delete":
      return rec.send(r.delete, "DELETE", `${base}/${id}`, auth, { companyId, id });
    case "validate":
      return rec.send(r.validate, "POST", `${base}/validate`, auth, { companyId }, { name: "perm validate", ...LOCAL_BODY });
    case "test":
      return rec.send(r.test, "POST", `${base}/${id}/test`, auth, { companyId, id });
    case "resolve":
      return rec.send(r.resolve, "POST", `${base}/resolve`, auth, { companyId }, { image: "127.0.0.1:9/perm/app:1" });
    case "pullSecret":
      return rec.send(r.pullSecret, "POST", `${base}/pull-secret`, auth, { companyId }, { registryIds: [id === shared ? pullable : id], format: "dockerconfigjson" });
  }
}

interface Caller {
  label: string;
  role: RoleCase;
  auth: Auth;
  scopes: string[] | null; // null = session
}

const callers: Caller[] = [];

beforeAll(async () => {
  t = await useTestDb();
  team = await seedTeam(t.db);
  other = await seedTeam(t.db);
  const [row] = await t.db
    .insert(registries)
    .values({ companyId: team.company.id, type: "custom", name: "perm shared", url: "127.0.0.1:9", plainHttp: true, credentials: { url: "http://127.0.0.1:9", username: "perm" }, createdBy: team.owner.id, modifiedBy: team.owner.id })
    .returning();
  shared = row!.id;
  const [pull] = await t.db
    .insert(registries)
    .values({ companyId: team.company.id, type: "custom", name: "perm pullable", url: "127.0.0.1:9/pull", plainHttp: true, credentials: { url: "http://127.0.0.1:9/pull", username: "perm" }, createdBy: team.owner.id, modifiedBy: team.owner.id })
    .returning();
  pullable = pull!.id;
  const sealed = sealRegistrySecrets({ password: "pullable-stored-password" }, { companyId: team.company.id, registryId: pullable });
  await t.db.update(registries).set({ secretBlob: sealed.blob, keyId: sealed.keyId, secretFields: ["password"] }).where(eq(registries.id, pullable));
  foreign = await newRegistry(other.company.id, other.owner.id, "foreign registry");
  for (const role of ROLE_CASES) {
    callers.push({ label: `${role} by session`, role, auth: { cookie: team.users[role].cookie }, scopes: null });
    for (const scopes of [["registries:read"], ["registries:write"], ["registries:pull"], ["registries:read", "registries:write", "registries:pull"]]) {
      const { token } = await tokenFor(t.db, team.company.id, team.users[role].id, { scopes, name: scopes.join("+") });
      callers.push({ label: `${role} by token [${scopes.join(", ")}]`, role, auth: { token }, scopes });
    }
  }
});
afterAll(async () => {
  await t?.close();
});

function expected(ep: Endpoint, c: Caller): boolean | "own" {
  // `registries:pull` includes `registries:read`
  const granted = (scope: string) => c.scopes!.includes(scope) || (scope === "registries:read" && c.scopes!.includes("registries:pull"));
  if (c.scopes && !granted(TABLE[ep].scope)) return false;
  return TABLE[ep].roles[c.role];
}

describe("the permission table on every registry endpoint", () => {
  for (const ep of ENDPOINTS) {
    it(`${ep}: 403 or allowed for each role by session and each role × scope by token`, async () => {
      expect(callers).toHaveLength(25);
      const cells: string[] = [];
      for (const c of callers) {
        const allowed = expected(ep, c);
        // delete consumes its target: a fresh registry of the owner's each time (not the caller's own)
        const id = ep === "delete" ? await newRegistry(team.company.id, team.owner.id) : shared;
        const before = await t.db.select().from(registries).where(eq(registries.id, id));
        const countBefore = await t.db.$count(registries, eq(registries.companyId, team.company.id));
        const a = await perform(ep, c.auth, team.company.id, id);
        cells.push(`${c.label}: ${a.status}`);
        if (allowed === true) {
          if (OTHERS.includes(ep)) {
            expect([401, 403, 404, 500], `${ep} as ${c.label}: ${a.text}`).not.toContain(a.status);
          } else {
            expect(a.status, `${ep} as ${c.label}: ${a.text}`).toBe(OK_STATUS[ep]);
          }
        } else {
          // denied, and "own" is denied on a registry someone else created
          expectProblem(a, 403, "forbidden");
          const after = await t.db.select().from(registries).where(eq(registries.id, id));
          expect(after, `${ep} as ${c.label} changed the registry`).toEqual(before);
          expect(await t.db.$count(registries, eq(registries.companyId, team.company.id))).toBe(countBefore);
        }
      }
      expect(cells.length).toBe(25);
    });
  }

  it("member + manageRegistries deletes their own registries (session or write token), not others'", async () => {
    const mr = team.users.memberMr;
    const { token } = await tokenFor(t.db, team.company.id, mr.id, { scopes: ["registries:write"], name: "own delete" });
    for (const auth of [{ cookie: mr.cookie }, { token }]) {
      // created through the API by them
      const c = await perform("create", auth, team.company.id, "");
      expect(c.status, c.text).toBe(201);
      expect(c.body.createdBy).toBe(mr.id);
      const d = await perform("delete", auth, team.company.id, c.body.id);
      expect(d.status, d.text).toBe(204);
      // someone else's (the admin's) is refused, and one with no creator left (creator removed) too
      const admins = await newRegistry(team.company.id, team.users.admin.id);
      expectProblem(await perform("delete", auth, team.company.id, admins), 403, "forbidden");
      const orphan = await newRegistry(team.company.id, team.owner.id);
      await t.db.update(registries).set({ createdBy: null }).where(eq(registries.id, orphan));
      expectProblem(await perform("delete", auth, team.company.id, orphan), 403, "forbidden");
    }
    // a plain member may not delete even their own (e.g. created before losing manageRegistries)
    const mine = await newRegistry(team.company.id, team.users.member.id);
    expectProblem(await perform("delete", { cookie: team.users.member.cookie }, team.company.id, mine), 403);
  });

  it("a token acts with its user's current role, never beyond it", async () => {
    const u = await team.addUser("member", true);
    const { token } = await tokenFor(t.db, team.company.id, u.id, { name: "follows role" });
    expect((await perform("create", { token }, team.company.id, "")).status).toBe(201);
    expectProblem(await perform("pullSecret", { token }, team.company.id, shared), 403);
    await t.db.update(memberships).set({ role: "viewer", manageRegistries: false }).where(sql`${memberships.userId} = ${u.id}`);
    expectProblem(await perform("create", { token }, team.company.id, ""), 403);
    expectProblem(await perform("patch", { token }, team.company.id, shared), 403);
    expect((await perform("list", { token }, team.company.id, "")).status).toBe(200);
    await t.db.update(memberships).set({ role: "admin" }).where(sql`${memberships.userId} = ${u.id}`);
    expect((await perform("delete", { token }, team.company.id, await newRegistry(team.company.id, team.owner.id))).status).toBe(204);
    expect((await perform("pullSecret", { token }, team.company.id, shared)).status).not.toBe(403);
    // removed from the company: the token no longer works (401, SPEC section 4)
    await t.db.delete(memberships).where(sql`${memberships.userId} = ${u.id}`);
    expectProblem(await perform("list", { token }, team.company.id, ""), 401);
  });
});

describe("tenant isolation", () => {
  const ID_ENDPOINTS: Endpoint[] = ["get", "put", "patch", "delete", "test"];

  it("another company's registry id on one's own company path is 404 on every endpoint, exactly like an unknown id", async () => {
    const owner = { cookie: team.users.owner.cookie };
    const { token } = await tokenFor(t.db, team.company.id, team.owner.id, { name: "tenant" });
    const before = await t.db.select().from(registries).where(eq(registries.id, foreign));
    for (const auth of [owner, { token }]) {
      for (const ep of ID_ENDPOINTS) {
        const theirs = expectProblem(await perform(ep, auth, team.company.id, foreign), 404, "not-found");
        const unknown = expectProblem(await perform(ep, auth, team.company.id, NIL_UUID), 404, "not-found");
        expect(theirs.detail).toBe(unknown.detail); // no oracle for other companies' ids
      }
      // pull-secret by the other company's id; resolve of an image only the other company has
      await t.db.update(registries).set({ url: "foreign-only.example.com" }).where(eq(registries.id, foreign));
      for (const [ep, a] of [
        ["pullSecret", await perform("pullSecret", auth, team.company.id, foreign)],
        ["resolve", await rec.send(ROUTES.v1.resolve, "POST", `/api/v1/companies/${team.company.id}/registries/resolve`, auth, { companyId: team.company.id }, { image: "foreign-only.example.com/app:1" })],
      ] as const) {
        expect(a.status, `${ep}: ${a.text}`).toBe(404);
        expectProblem(a, 404, "not-found");
        expect(a.text).not.toContain(foreign);
      }
    }
    // the list never shows it
    const listed = await perform("list", owner, team.company.id, "");
    expect(listed.body.items.map((i: { id: string }) => i.id)).not.toContain(foreign);
    const after = await t.db.select().from(registries).where(eq(registries.id, foreign));
    expect(after.map((r) => ({ ...r, url: before[0]!.url }))).toEqual(before);
  });

  it("another company's path is 404 on every endpoint, by session or by token, for every role", async () => {
    for (const role of ROLE_CASES) {
      const { token } = await tokenFor(t.db, team.company.id, team.users[role].id, { name: `cross ${role}` });
      for (const auth of [{ cookie: team.users[role].cookie }, { token }]) {
        for (const ep of ENDPOINTS) {
          for (const ref of [other.company.id, other.company.slug]) {
            const a = await perform(ep, auth, ref, foreign);
            expectProblem(a, 404, "not-found");
          }
        }
      }
    }
    // a token of the other company, on this company's path, with this company's registry
    const { token } = await tokenFor(t.db, other.company.id, other.owner.id, { name: "theirs" });
    for (const ep of ENDPOINTS) expectProblem(await perform(ep, { token }, team.company.id, shared), 404);
    expect((await t.db.select().from(registries).where(eq(registries.id, foreign)))[0]!.isDeleted).toBe(false);
    expect((await t.db.select().from(registries).where(eq(registries.id, shared)))[0]!.isDeleted).toBe(false);
  });

  it("malformed registry and company ids are 404, never 400 or 500", async () => {
    const owner = { cookie: team.users.owner.cookie };
    for (const ep of ID_ENDPOINTS) {
      for (const bad of MALFORMED_IDS) expectProblem(await perform(ep, owner, team.company.id, bad), 404, "not-found");
    }
    for (const ep of ENDPOINTS) {
      for (const bad of ["not-a-company", NIL_UUID, "x".repeat(80), "../etc"]) expectProblem(await perform(ep, owner, bad, shared), 404, "not-found");
    }
  });
});

describe("no secret in any answer", () => {
  it("scans every answer of this file for every plaintext secret sent", () => {
    rec.assertNoSecretLeaked(500, 10);
  });
});
