import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as list, POST as create } from "@/app/api/[companyId]/containerRegistryConfig/route";
import { GET as getOne, PATCH as patch, PUT as put } from "@/app/api/v1/companies/[companyId]/registries/[id]/route";
import { apiRequest, call, seedCompany, sessionCookie } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";

let t: TestDb;
beforeAll(async () => {
  t = await useTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe("registries API smoke", () => {
  it("creates from the seed's generic body, hides the secret, keeps it on update, needs it again on host change", async () => {
    const { owner, company } = await seedCompany(t.db);
    const cookie = await sessionCookie(owner.id);
    const res = await call(create, apiRequest("POST", `/api/${company.id}/containerRegistryConfig`, { cookie }, { name: "GitHub Packages", url: "ghcr.io", username: "myusername", password: "ghp_MyPersonalAccessToken123" }), { companyId: company.id });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(text).not.toContain("ghp_MyPersonalAccessToken123");
    const dto = JSON.parse(text);
    expect(dto).toMatchObject({ type: "ghcr", url: "ghcr.io", credentials: { username: "myusername" }, secretsSet: ["token"] });
    expect(res.headers.get("location")).toBe(`/api/${company.id}/containerRegistryConfig/${dto.id}`);

    const p = { companyId: company.id, id: dto.id };
    const got = await call(getOne, apiRequest("GET", `/x`, { cookie }), p);
    expect(got.headers.get("etag")).toBe('"1"');
    const upd = await call(patch, apiRequest("PATCH", `/x`, { cookie }, { name: "GH" }, { "if-match": '"1"' }), p);
    expect(upd.status).toBe(200);
    expect((await upd.json()).secretsSet).toEqual(["token"]);
    const stale = await call(patch, apiRequest("PATCH", `/x`, { cookie }, { name: "GH2" }, { "if-match": '"1"' }), p);
    expect(stale.status).toBe(412);
    const moved = await call(put, apiRequest("PUT", `/x`, { cookie }, { name: "GH", type: "ghcr", credentials: { username: "u", url: "ghcr.io/other-org" } }), p);
    expect(moved.status).toBe(400);
    expect((await moved.json()).errors).toEqual([{ path: "credentials.token", message: "Required: the registry host changed, so enter this secret again" }]);
    const listed = await call(list, apiRequest("GET", `/x?filter.name=gh`, { cookie }), { companyId: company.id });
    expect((await listed.json()).items).toHaveLength(1);
  });
});
