/**
 * API tokens limited to some registries: such a token sees, resolves and fetches only those, on
 * every registry endpoint. Its other registries read exactly like ids, images and hosts Berth does
 * not know (404, the same detail). A limited token may not create or import registries (403).
 * Creating a token checks the limit: 1 to 50 ids, each a registry of the company that is not
 * deleted, else 400 at `registryIds.N`.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as v1Checks from "@/app/api/v1/companies/[companyId]/registries/[id]/checks/route";
import * as v1Uses from "@/app/api/v1/companies/[companyId]/registries/[id]/uses/route";
import * as v1Import from "@/app/api/v1/companies/[companyId]/registries/import/route";
import { GET as listTokens, POST as createToken } from "@/app/api/v1/companies/[companyId]/tokens/route";
import { GET as me } from "@/app/api/v1/me/route";
import { apiTokens, registries } from "@/db/schema";
import { apiRequest, call } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { contextFor, seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { expirySummary } from "./expiry/summary";
import { sealRegistrySecrets } from "./secrets";
import { createRecorder, expectFieldErrors, expectProblem, NIL_UUID, ROUTES, type Answer, type Auth } from "./registries.testkit";

let t: TestDb;
let team: Team;
let other: Team;
const rec = createRecorder();
const r = ROUTES.v1;

/** Allowed: A (127.0.0.1:9, no prefix) and D (127.0.0.1:7/d). Not allowed: B (127.0.0.1:8) and C (127.0.0.1:9/c, A's host). */
const ids = { A: "", B: "", C: "", D: "" };
let foreign = "";
let limited: Auth;
let unlimited: Auth;
let seq = 0;

async function newRegistry(companyId: string, createdBy: string, name: string, url: string, password = `${name}-stored-password`) {
  const [row] = await t.db
    .insert(registries)
    .values({ companyId, type: "custom", name, url, plainHttp: true, credentials: { url: `http://${url}`, username: `user-${name}` }, createdBy, modifiedBy: createdBy })
    .returning();
  const sealed = sealRegistrySecrets({ password }, { companyId, registryId: row!.id });
  await t.db.update(registries).set({ secretBlob: sealed.blob, keyId: sealed.keyId, secretFields: ["password"] }).where(eq(registries.id, row!.id));
  return row!.id;
}

const base = () => `/api/v1/companies/${team.company.id}/registries`;
const companyId = () => team.company.id;
const get = (auth: Auth, id: string) => rec.send(r.get, "GET", `${base()}/${id}`, auth, { companyId: companyId(), id });
const list = (auth: Auth, query = "") => rec.send(r.list, "GET", `${base()}${query ? `?${query}` : ""}`, auth, { companyId: companyId() });
const checks = (auth: Auth, id: string) => rec.send(v1Checks.GET, "GET", `${base()}/${id}/checks`, auth, { companyId: companyId(), id });
const uses = (auth: Auth, id: string) => rec.send(v1Uses.GET, "GET", `${base()}/${id}/uses`, auth, { companyId: companyId(), id });
const test = (auth: Auth, id: string) => rec.send(r.test, "POST", `${base()}/${id}/test`, auth, { companyId: companyId(), id });
const patch = (auth: Auth, id: string, body: unknown) => rec.send(r.patch, "PATCH", `${base()}/${id}`, auth, { companyId: companyId(), id }, body);
const put = (auth: Auth, id: string, body: unknown) => rec.send(r.put, "PUT", `${base()}/${id}`, auth, { companyId: companyId(), id }, body);
const del = (auth: Auth, id: string) => rec.send(r.delete, "DELETE", `${base()}/${id}`, auth, { companyId: companyId(), id });
const resolve = (auth: Auth, image: string) => rec.send(r.resolve, "POST", `${base()}/resolve`, auth, { companyId: companyId() }, { image });
/** Every answer to the limited token (scanned for the other registries' secrets). */
const limitedAnswers: string[] = [];
const pull = async (auth: Auth, body: Record<string, unknown>) => {
  const a = await rec.send(r.pullSecret, "POST", `${base()}/pull-secret`, auth, { companyId: companyId() }, { format: "dockerconfigjson", ...body });
  if (auth === limited) limitedAnswers.push(a.text);
  return a;
};

beforeAll(async () => {
  t = await useTestDb();
  team = await seedTeam(t.db);
  other = await seedTeam(t.db);
  const by = team.owner.id;
  ids.A = await newRegistry(team.company.id, by, "limit a", "127.0.0.1:9");
  ids.B = await newRegistry(team.company.id, by, "limit b", "127.0.0.1:8");
  ids.C = await newRegistry(team.company.id, by, "limit c", "127.0.0.1:9/c");
  ids.D = await newRegistry(team.company.id, by, "limit d", "127.0.0.1:7/d");
  foreign = await newRegistry(other.company.id, other.owner.id, "limit foreign", "127.0.0.1:9/foreign");
  // The owner may do everything: only the limit stands between the token and B or C.
  limited = { token: (await tokenFor(t.db, team.company.id, team.owner.id, { name: "limited", registryIds: [ids.A, ids.D] })).token };
  unlimited = { token: (await tokenFor(t.db, team.company.id, team.owner.id, { name: "all" })).token };
});
afterAll(async () => {
  await t?.close();
});

/** The 404 of an id Berth does not know, to compare a hidden registry's answer with. */
async function unknownIdDetail(op: (auth: Auth, id: string) => Promise<Answer>): Promise<string> {
  return expectProblem(await op(limited, NIL_UUID), 404, "not-found").detail;
}

describe("the request context of a limited token", () => {
  it("carries the token's registry ids; a token for all registries and a session carry none", async () => {
    expect((await contextFor(team.company.id, limited)).registryIds?.sort()).toEqual([ids.A, ids.D].sort());
    expect((await contextFor(team.company.id, unlimited)).registryIds).toBeUndefined();
    expect((await contextFor(team.company.id, { cookie: team.users.owner.cookie })).registryIds).toBeUndefined();
    const who = await (await me(apiRequest("GET", "/api/v1/me", limited))).json();
    expect(who.token.registryIds.sort()).toEqual([ids.A, ids.D].sort());
  });
});

describe("reading with a limited token", () => {
  it("list shows only the allowed registries (also filtered and paged); a token for all sees all", async () => {
    const mine = await list(limited);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.items.map((i: { id: string }) => i.id).sort()).toEqual([ids.A, ids.D].sort());
    const filtered = await list(limited, "filter.name=limit");
    expect(filtered.body.items.map((i: { id: string }) => i.id).sort()).toEqual([ids.A, ids.D].sort());
    expect((await list(limited, "filter.name=limit%20b")).body.items).toEqual([]);
    expect((await list(unlimited, "filter.name=limit%20b")).body.items.map((i: { id: string }) => i.id)).toEqual([ids.B]);
    const paged = await list(limited, "limit=1");
    expect(paged.body.items).toHaveLength(1);
    const next = await list(limited, `limit=1&pagination.token=${paged.body.nextPageToken}`);
    expect(next.body.items).toHaveLength(1);
    expect([paged.body.items[0].id, next.body.items[0].id].sort()).toEqual([ids.A, ids.D].sort());
    expect(next.body.nextPageToken).toBeNull();
    const all = await list(unlimited);
    expect(all.body.items.map((i: { id: string }) => i.id).sort()).toEqual([ids.A, ids.B, ids.C, ids.D].sort());
  });

  it("the expiry counts count only the allowed registries", async () => {
    const soon = new Date(Date.now() + 3 * 86_400_000);
    await t.db.update(registries).set({ expiresAt: soon, expiresAtSource: "user" }).where(eq(registries.id, ids.A));
    await t.db.update(registries).set({ expiresAt: soon, expiresAtSource: "user" }).where(eq(registries.id, ids.B));
    try {
      expect((await expirySummary(await contextFor(team.company.id, limited))).registriesExpiring).toBe(1);
      expect((await expirySummary(await contextFor(team.company.id, unlimited))).registriesExpiring).toBe(2);
    } finally {
      await t.db.update(registries).set({ expiresAt: null, expiresAtSource: null }).where(eq(registries.id, ids.A));
      await t.db.update(registries).set({ expiresAt: null, expiresAtSource: null }).where(eq(registries.id, ids.B));
    }
  });

  it.each([
    ["get", get],
    ["checks", checks],
    ["uses", uses],
  ] as const)("%s: an allowed id works, another registry of the company is 404 like an unknown id", async (_name, op) => {
    expect((await op(limited, ids.A)).status).toBe(200);
    expect((await op(limited, ids.D)).status).toBe(200);
    const detail = await unknownIdDetail(op);
    for (const hidden of [ids.B, ids.C, foreign]) {
      expect(expectProblem(await op(limited, hidden), 404, "not-found").detail).toBe(detail);
      // the same registry is there for a token of every registry (not for another company's)
      if (hidden !== foreign) expect((await op(unlimited, hidden)).status).toBe(200);
    }
  });

  it("test of a saved registry: allowed runs (port 9 refuses at once), another is 404", async () => {
    const a = await test(limited, ids.A);
    expect([401, 403, 404, 500]).not.toContain(a.status);
    expectProblem(await test(limited, ids.B), 404, "not-found");
    expectProblem(await test(limited, ids.C), 404, "not-found");
  });
});

describe("writing with a limited token", () => {
  it("update and activate: allowed works, another is 404 and unchanged", async () => {
    const a = await patch(limited, ids.A, { isActive: true, name: "limit a" });
    expect(a.status, a.text).toBe(200);
    const before = await t.db.select().from(registries).where(eq(registries.id, ids.B));
    expectProblem(await patch(limited, ids.B, { isActive: false }), 404, "not-found");
    expectProblem(await put(limited, ids.B, { name: "taken over", type: "custom", credentials: { url: "http://127.0.0.1:8", username: "x", password: "limit-put-password" } }), 404, "not-found");
    expectProblem(await del(limited, ids.B), 404, "not-found");
    expect(await t.db.select().from(registries).where(eq(registries.id, ids.B))).toEqual(before);
  });

  it("create and import are 403 with a clear message, and create nothing", async () => {
    const count = await t.db.$count(registries, eq(registries.companyId, team.company.id));
    const c = await rec.send(r.create, "POST", base(), limited, { companyId: companyId() }, { name: "limit new", type: "custom", credentials: { url: "127.0.0.1:6", token: "limit-new-token-1" } });
    expect(expectProblem(c, 403, "forbidden").detail).toMatch(/limited to some registries/);
    const imp = await rec.send(v1Import.POST, "POST", `${base()}/import`, limited, { companyId: companyId() }, {
      dockerconfigjson: { auths: { "127.0.0.1:5": { auth: Buffer.from("u:limit-import-password").toString("base64") } } },
    });
    expect(expectProblem(imp, 403, "forbidden").detail).toMatch(/limited to some registries/);
    expect(await t.db.$count(registries, eq(registries.companyId, team.company.id))).toBe(count);
    // the same create with a token for all registries works
    const ok = await rec.send(r.create, "POST", base(), unlimited, { companyId: companyId() }, { name: "limit new", type: "custom", credentials: { url: "127.0.0.1:6", token: "limit-new-token-2" } });
    expect(ok.status, ok.text).toBe(201);
    await t.db.update(registries).set({ isDeleted: true, url: `deleted-${seq++}` }).where(eq(registries.id, ok.body.id));
  });

  it("delete: an allowed registry is deleted, then it is gone for the token too", async () => {
    const e = await newRegistry(team.company.id, team.owner.id, "limit e", "127.0.0.1:5/e");
    const { token } = await tokenFor(t.db, team.company.id, team.owner.id, { name: "limited e", registryIds: [e] });
    expect((await del({ token }, e)).status).toBe(204);
    expectProblem(await get({ token }, e), 404, "not-found");
    // still limited (to a deleted registry): it sees nothing, not everything
    const after = await list({ token });
    expect(after.body.items).toEqual([]);
  });
});

describe("resolve and pull secrets with a limited token", () => {
  it("resolve matches only among the allowed registries", async () => {
    const a = await resolve(limited, "127.0.0.1:9/team/app:1");
    expect(a.body.registry.id).toBe(ids.A);
    // C's path is on A's host: for this token, A (the only allowed registry on the host) answers
    expect((await resolve(limited, "127.0.0.1:9/c/app:1")).body.registry.id).toBe(ids.A);
    expect((await resolve(unlimited, "127.0.0.1:9/c/app:1")).body.registry.id).toBe(ids.C);
    // B's host reads like a host Berth does not know
    const hidden = expectProblem(await resolve(limited, "127.0.0.1:8/app:1"), 404, "not-found");
    const unknown = expectProblem(await resolve(limited, "127.0.0.1:4/app:1"), 404, "not-found");
    expect(hidden.detail.replace("127.0.0.1:8", "HOST")).toBe(unknown.detail.replace("127.0.0.1:4", "HOST"));
    expect((await resolve(unlimited, "127.0.0.1:8/app:1")).body.registry.id).toBe(ids.B);
  });

  it("by registryIds: allowed works; another registry (or with an allowed one) is 404 like an unknown id", async () => {
    const a = await pull(limited, { registryIds: [ids.A, ids.D] });
    expect(a.status, a.text).toBe(200);
    expect(a.body.registries.map((x: { id: string }) => x.id).sort()).toEqual([ids.A, ids.D].sort());
    expect(Object.keys(JSON.parse(a.body.content[".dockerconfigjson"] ?? JSON.stringify(a.body.content)).auths ?? {}).sort()).toEqual(["127.0.0.1:7/d", "127.0.0.1:9"]);
    const unknown = expectProblem(await pull(limited, { registryIds: [NIL_UUID] }), 404, "not-found");
    for (const hidden of [ids.B, ids.C, foreign]) {
      expect(expectProblem(await pull(limited, { registryIds: [hidden] }), 404, "not-found").detail).toBe(unknown.detail);
    }
    expect(expectProblem(await pull(limited, { registryIds: [ids.A, ids.B] }), 404, "not-found").detail).toMatch(/registryIds\.1/);
  });

  it("by hosts: only the allowed registries on the host; another registry's host is 'nothing matched'", async () => {
    const a = await pull(limited, { hosts: ["127.0.0.1:9"] });
    expect(a.status, a.text).toBe(200);
    expect(a.body.registries.map((x: { id: string }) => x.id)).toEqual([ids.A]);
    const all = await pull(unlimited, { hosts: ["127.0.0.1:9"] });
    expect(all.body.registries.map((x: { id: string }) => x.id).sort()).toEqual([ids.A, ids.C].sort());
    const hidden = expectProblem(await pull(limited, { hosts: ["127.0.0.1:8"] }), 404, "not-found");
    const unknown = expectProblem(await pull(limited, { hosts: ["127.0.0.1:4"] }), 404, "not-found");
    expect(hidden.detail.replace("127.0.0.1:8", "HOST")).toBe(unknown.detail.replace("127.0.0.1:4", "HOST"));
  });

  it("by images: skips the registries outside the limit", async () => {
    const a = await pull(limited, { images: ["127.0.0.1:7/d/app:1", "127.0.0.1:9/c/app:1"] });
    expect(a.status, a.text).toBe(200);
    expect(a.body.registries.map((x: { id: string }) => x.id).sort()).toEqual([ids.A, ids.D].sort());
    const hidden = expectProblem(await pull(limited, { images: ["127.0.0.1:8/app:1"] }), 404, "not-found");
    const unknown = expectProblem(await pull(limited, { images: ["127.0.0.1:4/app:1"] }), 404, "not-found");
    expect(hidden.detail.replace("127.0.0.1:8", "HOST")).toBe(unknown.detail.replace("127.0.0.1:4", "HOST"));
  });

  it("no stored secret of a registry outside the limit is in an answer to the limited token", async () => {
    const all = limitedAnswers.join("\n");
    // the allowed ones are there (the scan can find a secret), the others never
    expect(all).toContain(Buffer.from("user-limit a:limit a-stored-password").toString("base64"));
    expect(all).not.toContain(Buffer.from("user-limit c:limit c-stored-password").toString("base64"));
    expect(all).not.toContain(Buffer.from("user-limit b:limit b-stored-password").toString("base64"));
    expect(all).not.toContain("limit b-stored-password");
    expect(all).not.toContain("limit c-stored-password");
    expect(all).not.toContain("limit foreign-stored-password");
    rec.assertNoSecretLeaked(20, 2);
  });
});

describe("creating a limited token", () => {
  const create = (body: unknown, cookie = team.users.owner.cookie) =>
    rec.send(createToken, "POST", `/api/v1/companies/${team.company.id}/tokens`, { cookie }, { companyId: team.company.id }, body);

  it("registryIds is stored (once each) and in the DTO; a token without it has null", async () => {
    const c = await create({ name: "pull a", scopes: ["registries:pull"], registryIds: [ids.A, ids.A.toUpperCase(), ids.D] });
    expect(c.status, c.text).toBe(201);
    expect(c.body.registryIds).toEqual([ids.A, ids.D]);
    const [row] = await t.db.select().from(apiTokens).where(eq(apiTokens.id, c.body.id));
    expect(row!.registryIds).toEqual([ids.A, ids.D]);
    const plain = await create({ name: "pull all", scopes: ["registries:pull"] });
    expect(plain.body.registryIds).toBeNull();
    const nulled = await create({ name: "pull all 2", scopes: ["registries:pull"], registryIds: null });
    expect(nulled.body.registryIds).toBeNull();
    const listed = await call(listTokens, apiRequest("GET", `/api/v1/companies/${team.company.id}/tokens`, { cookie: team.users.owner.cookie }), { companyId: team.company.id });
    const items = (await listed.json()).items as { id: string; registryIds: string[] | null }[];
    expect(items.find((i) => i.id === c.body.id)!.registryIds).toEqual([ids.A, ids.D]);
    expect(items.find((i) => i.id === plain.body.id)!.registryIds).toBeNull();
    // the new token works within its limit
    const mine = await list({ token: c.body.token });
    expect(mine.body.items.map((i: { id: string }) => i.id).sort()).toEqual([ids.A, ids.D].sort());
  });

  it.each([
    { why: "an empty list", registryIds: [], paths: ["registryIds"] },
    { why: "not a list", registryIds: "a-registry-id" as unknown, paths: ["registryIds"] },
    { why: "a malformed id", registryIds: ["not-a-uuid"], paths: ["registryIds.0"] },
    { why: "a number", registryIds: [7], paths: ["registryIds.0"] },
    { why: "more than 50 ids", registryIds: Array.from({ length: 51 }, () => NIL_UUID), paths: ["registryIds"] },
  ])("$why is 400 at $paths", async ({ registryIds, paths }) => {
    const before = await t.db.$count(apiTokens);
    expectFieldErrors(await create({ name: "bad", scopes: ["registries:pull"], registryIds }), paths);
    expect(await t.db.$count(apiTokens)).toBe(before);
  });

  it("an unknown id, another company's registry and a deleted one are 400 at their positions", async () => {
    const gone = await newRegistry(team.company.id, team.owner.id, "limit gone", "127.0.0.1:3");
    await t.db.update(registries).set({ isDeleted: true }).where(eq(registries.id, gone));
    const before = await t.db.$count(apiTokens);
    const errors = expectFieldErrors(await create({ name: "bad", scopes: ["registries:pull"], registryIds: [ids.A, NIL_UUID, foreign, gone] }), ["registryIds.1", "registryIds.2", "registryIds.3"]);
    // the message never tells another company's registry from an unknown id
    expect(new Set(errors.map((e) => e.message)).size).toBe(1);
    expect(await t.db.$count(apiTokens)).toBe(before);
  });
});
