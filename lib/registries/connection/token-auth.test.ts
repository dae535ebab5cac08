import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOciLayout, pushOciLayout } from "@/lib/testing/oci";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { createTestCa, type TestCa } from "@/lib/testing/registry-certs";
import { startHttpServer } from "@/lib/testing/registry-servers";
import { issueServerCert } from "@/lib/testing/registry-certs";
import { startTokenServer, type RunningTokenServer, type TokenServerOptions } from "@/lib/testing/token-server";
import { createOutboundPolicy } from "./policy";
import { testConnection } from "./test-connection";
import type { ConnectionInput, LookupFunction, TestResult } from "./types";

const CAROL_PASSWORD = "carol-Distinctive-Secret-4481";
const DAVE_PASSWORD = "dave-Distinctive-Secret-7713";
const SERVICE = "berth-test-registry";
const ISSUER = "berth-test-issuer";
const policy = createOutboundPolicy({ allowCidrs: ["127.0.0.1/32"] });

const users = { carol: CAROL_PASSWORD, dave: DAVE_PASSWORD, "<token>": CAROL_PASSWORD };
const acl = {
  carol: { "team/app": ["pull", "push"], "team/empty": ["pull"] },
  "<token>": { "team/app": ["pull"] },
  dave: { "other/thing": ["pull"] },
  "": { "team/app": ["pull"] },
};

function expectNoSecrets(result: TestResult): void {
  const json = JSON.stringify(result);
  for (const secret of [CAROL_PASSWORD, DAVE_PASSWORD]) expect(json).not.toContain(secret);
  expect(json).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/); // no JWT
}

describe.skipIf(skipWithoutRegistryTools({ skopeo: true }))("token-auth registry", () => {
  let dir: string;
  let ca: TestCa;
  const cleanups: (() => Promise<void> | void)[] = [];
  let tokens: RunningTokenServer;
  let registry: RunningRegistry;

  async function tokenRegistry(options: Partial<TokenServerOptions> = {}, realmFor?: (server: RunningTokenServer) => string) {
    const server = await startTokenServer({ service: SERVICE, issuer: ISSUER, users, acl, tls: { ca }, ...options });
    cleanups.push(() => server.stop());
    const started = await startRegistry({
      auth: { type: "token", realm: realmFor?.(server) ?? server.realm, service: SERVICE, issuer: ISSUER, rootCertBundlePem: server.signerCertPem },
      tls: { ca },
    });
    cleanups.push(() => started.stop());
    return { server, registry: started };
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "berth-token-test-"));
    ca = createTestCa(dir);
    ({ server: tokens, registry } = await tokenRegistry());
    const layout = buildOciLayout({ tag: "v1" });
    cleanups.push(() => layout.remove());
    await pushOciLayout({ layout, registryHost: registry.host, repository: "team/app", credentials: { username: "carol", password: CAROL_PASSWORD }, caPem: ca.certPem });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const input = (overrides: Partial<ConnectionInput> = {}): ConnectionInput => ({
    type: "custom",
    host: registry.host,
    plainHttp: false,
    username: "carol",
    password: CAROL_PASSWORD,
    caCertificate: ca.certPem,
    ...overrides,
  });

  it("signs in with a token (GET flow with Basic, account and client_id, no scope)", async () => {
    const before = tokens.requests.length;
    const result = await testConnection(input(), { policy });
    expect(result).toMatchObject({
      ok: true,
      status: "success",
      stage: "auth",
      details: { authScheme: "bearer", realmHost: `127.0.0.1:${tokens.port}`, service: SERVICE },
    });
    expect(result.stages.map((stage) => stage.name)).toEqual(["format", "dns", "policy", "tcp", "tls", "ping", "challenge", "token", "auth"]);
    const [tokenRequest] = tokens.requests.slice(before);
    expect(tokenRequest).toMatchObject({ method: "GET", basicUser: "carol", status: 200, query: { service: [SERVICE], account: ["carol"], client_id: ["berth"] } });
    expect(tokenRequest?.query.scope).toBeUndefined();
    expectNoSecrets(result);
  });

  it("is invalid_credentials when the token service refuses the password", async () => {
    const result = await testConnection(input({ password: "not-carols-password-xyz" }), { policy });
    expect(result).toMatchObject({ ok: false, status: "invalid_credentials", stage: "token", details: { httpStatus: 401 } });
    expect(JSON.stringify(result)).not.toContain("not-carols-password-xyz");
  });

  it("proves pull access to a pushed image with a repository-scoped token", async () => {
    const before = tokens.requests.length;
    const result = await testConnection(input({ image: "team/app:v1" }), { policy });
    expect(result).toMatchObject({ status: "success", stage: "pull", details: { pullVerified: true, image: "team/app:v1" } });
    expect(result.message).toContain("can pull team/app:v1");
    expect(tokens.requests.slice(before).map((entry) => entry.query.scope)).toEqual([undefined, ["repository:team/app:pull"]]);
    expectNoSecrets(result);
  });

  it("accepts a full reference naming this registry", async () => {
    const result = await testConnection(input({ image: `${registry.host}/team/app:v1` }), { policy });
    expect(result).toMatchObject({ status: "success", details: { pullVerified: true } });
  });

  it("is forbidden for an image the user may not pull", async () => {
    const result = await testConnection(input({ username: "dave", password: DAVE_PASSWORD, image: "team/app:v1" }), { policy });
    expect(result).toMatchObject({ ok: false, status: "forbidden", stage: "pull", details: { httpStatus: 401 } });
    expect(result.message).toMatch(/Signed in, but pulling team\/app:v1 is not allowed/);
    expect(result.stages.find((stage) => stage.name === "auth")?.ok).toBe(true);
    expectNoSecrets(result);
  });

  it("is forbidden (not found) for an image that does not exist", async () => {
    const result = await testConnection(input({ image: "team/empty:v1" }), { policy });
    expect(result).toMatchObject({ status: "forbidden", stage: "pull", details: { httpStatus: 404 } });
    expect(result.message).toContain("not found");
  });

  it("uses the OAuth2 POST form for refresh-token credentials", async () => {
    const before = tokens.requests.length;
    const result = await testConnection(input({ username: "<token>", image: "team/app:v1" }), { policy });
    expect(result).toMatchObject({ status: "success", details: { pullVerified: true } });
    const posts = tokens.requests.slice(before);
    expect(posts.map((entry) => entry.method)).toEqual(["POST", "POST"]);
    expect(posts[1]?.form).toMatchObject({ grant_type: "refresh_token", client_id: "berth", service: SERVICE, scope: "repository:team/app:pull" });
    expectNoSecrets(result);
  });

  it("falls back from POST to GET when the token service answers 404 to the form", async () => {
    const other = await tokenRegistry({ post: "not-found" });
    const result = await testConnection(input({ host: other.registry.host, username: "<token>" }), { policy });
    expect(result.status).toBe("success");
    expect(other.server.requests.map((entry) => [entry.method, entry.status])).toEqual([["POST", 404], ["GET", 200]]);
  });

  it("works with a realm on another host name and port (localhost), skipping refused addresses", async () => {
    const other = await tokenRegistry({}, (server) => `https://localhost:${server.port}/token`);
    const lookup: LookupFunction = async (hostname) => {
      if (hostname !== "localhost") throw Object.assign(new Error(`unexpected lookup ${hostname}`), { code: "ENOTFOUND" });
      return [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }];
    };
    const result = await testConnection(input({ host: other.registry.host }), { policy, lookup });
    expect(result).toMatchObject({ status: "success", details: { realmHost: `localhost:${other.server.port}` } });
  });

  it("refuses a plain-HTTP realm for an HTTPS registry, without connecting to it", async () => {
    const realm = await startHttpServer((_req, res) => res.end('{"token":"t"}'));
    cleanups.push(() => realm.stop());
    const cert = issueServerCert(ca, dir, "fake-registry");
    const fake = await startHttpServer(
      (_req, res) => {
        res.writeHead(401, { "WWW-Authenticate": `Bearer realm="http://${realm.host}/token",service="x"` });
        res.end("{}");
      },
      { tls: { cert: cert.certPem, key: cert.keyPem } },
    );
    cleanups.push(() => fake.stop());
    const result = await testConnection(input({ host: fake.host }), { policy });
    expect(result).toMatchObject({ status: "blocked_by_policy", stage: "token" });
    expect(result.message).toContain("only HTTPS");
    expect(realm.connections()).toBe(0);
  });

  it("reaches a token registry anonymously for type public, and pulls anonymously", async () => {
    const result = await testConnection({ type: "public", host: registry.host, plainHttp: false, caCertificate: ca.certPem, image: "team/app:v1" }, { policy });
    expect(result).toMatchObject({ ok: true, status: "success", details: { authScheme: "bearer", pullVerified: true } });
    expect(result.message).toContain("anonymous access works");
  });
});
