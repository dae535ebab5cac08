import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as me } from "@/app/api/v1/me/route";
import { POST as createToken } from "@/app/api/v1/companies/[companyId]/tokens/route";
import { apiRequest, call, seedCompany, sessionCookie } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";

let t: TestDb;
beforeAll(async () => {
  t = await useTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe("route handlers through the request context", () => {
  it("a session creates a token that then identifies itself on /me", async () => {
    const { owner, company } = await seedCompany(t.db);
    const cookie = await sessionCookie(owner.id);
    const res = await call(createToken, apiRequest("POST", `/api/v1/companies/${company.id}/tokens`, { cookie }, { name: "ci", scopes: ["registries:read"] }), { companyId: company.id });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.token).toMatch(/^brt_[A-Za-z0-9_-]{43}$/);
    const who = await me(apiRequest("GET", "/api/v1/me", { token: body.token }));
    expect(who.status).toBe(200);
    expect(await who.json()).toMatchObject({ user: { id: owner.id }, token: { name: "ci", scopes: ["registries:read"] }, companies: [{ id: company.id, role: "owner" }] });
  });

  it("401 with WWW-Authenticate without credentials", async () => {
    const res = await me(apiRequest("GET", "/api/v1/me", {}));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("a state-changing request with no credentials at all is 401, not a CSRF 403", async () => {
    const { company } = await seedCompany(t.db);
    const res = await call(createToken, apiRequest("POST", `/api/v1/companies/${company.id}/tokens`, {}, { name: "x", scopes: ["registries:read"] }), { companyId: company.id });
    expect(res.status).toBe(401);
  });

  it("a cookie-authenticated POST from another origin is 403", async () => {
    const { owner, company } = await seedCompany(t.db);
    const cookie = await sessionCookie(owner.id);
    const res = await call(createToken, apiRequest("POST", `/api/v1/companies/${company.id}/tokens`, { cookie, origin: "https://evil.example" }, { name: "x", scopes: ["registries:read"] }), { companyId: company.id });
    expect(res.status).toBe(403);
  });
});
