/**
 * Issue 16: refused `/validate` and `/test` calls (400 format errors) count against the per-user
 * test limit (`BERTH_TEST_RATE_LIMIT`), so a caller cannot make the server parse bodies without
 * end by sending only invalid ones; and a caller over the limit gets 429 before any parsing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as testSaved } from "@/app/api/v1/companies/[companyId]/registries/[id]/test/route";
import { POST as create } from "@/app/api/v1/companies/[companyId]/registries/route";
import { POST as validate } from "@/app/api/v1/companies/[companyId]/registries/validate/route";
import { resetEnvCache } from "@/lib/env";
import { apiRequest, call, seedCompany, sessionCookie } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";

type Auth = Parameters<typeof apiRequest>[2];
const LIMIT = 3;

describe("refused connection tests count against BERTH_TEST_RATE_LIMIT", () => {
  let t: TestDb;
  let company: { id: string };
  let owner: Auth;
  let addMember: Awaited<ReturnType<typeof seedCompany>>["addMember"];
  const saved = process.env.BERTH_TEST_RATE_LIMIT;

  const validateAs = (auth: Auth, body: unknown) =>
    call(validate, apiRequest("POST", `/api/v1/companies/${company.id}/registries/validate`, auth, body), { companyId: company.id });
  const testAs = (auth: Auth, id: string, body?: unknown) =>
    call(testSaved, apiRequest("POST", `/api/v1/companies/${company.id}/registries/${id}/test`, auth, body), { companyId: company.id, id });
  const invalidBody = { name: "Bad", type: "gcr", credentials: { serviceAccountKey: `{"type":"service_account","client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----${" ".repeat(4096)}x"}` } };

  async function member(label: string): Promise<Auth> {
    const user = await addMember("member", false, label);
    return { cookie: await sessionCookie(user.id) };
  }

  beforeAll(async () => {
    process.env.BERTH_TEST_RATE_LIMIT = String(LIMIT);
    resetEnvCache();
    t = await useTestDb();
    const seeded = await seedCompany(t.db);
    company = seeded.company;
    owner = { cookie: await sessionCookie(seeded.owner.id) };
    addMember = seeded.addMember;
  });

  afterAll(async () => {
    await t?.close();
    if (saved === undefined) delete process.env.BERTH_TEST_RATE_LIMIT;
    else process.env.BERTH_TEST_RATE_LIMIT = saved;
    resetEnvCache();
  });

  it(`answers 400 to ${LIMIT} invalid /validate calls, then 429 with Retry-After`, async () => {
    const auth = await member("invalid-validate");
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await validateAs(auth, invalidBody)).status);
    const limited = await validateAs(auth, invalidBody);
    expect(statuses).toEqual(Array(LIMIT).fill(400));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("content-type")).toContain("application/problem+json");
    // A well-formed body is refused too: the budget is the caller's, whatever the body.
    const valid = { name: "Fine", type: "custom", credentials: { url: "http://127.0.0.1:9", username: "u", password: "p" } };
    expect((await validateAs(auth, valid)).status).toBe(429);
  });

  it(`answers 400 to ${LIMIT} invalid /test overrides, then 429`, async () => {
    const created = await call(create, apiRequest("POST", `/api/v1/companies/${company.id}/registries`, owner, { name: "Saved", type: "custom", credentials: { url: "http://127.0.0.1:9/saved", username: "u", password: "p" } }), { companyId: company.id });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const auth = await member("invalid-test");
    const bad = { credentials: { url: "not a url at all ////" }, image: "UPPER CASE::bad" };
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await testAs(auth, id, bad)).status);
    expect(statuses).toEqual(Array(LIMIT).fill(400));
    expect((await testAs(auth, id, bad)).status).toBe(429);
  });

  it("counts every kind of refused body (bad format, unknown type, not an object) in one budget per user; another user is unaffected", async () => {
    const auth = await member("mixed");
    expect((await validateAs(auth, invalidBody)).status).toBe(400);
    expect((await validateAs(auth, { type: "no-such-type" })).status).toBe(400);
    expect((await validateAs(auth, "not an object")).status).toBe(400);
    expect((await validateAs(auth, invalidBody)).status).toBe(429);
    expect((await validateAs(await member("mixed-2"), invalidBody)).status).toBe(400);
  });

  it("does not count a request for another company's registry (404)", async () => {
    const auth = await member("foreign");
    for (let i = 0; i < LIMIT + 1; i++) {
      const res = await testAs(auth, "00000000-0000-4000-8000-000000000000", {});
      expect(res.status).toBe(404);
    }
    expect((await validateAs(auth, invalidBody)).status).toBe(400);
  });
});
