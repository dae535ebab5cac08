/**
 * Amazon ECR end to end, on this machine only: a loopback HTTPS endpoint plays the AWS API
 * (`lib/testing/fake-ecr.ts`, which verifies every SigV4 signature with @smithy/signature-v4,
 * independently of aws4fetch that signs) and answers with a token for a real htpasswd
 * `docker-registry` over TLS. `AWS_ENDPOINT_URL_ECR` points at the fake and
 * `NODE_EXTRA_CA_CERTS` holds the test CA that both servers' certificates come from.
 * Route handlers are called directly, as Next would; PGlite, or PostgreSQL with DATABASE_URL.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DELETE as deleteOne, GET as getOne, PATCH as patchOne } from "@/app/api/v1/companies/[companyId]/registries/[id]/route";
import { POST as testSaved } from "@/app/api/v1/companies/[companyId]/registries/[id]/test/route";
import { POST as create } from "@/app/api/v1/companies/[companyId]/registries/route";
import { POST as validate } from "@/app/api/v1/companies/[companyId]/registries/validate/route";
import { auditEvents, registryTokens } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { apiRequest, call, seedCompany, sessionCookie } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { restoreEnv } from "@/lib/testing/identity";
import { startFakeEcr, type RunningFakeEcr } from "@/lib/testing/fake-ecr";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { createTestCa, issueServerCert, type TestCa } from "@/lib/testing/registry-certs";
import { startHttpServer, type LoopbackServer } from "@/lib/testing/registry-servers";
import type { TestResult } from "../connection/types";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const REGISTRY_PASSWORD = "ecr-Registry-Password-Distinctive-7731";
const KEY = { accessKeyId: "AKIAB3RTHTESTKEY0001", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY0001" };
const KEY2 = { accessKeyId: "AKIAB3RTHTESTKEY0002", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY0002" };
const TEMP = { accessKeyId: "ASIAB3RTHTESTKEY0003", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY0003", sessionToken: "IQoJb3JpZ2luX2VjEDistinctiveSessionToken==" };
const SECRETS = [KEY.secretAccessKey, KEY2.secretAccessKey, TEMP.secretAccessKey, TEMP.sessionToken, REGISTRY_PASSWORD, Buffer.from(`AWS:${REGISTRY_PASSWORD}`).toString("base64")];

type Auth = { cookie?: string };

function expectNoSecret(text: string) {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

/** Runs the "another instance" script; resolves with its JSON line. */
function otherInstance(registryId: string, databaseUrl: string): Promise<{ cached: boolean; host: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve("node_modules/.bin/tsx"), ["--conditions=react-server", "lib/testing/ecr-exchange-child.ts", registryId], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split("\n").pop()!) as { cached: boolean; host: string });
    });
  });
}

describe.skipIf(skipWithoutRegistryTools())("Amazon ECR: exchange, Test Connection and the shared token cache", () => {
  let t: TestDb;
  let dir: string;
  let ca: TestCa;
  let registry: RunningRegistry;
  let fake: RunningFakeEcr;
  let skewed: RunningFakeEcr;
  let recorder: LoopbackServer;
  /** Where the fake sends clients: the htpasswd registry unless a test says otherwise. */
  let proxyFor: (account: string, registryIds: string[] | undefined) => string;
  let company: { id: string };
  let owner: Auth;
  const saved = { ...process.env };

  const useEndpoint = (url: string) => {
    process.env.AWS_ENDPOINT_URL_ECR = url;
    resetEnvCache();
  };
  const ecrBody = (key: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = KEY, extra: Record<string, string> = {}, name = `ECR ${Math.random().toString(36).slice(2, 8)}`) => ({
    name,
    type: "ecr",
    credentials: { ...key, region: REGION, ...extra },
  });
  const validateEcr = async (body: unknown): Promise<TestResult> => {
    const res = await call(validate, apiRequest("POST", `/api/v1/companies/${company.id}/registries/validate`, owner, body), { companyId: company.id });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expectNoSecret(text);
    return JSON.parse(text) as TestResult;
  };
  const testEcr = async (id: string, body?: unknown): Promise<TestResult> => {
    const res = await call(testSaved, apiRequest("POST", `/api/v1/companies/${company.id}/registries/${id}/test`, owner, body), { companyId: company.id, id });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expectNoSecret(text);
    return JSON.parse(text) as TestResult;
  };
  const createEcr = async (body: unknown): Promise<{ id: string; url: string; version: number }> => {
    const res = await call(create, apiRequest("POST", `/api/v1/companies/${company.id}/registries`, owner, body), { companyId: company.id });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    return JSON.parse(text) as { id: string; url: string; version: number };
  };
  const getEcr = async (id: string) => {
    const res = await call(getOne, apiRequest("GET", `/api/v1/companies/${company.id}/registries/${id}`, owner), { companyId: company.id, id });
    expect(res.status).toBe(200);
    return (await res.json()) as { url: string; version: number; lastTest: { status: string } | null };
  };
  const cacheRow = async (id: string) => (await t.db.select().from(registryTokens).where(eq(registryTokens.registryId, id)))[0];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "berth-ecr-"));
    ca = createTestCa(dir);
    process.env.NODE_EXTRA_CA_CERTS = ca.certPath;
    process.env.BERTH_TEST_RATE_LIMIT = "1000";
    resetEnvCache();
    t = await useTestDb();
    const recorderCert = issueServerCert(ca, dir, "recorder");
    [registry, recorder] = await Promise.all([
      startRegistry({ auth: { type: "htpasswd", users: { AWS: REGISTRY_PASSWORD } }, tls: { ca } }),
      // A registry that records every Authorization header it is sent: Basic challenge, 200 for the right one.
      startHttpServer(
        (req, res) => {
          const expected = `Basic ${Buffer.from(`AWS:${REGISTRY_PASSWORD}`).toString("base64")}`;
          const headers = { "Docker-Distribution-API-Version": "registry/2.0", "Content-Type": "application/json" };
          if (req.headers.authorization !== expected) {
            res.writeHead(401, { ...headers, "WWW-Authenticate": `Basic realm="https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/",service="ecr.amazonaws.com"` });
            res.end('{"errors":[{"code":"DENIED","message":"Your authorization token has expired. Reauthenticate and try again."}]}');
            return;
          }
          res.writeHead(200, headers);
          res.end("{}");
        },
        { tls: { cert: recorderCert.certPem, key: recorderCert.keyPem } },
      ),
    ]);
    proxyFor = () => registry.url;
    const keys = [
      { ...KEY, account: ACCOUNT },
      { ...KEY2, account: ACCOUNT },
      { ...TEMP, account: ACCOUNT },
    ];
    [fake, skewed] = await Promise.all([
      startFakeEcr({ ca, keys, region: REGION, password: REGISTRY_PASSWORD, latencyMs: 150, proxyEndpoint: (account, ids) => proxyFor(account, ids) }),
      startFakeEcr({ ca, keys, region: REGION, password: REGISTRY_PASSWORD, clockSkewSeconds: 20 * 60, proxyEndpoint: () => registry.url }),
    ]);
    useEndpoint(fake.url);
    const seeded = await seedCompany(t.db);
    company = seeded.company;
    owner = { cookie: await sessionCookie(seeded.owner.id) };
  });

  afterAll(async () => {
    await Promise.all([registry?.stop(), recorder?.stop(), fake?.stop(), skewed?.stop()]);
    await t?.close();
    restoreEnv(saved, ["AWS_ENDPOINT_URL_ECR", "NODE_EXTRA_CA_CERTS", "BERTH_TEST_RATE_LIMIT", "OUTBOUND_ALLOW_CIDRS"]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    fake.setBehaviour({ kind: "token" });
    fake.setExpiresInSeconds(12 * 3600);
    proxyFor = () => registry.url;
    useEndpoint(fake.url);
  });

  it("validates unsaved keys end to end: aws-auth, then the registry stages at the returned endpoint with the returned token", async () => {
    const before = fake.requests.length;
    const result = await validateEcr(ecrBody());
    expect(result).toMatchObject({ ok: true, status: "success", stage: "auth" });
    expect(result.message).toContain(`Signed in to ${registry.host} as AWS`);
    expect(result.stages.map((s) => s.name)).toEqual(["format", "aws-auth", "dns", "policy", "tcp", "tls", "ping", "challenge", "auth"]);
    const awsAuth = result.stages.find((s) => s.name === "aws-auth")!;
    expect(awsAuth.ok).toBe(true);
    expect(awsAuth.ms).toBeGreaterThanOrEqual(100); // the fake answers after 150 ms
    expect(awsAuth.detail).toContain(`GetAuthorizationToken at 127.0.0.1:${fake.port}`);
    expect(result.details.exchange).toMatchObject({ endpoint: `127.0.0.1:${fake.port}`, registryHost: registry.host, cached: false });
    expect(Date.parse(result.details.exchange!.expiresAt) - Date.now()).toBeGreaterThan(11 * 3600_000);
    expect(result.details.registryHost).toBe(registry.host);
    expect(fake.requests.slice(before)).toEqual([expect.objectContaining({ accessKeyId: KEY.accessKeyId, status: 200, hadSessionToken: false, contentType: "application/x-amz-json-1.1" })]);
  });

  it("proves pull access to an image given as a full ECR reference", async () => {
    const result = await validateEcr({ ...ecrBody(), image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team/api:1.0` });
    // The htpasswd registry has no such image: the pull stage ran against the returned endpoint.
    expect(result).toMatchObject({ status: "forbidden", stage: "pull" });
    expect(result.stages.map((s) => s.name)).toContain("aws-auth");
    expect(result.message).toContain("team/api");
  });

  it("sends the access key only to the AWS endpoint and the token only to the returned endpoint", async () => {
    proxyFor = () => `https://${recorder.host}`;
    const before = recorder.requests.length;
    const result = await validateEcr(ecrBody());
    expect(result.status).toBe("success");
    const seen = recorder.requests.slice(before).map((r) => r.headers.authorization ?? "");
    expect(seen).toEqual(["", `Basic ${Buffer.from(`AWS:${REGISTRY_PASSWORD}`).toString("base64")}`]);
    for (const request of recorder.requests) expect(JSON.stringify(request.headers)).not.toMatch(/AWS4-HMAC-SHA256|AKIAB3RTH|ASIAB3RTH|x-amz/i);
  });

  it("signs temporary keys with their session token (checked by the endpoint)", async () => {
    const before = fake.requests.length;
    expect(await validateEcr(ecrBody(TEMP))).toMatchObject({ status: "success" });
    expect(fake.requests.slice(before)).toEqual([expect.objectContaining({ accessKeyId: TEMP.accessKeyId, hadSessionToken: true, status: 200 })]);
    const wrong = await validateEcr(ecrBody({ ...TEMP, sessionToken: "IQoJb3JpZ2luX2VjEWrongSessionToken==" }));
    expect(wrong).toMatchObject({ ok: false, status: "invalid_credentials", stage: "aws-auth" });
    expect(wrong.details.errorCode).toBe("UnrecognizedClientException");
  });

  it.each([
    ["an unknown access key", () => ecrBody({ accessKeyId: "AKIAB3RTHUNKNOWNKEY9", secretAccessKey: KEY.secretAccessKey }), "invalid_credentials", "UnrecognizedClientException", /does not know the access key ID AKIAB3RTHUNKNOWNKEY9/],
    ["a wrong secret (the signature does not verify)", () => ecrBody({ accessKeyId: KEY.accessKeyId, secretAccessKey: KEY2.secretAccessKey }), "invalid_credentials", "InvalidSignatureException", /secret access key does not match/],
  ])("classifies %s", async (_what, body, status, code, message) => {
    const result = await validateEcr(body());
    expect(result).toMatchObject({ ok: false, status, stage: "aws-auth" });
    expect(result.details.errorCode).toBe(code);
    expect(result.message).toMatch(message);
    expect(result.stages.map((s) => s.name)).toEqual(["format", "aws-auth"]);
  });

  it.each([
    [{ kind: "error", type: "AccessDeniedException", message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken" }, "forbidden", /not allowed ecr:GetAuthorizationToken/],
    [{ kind: "error", type: "RequestExpired", message: "Request has expired." }, "invalid_credentials", /Check this server's clock/],
    [{ kind: "error", type: "ThrottlingException", message: "Rate exceeded" }, "rate_limited", /throttling/],
    [{ kind: "error", type: "ServerException", status: 500, message: "internal" }, "registry_error", /AWS had a problem/],
    [{ kind: "html" }, "not_a_registry", /200 with something that is not an AWS API answer/],
    [{ kind: "status", status: 502, body: "Bad Gateway" }, "not_a_registry", /not an AWS API answer/],
  ] as const)("classifies the answer %o as %s", async (behaviour, status, message) => {
    fake.setBehaviour(behaviour);
    const result = await validateEcr(ecrBody());
    expect(result).toMatchObject({ ok: false, status, stage: "aws-auth" });
    expect(result.message).toMatch(message);
  });

  it("never shows a secret an AWS error echoes back", async () => {
    fake.setBehaviour({ kind: "error", type: "ServerException", status: 500, message: `could not use ${KEY.secretAccessKey}` });
    const result = await validateEcr(ecrBody()); // validateEcr checks the answer holds no secret
    expect(result).toMatchObject({ status: "registry_error", stage: "aws-auth" });
    expect(result.message).toContain("[redacted]");
  });

  it("says to check the clock when AWS finds the signature's time skewed", async () => {
    useEndpoint(skewed.url);
    const result = await validateEcr(ecrBody());
    expect(result).toMatchObject({ ok: false, status: "invalid_credentials", stage: "aws-auth" });
    expect(result.message).toMatch(/Signature expired/);
    expect(result.message).toMatch(/Check this server's clock/);
  });

  it("refuses a proxy endpoint of another account than the registry ID, before sending the token anywhere", async () => {
    proxyFor = () => `https://999999999999.dkr.ecr.${REGION}.amazonaws.com`;
    const before = fake.requests.length;
    const result = await validateEcr(ecrBody(KEY, { registryId: ACCOUNT }));
    expect(result).toMatchObject({ ok: false, status: "registry_error", stage: "aws-auth" });
    expect(result.message).toContain("account 999999999999");
    expect(result.message).toContain(`registry ID ${ACCOUNT}`);
    expect(result.stages.map((s) => s.name)).toEqual(["format", "aws-auth"]); // no DNS lookup of the other host
    expect(fake.requests.slice(before)).toEqual([expect.objectContaining({ registryIds: [ACCOUNT] })]);
  });

  it("sends the AWS request through the outbound policy like any other", async () => {
    process.env.OUTBOUND_ALLOW_CIDRS = "10.0.0.0/8";
    resetEnvCache();
    try {
      const before = fake.requests.length;
      const result = await validateEcr(ecrBody());
      expect(result).toMatchObject({ ok: false, status: "blocked_by_policy", stage: "aws-auth" });
      expect(fake.requests.length).toBe(before);
    } finally {
      process.env.OUTBOUND_ALLOW_CIDRS = saved.OUTBOUND_ALLOW_CIDRS;
      resetEnvCache();
    }
  });

  it("learns the registry's URL from the first exchange of a saved registry, and then answers from the cache", async () => {
    const created = await createEcr(ecrBody());
    expect(created.url).toBe(`dkr.ecr.${REGION}.amazonaws.com`);
    const before = fake.requests.length;
    const first = await testEcr(created.id);
    expect(first).toMatchObject({ ok: true, status: "success" });
    expect(first.details.exchange?.cached).toBe(false);
    expect(first.details.urlLearned).toBe(true);
    expect(fake.requests.length).toBe(before + 1);
    const after = await getEcr(created.id);
    expect(after.url).toBe(registry.host);
    expect(after.version).toBe(created.version + 1);
    expect(after.lastTest?.status).toBe("success");
    const [learned] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.targetId, created.id), eq(auditEvents.action, "registry.url_learned")));
    expect(learned?.metadata).toMatchObject({ from: `dkr.ecr.${REGION}.amazonaws.com`, url: registry.host });
    expectNoSecret(JSON.stringify(learned));

    const second = await testEcr(created.id);
    expect(second).toMatchObject({ ok: true, status: "success" });
    expect(second.details.exchange?.cached).toBe(true);
    expect(second.details.urlLearned).toBeUndefined();
    expect(second.stages.find((s) => s.name === "aws-auth")?.detail).toMatch(/^cached token/);
    expect(fake.requests.length).toBe(before + 1);

    // The cached row is encrypted: no secret in it as stored.
    const row = await cacheRow(created.id);
    expect(row).toMatchObject({ companyId: company.id, registryHost: registry.host });
    expectNoSecret(JSON.stringify(row));
    // Renaming keeps the learned URL and the cached password (the binding did not change).
    const renamed = await call(patchOne, apiRequest("PATCH", `/api/v1/companies/${company.id}/registries/${created.id}`, owner, { name: `${created.id.slice(0, 6)} renamed` }), { companyId: company.id, id: created.id });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { url: string }).url).toBe(registry.host);
    expect(await cacheRow(created.id)).toBeDefined();
  });

  it("exchanges again when the cached password expires within 15 minutes", async () => {
    const created = await createEcr(ecrBody());
    await testEcr(created.id);
    await t.db.update(registryTokens).set({ expiresAt: new Date(Date.now() + 14 * 60_000) }).where(eq(registryTokens.registryId, created.id));
    const before = fake.requests.length;
    const result = await testEcr(created.id);
    expect(result.details.exchange?.cached).toBe(false);
    expect(fake.requests.length).toBe(before + 1);
    expect((await cacheRow(created.id))!.expiresAt.getTime() - Date.now()).toBeGreaterThan(11 * 3600_000);
  });

  it("makes one AWS request for five tests of one registry at once (the company's limit)", async () => {
    const created = await createEcr(ecrBody());
    const before = fake.requests.length;
    const results = await Promise.all(Array.from({ length: 5 }, () => testEcr(created.id)));
    for (const result of results) expect(result.status).toBe("success");
    expect(fake.requests.length).toBe(before + 1);
  });

  it("drops the cached password when the keys change, and uses the new keys", async () => {
    const created = await createEcr(ecrBody());
    await testEcr(created.id);
    expect(await cacheRow(created.id)).toBeDefined();
    const res = await call(
      patchOne,
      apiRequest("PATCH", `/api/v1/companies/${company.id}/registries/${created.id}`, owner, { credentials: { accessKeyId: KEY2.accessKeyId, secretAccessKey: KEY2.secretAccessKey } }),
      { companyId: company.id, id: created.id },
    );
    expect(res.status).toBe(200);
    expect(await cacheRow(created.id)).toBeUndefined();
    const before = fake.requests.length;
    expect((await testEcr(created.id)).details.exchange?.cached).toBe(false);
    expect(fake.requests.slice(before)).toEqual([expect.objectContaining({ accessKeyId: KEY2.accessKeyId })]);
  });

  it("does not use the cache for keys given with a test, nor store the result as the registry's", async () => {
    const created = await createEcr(ecrBody());
    await testEcr(created.id);
    const before = fake.requests.length;
    const overridden = await testEcr(created.id, { credentials: { secretAccessKey: KEY2.secretAccessKey } });
    // KEY's id with KEY2's secret: the endpoint refuses the signature; the cached password was not used.
    expect(overridden).toMatchObject({ status: "invalid_credentials", stage: "aws-auth" });
    expect(fake.requests.length).toBe(before + 1);
    expect((await getEcr(created.id)).lastTest?.status).toBe("success");
  });

  it("drops the cached password when the registry is deleted", async () => {
    const created = await createEcr(ecrBody());
    await testEcr(created.id);
    expect(await cacheRow(created.id)).toBeDefined();
    const res = await call(deleteOne, apiRequest("DELETE", `/api/v1/companies/${company.id}/registries/${created.id}`, owner), { companyId: company.id, id: created.id });
    expect(res.status).toBe(204);
    expect(await cacheRow(created.id)).toBeUndefined();
  });

  it("shares the cached password with another instance (another process on the same database), and two cold instances make one request", async (ctx) => {
    if (!t.url) {
      // PGlite is one process by construction: there is no other instance to share with.
      if (process.env.CI === "true") throw new Error("CI runs this on PostgreSQL (DATABASE_URL)");
      ctx.skip();
      return;
    }
    const created = await createEcr(ecrBody());
    await testEcr(created.id);
    const before = fake.requests.length;
    expect(await otherInstance(created.id, t.url)).toEqual({ cached: true, host: registry.host, expiresAt: expect.any(String) });
    expect(fake.requests.length).toBe(before);

    await t.db.delete(registryTokens).where(eq(registryTokens.registryId, created.id));
    const [a, b] = await Promise.all([otherInstance(created.id, t.url), otherInstance(created.id, t.url)]);
    expect([a.cached, b.cached].sort()).toEqual([false, true]);
    expect(fake.requests.length).toBe(before + 1);
  }, 60_000);
});
