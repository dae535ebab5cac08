/**
 * Test Connection through the API: `POST …/registries/validate` (and the seed's path) and
 * `POST …/registries/{id}/test`, against real loopback registries. Route handlers are called
 * directly, as Next would. Runs on PGlite, or on PostgreSQL with DATABASE_URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, desc, eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as seedValidate } from "@/app/api/[companyId]/containerRegistryConfig/validate/route";
import { GET as getOne } from "@/app/api/v1/companies/[companyId]/registries/[id]/route";
import { POST as testSaved } from "@/app/api/v1/companies/[companyId]/registries/[id]/test/route";
import { POST as create } from "@/app/api/v1/companies/[companyId]/registries/route";
import { POST as validate } from "@/app/api/v1/companies/[companyId]/registries/validate/route";
import { auditEvents, rateEvents } from "@/db/schema";
import { issueApiToken } from "@/lib/api-tokens/service";
import { resetEnvCache } from "@/lib/env";
import { apiRequest, call, seedCompany, sessionCookie, TEST_ORIGIN } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { createTestCa, type TestCa } from "@/lib/testing/registry-certs";
import { startHttpServer, startSilentServer, type LoopbackServer } from "@/lib/testing/registry-servers";
import { startTokenServer, type RunningTokenServer } from "@/lib/testing/token-server";
import { LEASE_BUCKET, MAX_CONCURRENT_TESTS_PER_COMPANY } from "./connection-service";
import { PEER_HEADER, stampedPeer } from "@/lib/client-address";

const PASSWORD = "alice-Distinctive-Stored-Secret-5521";
const OTHER_PASSWORD = "alice-Other-Host-Secret-9034";
const TOKEN_PASSWORD = "carol-Distinctive-Token-Secret-7310";
const SERVICE = "berth-api-test-registry";
const ISSUER = "berth-api-test-issuer";
const b64 = (text: string) => Buffer.from(text).toString("base64");

type Auth = { cookie?: string; token?: string };
const v2Headers = { "Docker-Distribution-API-Version": "registry/2.0", "Content-Type": "application/json" };

describe.skipIf(skipWithoutRegistryTools())("Test Connection API", () => {
  let t: TestDb;
  let dir: string;
  let ca: TestCa;
  let basic: RunningRegistry;
  let tokenRegistry: RunningRegistry;
  let tokenServer: RunningTokenServer;
  let recorder: LoopbackServer;
  let slow: LoopbackServer;
  let silent: LoopbackServer;
  const savedEnv = { limit: process.env.BERTH_TEST_RATE_LIMIT, timeout: process.env.BERTH_TEST_TIMEOUT_MS };

  let company: { id: string };
  let owner: Auth;
  let ownerId: string;
  let addMember: Awaited<ReturnType<typeof seedCompany>>["addMember"];

  const basicBody = (password = PASSWORD, extra: Record<string, unknown> = {}) => ({
    name: "Local basic",
    type: "custom",
    credentials: { url: `http://${basic.host}`, username: "alice", password },
    ...extra,
  });

  const validateAs = (auth: Auth, body: unknown, companyId = company.id) =>
    call(validate, apiRequest("POST", `/api/v1/companies/${companyId}/registries/validate`, auth, body), { companyId });
  const testAs = (auth: Auth, id: string, body?: unknown, companyId = company.id) =>
    call(testSaved, apiRequest("POST", `/api/v1/companies/${companyId}/registries/${id}/test`, auth, body), { companyId, id });

  async function createRegistry(auth: Auth, body: unknown, companyId = company.id): Promise<string> {
    const res = await call(create, apiRequest("POST", `/api/v1/companies/${companyId}/registries`, auth, body), { companyId });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    return (JSON.parse(text) as { id: string }).id;
  }

  async function latestTested(registryId: string) {
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, registryId), eq(auditEvents.action, "registry.tested")))
      .orderBy(desc(auditEvents.id))
      .limit(1);
    expect(event).toBeDefined();
    return event!;
  }

  async function tokenFor(userId: string, scopes: string[], companyId = company.id): Promise<string> {
    const { token } = await issueApiToken(t.db, { companyId, userId }, { name: `t-${scopes.join("-")}-${Math.random()}`, scopes }, {});
    return token;
  }

  async function memberAuth(role: "member" | "viewer" | "admin", label: string): Promise<{ auth: Auth; id: string }> {
    const user = await addMember(role, false, label);
    return { auth: { cookie: await sessionCookie(user.id) }, id: user.id };
  }

  beforeAll(async () => {
    process.env.BERTH_TEST_RATE_LIMIT = "1000";
    resetEnvCache();
    t = await useTestDb();
    dir = mkdtempSync(path.join(os.tmpdir(), "berth-test-api-"));
    ca = createTestCa(dir);
    tokenServer = await startTokenServer({ service: SERVICE, issuer: ISSUER, users: { carol: TOKEN_PASSWORD }, acl: { carol: { "*": ["pull"] } }, tls: { ca } });
    [basic, tokenRegistry, recorder, slow, silent] = await Promise.all([
      startRegistry({ auth: { type: "htpasswd", users: { alice: PASSWORD } } }),
      startRegistry({ auth: { type: "token", realm: tokenServer.realm, service: SERVICE, issuer: ISSUER, rootCertBundlePem: tokenServer.signerCertPem }, tls: { ca } }),
      // Another "registry" that records what it receives: Basic challenge, 200 for any credentials.
      startHttpServer((req, res) => {
        if (!req.headers.authorization) {
          res.writeHead(401, { ...v2Headers, "WWW-Authenticate": 'Basic realm="recorder"' });
          res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
          return;
        }
        res.writeHead(200, v2Headers);
        res.end("{}");
      }),
      // An anonymous registry that takes 1.5 s to answer.
      startHttpServer((_req, res) => {
        setTimeout(() => {
          res.writeHead(200, v2Headers);
          res.end("{}");
        }, 1500);
      }),
      startSilentServer(),
    ]);
    const seeded = await seedCompany(t.db);
    company = seeded.company;
    ownerId = seeded.owner.id;
    owner = { cookie: await sessionCookie(seeded.owner.id) };
    addMember = seeded.addMember;
  });

  afterAll(async () => {
    await Promise.all([basic?.stop(), tokenRegistry?.stop(), recorder?.stop(), slow?.stop(), silent?.stop()]);
    await tokenServer?.stop();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const [key, value] of [["BERTH_TEST_RATE_LIMIT", savedEnv.limit], ["BERTH_TEST_TIMEOUT_MS", savedEnv.timeout]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    resetEnvCache();
  });

  describe("validate (unsaved input)", () => {
    it("answers 200 success for good Basic credentials, with the catalogue's warnings and no secret", async () => {
      const res = await validateAs(owner, basicBody());
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const result = JSON.parse(text);
      expect(result).toMatchObject({ ok: true, status: "success", stage: "auth", details: { authScheme: "basic" } });
      expect(typeof result.latencyMs).toBe("number");
      expect(result.stages.map((s: { name: string }) => s.name)).toEqual(["format", "dns", "policy", "tcp", "ping", "challenge", "auth"]);
      // Plain HTTP is warned about once, at the body's path.
      expect(result.warnings.filter((w: { path?: string }) => w.path === "credentials.url")).toHaveLength(1);
      expect(result.warnings[0].message).toContain("Plain HTTP");
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(b64(`alice:${PASSWORD}`));
    });

    it("answers 200 invalid_credentials for a wrong password", async () => {
      const res = await validateAs(owner, basicBody("wrong-password-123"));
      expect(res.status).toBe(200);
      const result = await res.json();
      expect(result).toMatchObject({ ok: false, status: "invalid_credentials", stage: "auth" });
      expect(JSON.stringify(result)).not.toContain("wrong-password-123");
    });

    it("needs no name, and proves pull access to an image when asked", async () => {
      const { name: _name, ...body } = basicBody();
      void _name;
      const res = await validateAs(owner, { ...body, image: "team/missing:1.0" });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "forbidden", stage: "pull", details: { image: "team/missing:1.0" } });
    });

    it("answers 400 for a body that fails the format checks, before any network call", async () => {
      const before = recorder.requests.length;
      const missing = await validateAs(owner, { name: "x", type: "custom", credentials: { username: "alice", password: "p" } });
      expect(missing.status).toBe(400);
      expect((await missing.json()).errors).toEqual([{ path: "credentials.url", message: "Required" }]);

      const unknownKey = await validateAs(owner, { ...basicBody(), colour: "blue" });
      expect(unknownKey.status).toBe(400);
      expect((await unknownKey.json()).errors).toEqual([{ path: "colour", message: "Unknown field" }]);

      const badImage = await validateAs(owner, { ...basicBody(), credentials: { url: `http://${recorder.host}`, username: "a", password: "b" }, image: "UPPER/Case::x" });
      expect(badImage.status).toBe(400);
      expect((await badImage.json()).errors).toMatchObject([{ path: "image" }]);

      const notObject = await validateAs(owner, [1, 2]);
      expect(notObject.status).toBe(400);
      expect(recorder.requests.length).toBe(before);
    });

    it("serves the seed's generic body on /api/{companyId}/containerRegistryConfig/validate", async () => {
      const req = apiRequest("POST", `/api/${company.id}/containerRegistryConfig/validate`, owner, {
        name: "Seed",
        url: `http://${basic.host}`,
        username: "alice",
        password: PASSWORD,
      });
      const res = await call(seedValidate, req, { companyId: company.id });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(JSON.parse(text)).toMatchObject({ ok: true, status: "success", details: { authScheme: "basic" } });
      expect(text).not.toContain(PASSWORD);
    });

    it("signs in to a token-auth registry (Bearer) over TLS with a custom CA", async () => {
      const before = tokenServer.requests.length;
      const res = await validateAs(owner, {
        name: "Token",
        type: "custom",
        credentials: { url: tokenRegistry.host, username: "carol", password: TOKEN_PASSWORD, caCertificate: ca.certPem },
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const result = JSON.parse(text);
      expect(result).toMatchObject({ ok: true, status: "success", stage: "auth", details: { authScheme: "bearer", service: SERVICE } });
      expect(result.stages.map((s: { name: string }) => s.name)).toContain("token");
      expect(tokenServer.requests.slice(before)).toMatchObject([{ method: "GET", basicUser: "carol", status: 200 }]);
      expect(text).not.toContain(TOKEN_PASSWORD);
      expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    });
  });

  describe("test a saved registry", () => {
    let savedId: string;

    beforeAll(async () => {
      savedId = await createRegistry(owner, basicBody());
    });

    it("tests the saved credentials, stores lastTest (shown by GET) and writes an audit event without secrets", async () => {
      const fresh = await call(getOne, apiRequest("GET", "/x", owner), { companyId: company.id, id: savedId });
      expect((await fresh.json()).lastTest).toBeNull();

      const res = await testAs(owner, savedId); // no body at all
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const result = JSON.parse(text);
      expect(result).toMatchObject({ ok: true, status: "success", details: { authScheme: "basic" } });
      expect(text).not.toContain(PASSWORD);

      const got = await call(getOne, apiRequest("GET", "/x", owner), { companyId: company.id, id: savedId });
      const dto = await got.json();
      expect(dto.lastTest).toMatchObject({ status: "success", message: result.message });
      expect(Date.now() - Date.parse(dto.lastTest.checkedAt)).toBeLessThan(60_000);
      expect(dto.version).toBe(1); // a test is not an edit

      const events = await t.db.select().from(auditEvents).where(and(eq(auditEvents.targetId, savedId), eq(auditEvents.action, "registry.tested")));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actorUserId: ownerId, companyId: company.id });
      expect(events[0]!.metadata).toMatchObject({ status: "success", ok: true, recorded: true, hostChanged: false, overridden: [] });
      expect(JSON.stringify(events[0])).not.toContain(PASSWORD);
    });

    it("accepts an empty JSON body and blank secrets from an edit form as the saved values", async () => {
      const empty = await testAs(owner, savedId, {});
      expect(empty.status).toBe(200);
      const blank = await testAs(owner, savedId, { name: "Local basic", type: "custom", isActive: true, credentials: { url: `http://${basic.host}`, username: "alice", password: "" } });
      expect(blank.status).toBe(200);
      expect(await blank.json()).toMatchObject({ status: "success" });
      expect((await latestTested(savedId)).metadata).toMatchObject({ recorded: true, overridden: [] });
    });

    it("tests overrides on the same host without storing lastTest", async () => {
      const res = await testAs(owner, savedId, { credentials: { password: "not-the-password-1" } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "invalid_credentials" });
      const dto = await (await call(getOne, apiRequest("GET", "/x", owner), { companyId: company.id, id: savedId })).json();
      expect(dto.lastTest.status).toBe("success");
      const latest = await latestTested(savedId);
      expect(latest.metadata).toMatchObject({ status: "invalid_credentials", recorded: false, overridden: ["credentials.password"] });
      expect(JSON.stringify(latest)).not.toContain("not-the-password-1");
    });

    it("answers 400 for malformed overrides", async () => {
      const unknown = await testAs(owner, savedId, { credentials: { region: "us-east-1" } });
      expect(unknown.status).toBe(400);
      expect((await unknown.json()).errors).toEqual([{ path: "credentials.region", message: "Unknown field" }]);
      const typeChange = await testAs(owner, savedId, { type: "ghcr" });
      expect(typeChange.status).toBe(400);
      const extra = await testAs(owner, savedId, { password: "x" });
      expect((await extra.json()).errors).toEqual([{ path: "password", message: "Unknown field" }]);
      const text = apiRequest("POST", `/api/v1/companies/${company.id}/registries/${savedId}/test`, owner, "image=x", { "content-type": "text/plain" });
      expect((await call(testSaved, text, { companyId: company.id, id: savedId })).status).toBe(415);
    });

    describe("stored secrets only go to the stored host", () => {
      it("answers 400 naming the missing secret when the host changes without one, and sends nothing", async () => {
        const before = recorder.requests.length;
        const res = await testAs(owner, savedId, { credentials: { url: `http://${recorder.host}` } });
        expect(res.status).toBe(400);
        const problem = await res.json();
        expect(problem.detail).toContain("host changed");
        expect(problem.detail).toContain("password");
        expect(problem.errors).toEqual([{ path: "credentials.password", message: "Required: the registry host changed, so enter this secret again" }]);
        expect(recorder.requests.length).toBe(before);
      });

      it("treats http ↔ https on the same host as a host change", async () => {
        const res = await testAs(owner, savedId, { credentials: { url: basic.host } });
        expect(res.status).toBe(400);
        expect((await res.json()).errors).toEqual([{ path: "credentials.password", message: "Required: the registry host changed, so enter this secret again" }]);
      });

      it("uses the secret that comes with the new host, never the stored one", async () => {
        const before = recorder.requests.length;
        const res = await testAs(owner, savedId, { credentials: { url: `http://${recorder.host}`, password: OTHER_PASSWORD } });
        const text = await res.text();
        expect(res.status, text).toBe(200);
        expect(JSON.parse(text)).toMatchObject({ ok: true, status: "success", details: { authScheme: "basic" } });
        const received = recorder.requests.slice(before).map((r) => r.headers.authorization ?? "");
        expect(received).toContain(`Basic ${b64(`alice:${OTHER_PASSWORD}`)}`);
        for (const header of received) {
          expect(header).not.toContain(b64(`alice:${PASSWORD}`));
          expect(Buffer.from(header.replace(/^Basic /, ""), "base64").toString()).not.toContain(PASSWORD);
        }
        // The saved registry's lastTest is about the saved values only.
        const dto = await (await call(getOne, apiRequest("GET", "/x", owner), { companyId: company.id, id: savedId })).json();
        expect(dto.lastTest.status).toBe("success");
        expect(dto.lastTest.message).toContain(basic.host);
        const latest = await latestTested(savedId);
        expect(latest.metadata).toMatchObject({ hostChanged: true, recorded: false, url: recorder.host });
        expect(JSON.stringify(latest)).not.toContain(OTHER_PASSWORD);
      });

      it("never sends a stored secret even after many host changes (no request carried it)", () => {
        const all = recorder.requests.map((r) => r.headers.authorization ?? "").join("\n");
        expect(all).not.toContain(b64(`alice:${PASSWORD}`));
      });
    });

    it("stores a failing lastTest too (saved values), e.g. when the registry is down", async () => {
      const downId = await createRegistry(owner, { name: "Silent", type: "custom", credentials: { url: `http://${silent.host}`, username: "u", password: "silent-secret-1" } });
      process.env.BERTH_TEST_TIMEOUT_MS = "800";
      resetEnvCache();
      try {
        const res = await testAs(owner, downId);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ ok: false, status: "timeout" });
      } finally {
        delete process.env.BERTH_TEST_TIMEOUT_MS;
        resetEnvCache();
      }
      const dto = await (await call(getOne, apiRequest("GET", "/x", owner), { companyId: company.id, id: downId })).json();
      expect(dto.lastTest).toMatchObject({ status: "timeout" });
    });

    it("tests a saved token-auth registry (Bearer)", async () => {
      const id = await createRegistry(owner, {
        name: "Token saved",
        type: "custom",
        credentials: { url: tokenRegistry.host, username: "carol", password: TOKEN_PASSWORD, caCertificate: ca.certPem },
      });
      const res = await testAs(owner, id);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, status: "success", details: { authScheme: "bearer" } });
    });
  });

  describe("permissions", () => {
    let savedId: string;
    beforeAll(async () => {
      savedId = await createRegistry(owner, { ...basicBody(), name: "Perms", credentials: { ...basicBody().credentials, url: `http://${basic.host}/perms` } });
    });

    it("viewer: 403 on both; member: 200 on both", async () => {
      const viewer = await memberAuth("viewer", "viewer-p");
      expect((await testAs(viewer.auth, savedId)).status).toBe(403);
      expect((await validateAs(viewer.auth, basicBody())).status).toBe(403);
      const member = await memberAuth("member", "member-p");
      expect((await testAs(member.auth, savedId)).status).toBe(200);
      expect((await validateAs(member.auth, basicBody())).status).toBe(200);
    });

    it("tokens: registries:read (and registries:pull, which includes it) may test a saved registry but not validate; registries:write may validate", async () => {
      const read = await tokenFor(ownerId, ["registries:read"]);
      expect((await testAs({ token: read }, savedId)).status).toBe(200);
      expect((await validateAs({ token: read }, basicBody())).status).toBe(403);
      const write = await tokenFor(ownerId, ["registries:write"]);
      expect((await validateAs({ token: write }, basicBody())).status).toBe(200);
      expect((await testAs({ token: write }, savedId)).status).toBe(403);
      const pull = await tokenFor(ownerId, ["registries:pull"]);
      expect((await testAs({ token: pull }, savedId)).status).toBe(200);
      expect((await validateAs({ token: pull }, basicBody())).status).toBe(403);
    });

    it("a token never goes beyond its user's role (viewer with registries:read)", async () => {
      const viewer = await memberAuth("viewer", "viewer-tok");
      const token = await tokenFor(viewer.id, ["registries:read", "registries:write"]);
      expect((await testAs({ token }, savedId)).status).toBe(403);
    });

    it("another company's registry id is 404, as are malformed and unknown ids", async () => {
      const other = await seedCompany(t.db);
      const otherAuth = { cookie: await sessionCookie(other.owner.id) };
      const viaOwnCompany = await testAs(otherAuth, savedId, undefined, other.company.id);
      expect(viaOwnCompany.status).toBe(404);
      const viaForeignCompany = await testAs(otherAuth, savedId, undefined, company.id);
      expect(viaForeignCompany.status).toBe(404);
      expect((await testAs(owner, "not-a-uuid")).status).toBe(404);
      expect((await testAs(owner, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
      const tested = await t.db.select().from(auditEvents).where(and(eq(auditEvents.targetId, savedId), eq(auditEvents.companyId, other.company.id)));
      expect(tested).toHaveLength(0);
    });

    it("answers 401 without credentials", async () => {
      const res = await call(validate, apiRequest("POST", `/api/v1/companies/${company.id}/registries/validate`, {}, basicBody(), { origin: TEST_ORIGIN }), { companyId: company.id });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    });
  });

  describe("limits", () => {
    it(`answers 429 with Retry-After after BERTH_TEST_RATE_LIMIT tests per user per minute`, async () => {
      process.env.BERTH_TEST_RATE_LIMIT = "2";
      resetEnvCache();
      try {
        const member = await memberAuth("member", "member-rate");
        const id = await createRegistry(owner, { ...basicBody(), name: "Rate", credentials: { ...basicBody().credentials, url: `http://${basic.host}/rate` } });
        expect((await validateAs(member.auth, basicBody())).status).toBe(200);
        expect((await testAs(member.auth, id)).status).toBe(200);
        const before = recorder.requests.length;
        const limited = await validateAs(member.auth, { ...basicBody(), credentials: { url: `http://${recorder.host}`, username: "alice", password: OTHER_PASSWORD } });
        expect(limited.status).toBe(429);
        const retryAfter = Number(limited.headers.get("retry-after"));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(limited.headers.get("content-type")).toContain("application/problem+json");
        expect((await testAs(member.auth, id)).status).toBe(429);
        expect(recorder.requests.length).toBe(before); // refused before any network call
        // Per user: another member still may.
        const other = await memberAuth("member", "member-rate-2");
        expect((await validateAs(other.auth, basicBody())).status).toBe(200);
      } finally {
        process.env.BERTH_TEST_RATE_LIMIT = "1000";
        resetEnvCache();
      }
    });

    it(`runs at most ${MAX_CONCURRENT_TESTS_PER_COMPANY} tests at once per company (the 6th is 429) and frees the slots`, async () => {
      const seeded = await seedCompany(t.db);
      const auth = { cookie: await sessionCookie(seeded.owner.id) };
      const body = { name: "Slow", type: "public", credentials: { url: `http://${slow.host}` } };
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: MAX_CONCURRENT_TESTS_PER_COMPANY + 1 }, () => validateAs(auth, body, seeded.company.id)));
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const refused = answers.find((r) => r.status === 429)!;
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await refused.json()).detail).toContain("already running");
      expect(performance.now() - started).toBeGreaterThan(1400);
      // Another company is not affected, and the slots are free again afterwards.
      const leases = await t.db.select().from(rateEvents).where(and(eq(rateEvents.bucket, LEASE_BUCKET), eq(rateEvents.subject, seeded.company.id)));
      expect(leases).toHaveLength(0);
      const again = await validateAs(auth, body, seeded.company.id);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ status: "success" });
    });

    it("ignores leases left by a process that died (older than the timeout plus a margin)", async () => {
      const seeded = await seedCompany(t.db);
      const auth = { cookie: await sessionCookie(seeded.owner.id) };
      const old = new Date(Date.now() - 3600_000);
      await t.db.insert(rateEvents).values(Array.from({ length: MAX_CONCURRENT_TESTS_PER_COMPANY }, () => ({ bucket: LEASE_BUCKET, subject: seeded.company.id, createdAt: old })));
      const res = await validateAs(auth, basicBody(), seeded.company.id);
      expect(res.status).toBe(200);
      const fresh = new Date();
      await t.db.insert(rateEvents).values(Array.from({ length: MAX_CONCURRENT_TESTS_PER_COMPANY }, () => ({ bucket: LEASE_BUCKET, subject: seeded.company.id, createdAt: fresh })));
      const busy = await validateAs(auth, basicBody(), seeded.company.id);
      expect(busy.status).toBe(429);
      await t.db.delete(rateEvents).where(eq(rateEvents.subject, seeded.company.id));
    });

    it("ends promptly when the client disconnects (the request's AbortSignal), and frees the slot", async () => {
      const controller = new AbortController();
      const req = new NextRequest(new URL(`/api/v1/companies/${company.id}/registries/validate`, TEST_ORIGIN), {
        method: "POST",
        headers: { host: "localhost:3000", origin: TEST_ORIGIN, cookie: owner.cookie!, "content-type": "application/json", [PEER_HEADER]: stampedPeer("127.0.0.1") },
        body: JSON.stringify({ name: "Silent", type: "custom", credentials: { url: `http://${silent.host}`, username: "u", password: "silent-secret-2" } }),
        signal: controller.signal,
      });
      const started = performance.now();
      const pending = call(validate, req, { companyId: company.id });
      setTimeout(() => controller.abort(), 300);
      const res = await pending;
      const elapsed = performance.now() - started;
      expect(elapsed).toBeLessThan(2000); // the budget is 10 s
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: false, status: "timeout", details: { cancelled: true } });
      const leases = await t.db.select().from(rateEvents).where(and(eq(rateEvents.bucket, LEASE_BUCKET), eq(rateEvents.subject, company.id)));
      expect(leases).toHaveLength(0);
    });

    it("does not store lastTest for a cancelled test of a saved registry", async () => {
      const id = await createRegistry(owner, { name: "Silent saved", type: "custom", credentials: { url: `http://${silent.host}/cancelled`, username: "u", password: "silent-secret-3" } });
      const controller = new AbortController();
      const req = new NextRequest(new URL(`/api/v1/companies/${company.id}/registries/${id}/test`, TEST_ORIGIN), {
        method: "POST",
        headers: { host: "localhost:3000", origin: TEST_ORIGIN, cookie: owner.cookie!, [PEER_HEADER]: stampedPeer("127.0.0.1") },
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 200);
      const res = await call(testSaved, req, { companyId: company.id, id });
      expect(await res.json()).toMatchObject({ status: "timeout", details: { cancelled: true } });
      const dto = await (await call(getOne, apiRequest("GET", "/x", owner), { companyId: company.id, id })).json();
      expect(dto.lastTest).toBeNull();
    });
  });
});
