/**
 * The binding: where a registry's stored secrets may go. Unit tests of the rule, then the whole
 * table of binding changes through the API (test overrides by callers who may test but not
 * write, and PATCH/PUT by a writer) against loopback listeners that record every Authorization
 * header they receive.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PATCH as patchOne, PUT as putOne } from "@/app/api/v1/companies/[companyId]/registries/[id]/route";
import { POST as testSaved } from "@/app/api/v1/companies/[companyId]/registries/[id]/test/route";
import { POST as create } from "@/app/api/v1/companies/[companyId]/registries/route";
import { issueApiToken } from "@/lib/api-tokens/service";
import { resetEnvCache } from "@/lib/env";
import { apiRequest, call, seedCompany, sessionCookie } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { createTestCa, issueServerCert, type TestCa } from "@/lib/testing/registry-certs";
import { startHttpServer, type LoopbackServer } from "@/lib/testing/registry-servers";
import { bindingChanges, bindingOf, storedBindingOf, type Binding } from "./binding";

const SECRET = "stored-Binding-Secret-7741";
const NEW_SECRET = "given-Binding-Secret-3318";
const b64 = (text: string) => Buffer.from(text).toString("base64");
const v2Headers = { "Docker-Distribution-API-Version": "registry/2.0", "Content-Type": "application/json" };

describe("bindingChanges", () => {
  const base: Binding = bindingOf("custom", { url: "registry.example.com:5000/team", caCertificate: "CA-1", username: "u", password: "p" });
  const change = (credentials: Record<string, unknown>) =>
    bindingChanges(base, bindingOf("custom", { url: "registry.example.com:5000/team", caCertificate: "CA-1", ...credentials }))?.parts ?? [];

  it.each([
    ["nothing", {}, []],
    ["the username and password", { username: "other", password: "other" }, []],
    ["the host", { url: "other.example.com:5000/team" }, ["host"]],
    ["the port", { url: "registry.example.com:5001/team" }, ["port"]],
    ["the path prefix", { url: "registry.example.com:5000/other" }, ["path prefix"]],
    ["the scheme", { url: "http://registry.example.com:5000/team" }, ["plain HTTP"]],
    ["the CA certificate", { caCertificate: "CA-2" }, ["CA certificate changed"]],
    ["no CA certificate", { caCertificate: undefined }, ["CA certificate removed"]],
    ["skip-verify turned on", { insecureSkipVerify: true }, ["TLS verification skipped"]],
  ] as const)("%s → %j", (_, credentials, parts) => {
    expect(change(credentials)).toEqual(parts);
  });

  it("lets skip-verify be turned off without the secrets, and counts a CA added", () => {
    const skipping = bindingOf("custom", { url: "r.example", insecureSkipVerify: true });
    expect(bindingChanges(skipping, bindingOf("custom", { url: "r.example" }))).toBeNull();
    expect(bindingChanges(skipping, bindingOf("custom", { url: "r.example", caCertificate: "CA" }))?.parts).toEqual(["CA certificate added"]);
  });

  it("binds ECR's region and registry id", () => {
    const ecr = bindingOf("ecr", { region: "eu-west-1", registryId: "123456789012" });
    expect(ecr).toMatchObject({ url: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", also: { region: "eu-west-1", registryId: "123456789012" } });
    expect(bindingChanges(ecr, bindingOf("ecr", { region: "eu-west-1" }))?.parts).toEqual(["host", "registryId"]);
    expect(bindingChanges(ecr, bindingOf("ecr", { region: "eu-west-2", registryId: "123456789012" }))?.subject).toBe("host");
  });

  it("reads a saved registry's binding from its stored URL and transport", () => {
    const stored = storedBindingOf({ type: "custom", url: "r.example:5000", plainHttp: true, credentials: { url: "http://r.example:5000", insecureSkipVerify: true } });
    expect(stored).toEqual({ url: "r.example:5000", plainHttp: true, caCertificate: null, insecureSkipVerify: true, also: {} });
  });
});

type Auth = { cookie?: string; token?: string };

describe("the binding table through the API", () => {
  let t: TestDb;
  let dir: string;
  let ca: TestCa;
  let otherCa: TestCa;
  let tlsA: LoopbackServer;
  let tlsB: LoopbackServer;
  let plain: LoopbackServer;
  let company: { id: string };
  let writer: Auth;
  let tester: Auth;
  let readToken: Auth;
  const savedTimeout = process.env.BERTH_TEST_TIMEOUT_MS;

  /** Every Authorization header any listener received, in order. */
  const received: string[] = [];
  /** Answers like a registry: a Basic challenge without credentials, 200 with any. */
  const recording = (tls?: { cert: string; key: string }) =>
    startHttpServer((req, res) => {
      if (req.headers.authorization) received.push(req.headers.authorization);
      res.writeHead(req.headers.authorization ? 200 : 401, { ...v2Headers, ...(req.headers.authorization ? {} : { "WWW-Authenticate": 'Basic realm="binding"' }) });
      res.end("{}");
    }, tls ? { tls } : {});

  const listeners = () => [tlsA, tlsB, plain];
  const authorizations = () => received;
  const sent = (secret: string) => authorizations().some((h) => h === `Basic ${b64(`alice:${secret}`)}`);

  async function saveRegistry(name: string, credentials: Record<string, unknown>): Promise<string> {
    const res = await call(create, apiRequest("POST", `/api/v1/companies/${company.id}/registries`, writer, { name, type: "custom", credentials: { username: "alice", password: SECRET, ...credentials } }), { companyId: company.id });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    return (JSON.parse(text) as { id: string }).id;
  }

  const testAs = (auth: Auth, id: string, credentials: Record<string, unknown>) =>
    call(testSaved, apiRequest("POST", `/api/v1/companies/${company.id}/registries/${id}/test`, auth, { credentials }), { companyId: company.id, id });
  const patchAs = (auth: Auth, id: string, credentials: Record<string, unknown>) =>
    call(patchOne, apiRequest("PATCH", `/api/v1/companies/${company.id}/registries/${id}`, auth, { credentials }), { companyId: company.id, id });

  beforeAll(async () => {
    process.env.BERTH_TEST_TIMEOUT_MS = "3000";
    resetEnvCache();
    t = await useTestDb();
    dir = mkdtempSync(path.join(os.tmpdir(), "berth-binding-"));
    ca = createTestCa(dir, "ca");
    otherCa = createTestCa(dir, "other-ca");
    const cert = issueServerCert(ca, dir, "server");
    [tlsA, tlsB, plain] = await Promise.all([
      recording({ cert: cert.certPem, key: cert.keyPem }),
      recording({ cert: cert.certPem, key: cert.keyPem }),
      recording(),
    ]);
    const seeded = await seedCompany(t.db);
    company = seeded.company;
    writer = { cookie: await sessionCookie(seeded.owner.id) };
    // May test a saved registry, may not write it.
    tester = { cookie: await sessionCookie((await seeded.addMember("member", false, "tester")).id) };
    readToken = { token: (await issueApiToken(t.db, { companyId: company.id, userId: seeded.owner.id }, { name: "read", scopes: ["registries:read"] }, {})).token };
  });

  afterAll(async () => {
    await Promise.all(listeners().map((l) => l?.stop()));
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (savedTimeout === undefined) delete process.env.BERTH_TEST_TIMEOUT_MS;
    else process.env.BERTH_TEST_TIMEOUT_MS = savedTimeout;
    resetEnvCache();
  });

  // Each row: an override of the saved registry (127.0.0.1:A/team over TLS with the test CA)
  // that changes its binding, and what the 400 says changed.
  const rows = (prefix: string): [string, Record<string, unknown>, string][] => [
    ["host", { url: `localhost:${tlsA.port}/${prefix}` }, "host"],
    ["port", { url: `127.0.0.1:${tlsB.port}/${prefix}` }, "host"],
    ["path prefix", { url: `127.0.0.1:${tlsA.port}/${prefix}-other` }, "host"],
    ["scheme", { url: `http://127.0.0.1:${plain.port}/${prefix}` }, "host"],
    ["CA changed", { caCertificate: otherCa.certPem }, "TLS trust"],
    ["CA removed", { caCertificate: null }, "TLS trust"],
    ["skip-verify turned on", { insecureSkipVerify: true }, "TLS trust"],
  ];

  it("uses the stored secret where the saved registry points (the control)", async () => {
    const id = await saveRegistry("control", { url: `127.0.0.1:${tlsA.port}/control`, caCertificate: ca.certPem });
    const res = await testAs(tester, id, {});
    expect(await res.json()).toMatchObject({ ok: true, status: "success" });
    expect(sent(SECRET)).toBe(true);
  });

  describe.each([
    ["a member without manageRegistries", () => tester],
    ["a registries:read token", () => readToken],
  ])("a test override by %s", (_, who) => {
    it("is a 400 naming the change for every row of the table, and no Authorization reaches any listener", async () => {
      const prefix = `t${Math.random().toString(36).slice(2, 8)}`;
      const id = await saveRegistry(prefix, { url: `127.0.0.1:${tlsA.port}/${prefix}`, caCertificate: ca.certPem });
      const before = authorizations().length;
      for (const [row, override, subject] of rows(prefix)) {
        const res = await testAs(who(), id, override);
        const problem = await res.json();
        expect(res.status, `${row}: ${JSON.stringify(problem)}`).toBe(400);
        expect(problem.detail, row).toContain(`${subject} changed`);
        expect(problem.errors, row).toEqual([{ path: "credentials.password", message: `Required: the registry ${subject} changed, so enter this secret again` }]);
      }
      // CA added: a saved registry that skips verification, told to trust a CA of the caller's choosing.
      const skipping = await saveRegistry(`${prefix}-skip`, { url: `127.0.0.1:${tlsA.port}/${prefix}-skip`, insecureSkipVerify: true });
      const added = await testAs(who(), skipping, { caCertificate: otherCa.certPem, insecureSkipVerify: false });
      expect(added.status).toBe(400);
      expect((await added.json()).detail).toContain("CA certificate added");
      expect(authorizations().length).toBe(before);
    });
  });

  it("sends the secret given with a changed binding, never the stored one", async () => {
    const id = await saveRegistry("given", { url: `127.0.0.1:${tlsA.port}/given`, caCertificate: ca.certPem });
    const before = authorizations().length;
    for (const override of [{ url: `127.0.0.1:${tlsB.port}/given` }, { url: `127.0.0.1:${tlsA.port}/given-other` }, { url: `http://127.0.0.1:${plain.port}/given` }]) {
      const res = await testAs(tester, id, { ...override, password: NEW_SECRET });
      expect(await res.json()).toMatchObject({ ok: true, status: "success" });
    }
    const received = authorizations().slice(before);
    expect(received).toHaveLength(3);
    for (const header of received) expect(header).toBe(`Basic ${b64(`alice:${NEW_SECRET}`)}`);
  });

  it("lets anyone who may test turn skip-verify off without the secrets (a stricter trust)", async () => {
    const id = await saveRegistry("stricter", { url: `127.0.0.1:${tlsA.port}/strict`, caCertificate: ca.certPem, insecureSkipVerify: true });
    const before = authorizations().length;
    const res = await testAs(tester, id, { insecureSkipVerify: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, status: "success" });
    expect(authorizations().slice(before)).toEqual([`Basic ${b64(`alice:${SECRET}`)}`]);
  });

  it("applies the same table to PATCH and PUT by a writer: every secret again, nothing kept", async () => {
    const id = await saveRegistry("written", { url: `127.0.0.1:${tlsA.port}/written`, caCertificate: ca.certPem });
    for (const [row, override, subject] of rows("written")) {
      const res = await patchAs(writer, id, override);
      const problem = await res.json();
      expect(res.status, `${row}: ${JSON.stringify(problem)}`).toBe(400);
      expect(problem.errors, row).toEqual([{ path: "credentials.password", message: `Required: the registry ${subject} changed, so enter this secret again` }]);
    }
    const put = await call(
      putOne,
      apiRequest("PUT", `/api/v1/companies/${company.id}/registries/${id}`, writer, { name: "written", type: "custom", credentials: { url: `127.0.0.1:${tlsA.port}/written`, username: "alice", insecureSkipVerify: true, caCertificate: ca.certPem } }),
      { companyId: company.id, id },
    );
    expect(put.status).toBe(400);
    // With the secret the change is saved, and the stored secret is the new one.
    const moved = await patchAs(writer, id, { url: `127.0.0.1:${tlsB.port}/written`, password: NEW_SECRET });
    expect(moved.status).toBe(200);
    const before = authorizations().length;
    expect(await (await testAs(tester, id, {})).json()).toMatchObject({ ok: true });
    expect(authorizations().slice(before)).toEqual([`Basic ${b64(`alice:${NEW_SECRET}`)}`]);
    // Turning skip-verify off needs no secret.
    const skipping = await saveRegistry("written-skip", { url: `127.0.0.1:${tlsA.port}/w`, caCertificate: ca.certPem, insecureSkipVerify: true });
    expect((await patchAs(writer, skipping, { insecureSkipVerify: false })).status).toBe(200);
  });
});
