import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import Ajv from "ajv";
import { registryFixture } from "@/lib/registries/fixtures";
import { startFakeEcr, type RunningFakeEcr } from "@/lib/testing/fake-ecr";
import { buildOciLayout, pushOciLayout, type OciLayout } from "@/lib/testing/oci";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { createTestCa, type TestCa } from "@/lib/testing/registry-certs";
import { startBerth, type BerthServer } from "../support/server";
import { ADMIN, bootstrapOwner } from "../support/session";

/**
 * The two client helpers as a user installs them: downloaded from this Berth's /downloads, put on
 * PATH, configured with a `registries:pull` token, and driven by the real skopeo against real
 * `docker-registry` servers with htpasswd (TLS with a test CA, and plain HTTP), plus an ECR
 * registry behind the local signed AWS endpoint. Everything listens on 127.0.0.1.
 */

const stamp = Date.now().toString(36);
const PW = { tls: `tls-pw-${stamp}`, plain: `plain-pw-${stamp}`, a: `team-a-pw-${stamp}`, b: `team-b-pw-${stamp}`, ecr: `ecr-pw-${stamp}` };
const REGION = "us-east-1";
const ECR_KEY = { accessKeyId: "AKIAB3RTHHELPERTEST1", secretAccessKey: `wJalrXUtnFEMI/K7MDENG/bPxRfiCYHELPER${stamp}`.slice(0, 40).padEnd(40, "X") };
const ECR_LIFE_SECONDS = 1800;
const HUB = registryFixture("dockerhub").credentials as { username: string; password: string };

let dir: string;
let bin: string;
let ca: TestCa;
let certDir: string;
let tlsReg: RunningRegistry;
let plainReg: RunningRegistry;
let sharedReg: RunningRegistry;
let ecrReg: RunningRegistry;
let fake: RunningFakeEcr;
let berth: BerthServer;
let api: APIRequestContext;
let layout: OciLayout;
let companyId: string;
let companySlug: string;
/** Registries read, write and pull, for setting up. */
let adminToken: string;
/** Only `registries:pull`, as the helper is configured. */
let pullToken: string;
/** The kubelet provider's BERTH_TOKEN_FILE. */
let tokenFile: string;
const ids: Record<"tls" | "plain" | "a" | "b" | "hub" | "ecr", string> = { tls: "", plain: "", a: "", b: "", hub: "", ecr: "" };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: { NODE_ENV: "test", PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: path.join(dir, "config"), ...options.env } as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

const helperEnv = (token = pullToken) => ({ BERTH_URL: berth.url, BERTH_TOKEN: token, BERTH_COMPANY: companySlug });

/** `skopeo inspect` of HOST/team/app:1 with an auth file naming the berth helper for HOST. */
async function skopeoWithHelper(host: string, repository: string, tls: boolean, token = pullToken): Promise<Run> {
  const authFile = path.join(dir, `auth-${host.replace(/[^a-z0-9]/gi, "_")}.json`);
  fs.writeFileSync(authFile, JSON.stringify({ credHelpers: { [host]: "berth" } }));
  const args = ["inspect", "--retry-times", "0", "--authfile", authFile, ...(tls ? ["--cert-dir", certDir] : ["--tls-verify=false"]), `docker://${host}/${repository}:1`];
  return run("skopeo", args, { env: helperEnv(token) });
}

const auth = () => ({ Authorization: `Bearer ${adminToken}` });

async function createRegistry(body: Record<string, unknown>): Promise<string> {
  const res = await api.post(`/api/v1/companies/${companyId}/registries`, { data: body, headers: auth() });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).id;
}

async function createPullToken(extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
  const res = await api.post(`/api/v1/companies/${companyId}/tokens`, { data: { name: `helper ${stamp} ${Math.random()}`, scopes: ["registries:pull"], ...extra }, headers: { Origin: berth.url } });
  expect(res.status(), await res.text()).toBe(201);
  const body = await res.json();
  return { id: body.id, token: body.token };
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  skipWithoutRegistryTools({ skopeo: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-e2e-helpers-"));
  bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  ca = createTestCa(dir);
  certDir = path.join(dir, "certs");
  fs.mkdirSync(certDir);
  fs.copyFileSync(ca.certPath, path.join(certDir, "ca.crt"));
  [tlsReg, plainReg, sharedReg, ecrReg] = await Promise.all([
    startRegistry({ auth: { type: "htpasswd", users: { robot: PW.tls } }, tls: { ca } }),
    startRegistry({ auth: { type: "htpasswd", users: { plainbot: PW.plain } } }),
    startRegistry({ auth: { type: "htpasswd", users: { alice: PW.a, bob: PW.b } } }),
    startRegistry({ auth: { type: "htpasswd", users: { AWS: PW.ecr } }, tls: { ca } }),
  ]);
  layout = buildOciLayout({ tag: "1", content: `helpers ${stamp}` });
  await Promise.all([
    pushOciLayout({ layout, registryHost: tlsReg.host, repository: "team/app", credentials: { username: "robot", password: PW.tls }, caPem: ca.certPem }),
    pushOciLayout({ layout, registryHost: plainReg.host, repository: "team/app", credentials: { username: "plainbot", password: PW.plain } }),
    pushOciLayout({ layout, registryHost: sharedReg.host, repository: "team-a/app", credentials: { username: "alice", password: PW.a } }),
    pushOciLayout({ layout, registryHost: ecrReg.host, repository: "team/api", credentials: { username: "AWS", password: PW.ecr }, caPem: ca.certPem }),
  ]);
  fake = await startFakeEcr({ ca, keys: [{ ...ECR_KEY, account: "123456789012" }], region: REGION, password: PW.ecr, proxyEndpoint: () => ecrReg.url, expiresInSeconds: ECR_LIFE_SECONDS });
  berth = await startBerth({
    AWS_ENDPOINT_URL_ECR: fake.url,
    NODE_EXTRA_CA_CERTS: ca.certPath,
    BERTH_ADMIN_EMAIL: ADMIN.email,
    BERTH_ADMIN_PASSWORD: ADMIN.password,
    BERTH_COMPANY_NAME: ADMIN.company,
  });
  api = await playwrightRequest.newContext({ baseURL: berth.url });
  ({ companyId, companySlug, token: adminToken } = await bootstrapOwner(api, ["registries:read", "registries:write", "registries:pull"]));
  pullToken = (await createPullToken()).token;
  ids.tls = await createRegistry({ name: `TLS ${stamp}`, type: "custom", credentials: { url: tlsReg.host, username: "robot", password: PW.tls } });
  ids.plain = await createRegistry({ name: `Plain ${stamp}`, type: "custom", credentials: { url: `http://${plainReg.host}`, username: "plainbot", password: PW.plain } });
  ids.a = await createRegistry({ name: `Team A ${stamp}`, type: "custom", credentials: { url: `http://${sharedReg.host}/team-a`, username: "alice", password: PW.a } });
  ids.b = await createRegistry({ name: `Team B ${stamp}`, type: "custom", credentials: { url: `http://${sharedReg.host}/team-b`, username: "bob", password: PW.b } });
  ids.hub = await createRegistry(registryFixture("dockerhub"));
  ids.ecr = await createRegistry({ name: `ECR ${stamp}`, type: "ecr", credentials: { ...ECR_KEY, region: REGION } });

  // Installed as a user would: downloaded from this Berth, checked against its SHA-256, on PATH.
  for (const name of ["docker-credential-berth", "berth-credential-provider"]) {
    const res = await fetch(`${berth.url}/downloads/${name}`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(res.headers.get("x-checksum-sha256"));
    fs.writeFileSync(path.join(bin, name), bytes);
    fs.chmodSync(path.join(bin, name), 0o755);
  }
  tokenFile = path.join(dir, "kubelet-token");
  fs.writeFileSync(tokenFile, `${pullToken}\n`, { mode: 0o600 });
});

test.afterAll(async () => {
  await api?.dispose();
  await berth?.stop();
  await Promise.all([fake?.stop(), tlsReg?.stop(), plainReg?.stop(), sharedReg?.stop(), ecrReg?.stop()]);
  layout?.remove();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("the helpers download without authentication, byte for byte the checked source, with an ETag and a SHA-256", async () => {
  for (const name of ["docker-credential-berth", "berth-credential-provider"]) {
    const source = fs.readFileSync(path.resolve(__dirname, `../../lib/clients/${name}.js`));
    const res = await fetch(`${berth.url}/downloads/${name}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(source)).toBe(true);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${name}"`);
    expect(res.headers.get("x-checksum-sha256")).toBe(createHash("sha256").update(source).digest("hex"));
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await fetch(`${berth.url}/downloads/${name}`, { headers: { "If-None-Match": etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  }
  const version = await run("docker-credential-berth", ["version"]);
  expect(version.stdout).toMatch(/^docker-credential-berth \d+\.\d+\.\d+\n$/);
});

test("skopeo reads the private image over TLS and plain HTTP with credentials from the helper", async () => {
  const anonymous = await run("skopeo", ["inspect", "--retry-times", "0", "--cert-dir", certDir, `docker://${tlsReg.host}/team/app:1`]);
  expect(anonymous.code, "without the helper the registry refuses").not.toBe(0);

  const tls = await skopeoWithHelper(tlsReg.host, "team/app", true);
  expect(tls.code, tls.stderr).toBe(0);
  expect(JSON.parse(tls.stdout).Digest).toBe(layout.manifestDigest);

  const plain = await skopeoWithHelper(plainReg.host, "team/app", false);
  expect(plain.code, plain.stderr).toBe(0);
  expect(JSON.parse(plain.stdout).Digest).toBe(layout.manifestDigest);
  expect(tls.stdout + tls.stderr + plain.stdout + plain.stderr).not.toContain(pullToken);
});

test("get, list and store as the protocol says", async () => {
  const get = await run("docker-credential-berth", ["get"], { stdin: `https://${tlsReg.host}/v2/`, env: helperEnv() });
  expect(get.code, get.stderr).toBe(0);
  expect(JSON.parse(get.stdout)).toEqual({ ServerURL: `https://${tlsReg.host}/v2/`, Username: "robot", Secret: PW.tls });

  // Docker asks for Docker Hub by its legacy URL; Berth answers from the stored docker.io registry.
  const hub = await run("docker-credential-berth", ["get"], { stdin: "https://index.docker.io/v1/", env: helperEnv() });
  expect(hub.code, hub.stderr).toBe(0);
  expect(JSON.parse(hub.stdout)).toEqual({ ServerURL: "https://index.docker.io/v1/", Username: HUB.username, Secret: HUB.password });

  const list = await run("docker-credential-berth", ["list"], { env: helperEnv() });
  expect(list.code, list.stderr).toBe(0);
  expect(JSON.parse(list.stdout)).toMatchObject({
    [tlsReg.host]: "robot",
    [plainReg.host]: "plainbot",
    [`${sharedReg.host}/team-a`]: "alice",
    [`${sharedReg.host}/team-b`]: "bob",
    "https://index.docker.io/v1/": HUB.username,
  });
  expect(list.stdout).not.toContain(PW.tls);

  const store = await run("docker-credential-berth", ["store"], { stdin: JSON.stringify({ ServerURL: "example.test", Username: "u", Secret: "s" }), env: helperEnv() });
  expect(store).toMatchObject({ code: 0, stdout: "" });
  expect(store.stderr).toMatch(/store does nothing/);
});

test("a deactivated registry: the helper says not found and skopeo gets the registry's 401", async () => {
  const off = await api.patch(`/api/v1/companies/${companyId}/registries/${ids.plain}`, { data: { isActive: false }, headers: auth() });
  expect(off.status(), await off.text()).toBe(200);
  try {
    const get = await run("docker-credential-berth", ["get"], { stdin: plainReg.host, env: helperEnv() });
    expect(get.code).toBe(1);
    expect(get.stdout).toBe("credentials not found in native keychain\n");
    const skopeo = await skopeoWithHelper(plainReg.host, "team/app", false);
    expect(skopeo.code).not.toBe(0);
    expect(skopeo.stderr).toMatch(/401|unauthorized|authentication required/i);
  } finally {
    const on = await api.patch(`/api/v1/companies/${companyId}/registries/${ids.plain}`, { data: { isActive: true }, headers: auth() });
    expect(on.status()).toBe(200);
  }
});

test("a revoked token: the helper fails with the reason, and skopeo shows it", async () => {
  const { id, token } = await createPullToken();
  const ok = await run("docker-credential-berth", ["get"], { stdin: tlsReg.host, env: helperEnv(token) });
  expect(ok.code, ok.stderr).toBe(0);
  const revoke = await api.delete(`/api/v1/companies/${companyId}/tokens/${id}`, { headers: { Origin: berth.url } });
  expect(revoke.status()).toBe(204);
  const get = await run("docker-credential-berth", ["get"], { stdin: tlsReg.host, env: helperEnv(token) });
  expect(get.code).toBe(1);
  expect(get.stderr).toMatch(/Berth rejected the token \(401\): it is wrong, revoked or expired/);
  expect(get.stdout).not.toContain("{");
  const skopeo = await skopeoWithHelper(tlsReg.host, "team/app", true, token);
  expect(skopeo.code).not.toBe(0);
  expect(skopeo.stderr).toContain("Berth rejected the token (401)");
  expect(get.stderr + skopeo.stderr).not.toContain(token);
});

test("a token without registries:pull: the helper says which scope is missing", async () => {
  const res = await api.post(`/api/v1/companies/${companyId}/tokens`, { data: { name: `read only ${stamp}`, scopes: ["registries:read"] }, headers: { Origin: berth.url } });
  expect(res.status()).toBe(201);
  const { token } = await res.json();
  const get = await run("docker-credential-berth", ["get"], { stdin: tlsReg.host, env: helperEnv(token) });
  expect(get.code).toBe(1);
  expect(get.stderr).toMatch(/Berth refused \(403\): the token needs the registries:pull scope/);
  expect(get.stdout).not.toContain("{");
  expect(get.stdout + get.stderr).not.toContain(token);
});

test("two path-prefixed registries on one host: get is not found and says why", async () => {
  const get = await run("docker-credential-berth", ["get"], { stdin: sharedReg.host, env: helperEnv() });
  expect(get.code).toBe(1);
  expect(get.stdout).toBe("credentials not found in native keychain\n");
  expect(get.stderr).toContain(`2 registries share ${sharedReg.host}`);
  expect(get.stderr).toMatch(/kubelet credential provider or a \.dockerconfigjson/);
  expect(get.stdout + get.stderr).not.toContain(PW.a);
});

/** CredentialProviderResponse of k8s.io/kubelet/pkg/apis/credentialprovider/v1, transcribed. */
const RESPONSE_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "cacheKeyType"],
  properties: {
    // metav1.TypeMeta
    apiVersion: { const: "credentialprovider.kubelet.k8s.io/v1" },
    kind: { const: "CredentialProviderResponse" },
    // PluginCacheKeyType: required
    cacheKeyType: { enum: ["Image", "Registry", "Global"] },
    // *metav1.Duration, omitempty: time.Duration.String()
    cacheDuration: { type: "string", pattern: "^(?:[0-9]+h)?(?:[0-9]+m)?[0-9]+(?:\\.[0-9]+)?s$" },
    // map[string]AuthConfig, omitempty; keys host[:port][/path], globs allowed in the host
    auth: {
      type: "object",
      propertyNames: { pattern: "^[^/\\s]+(/[^\\s]+)?$" },
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["username", "password"],
        properties: { username: { type: "string" }, password: { type: "string" } },
      },
    },
  },
} as const;

test("the kubelet provider answers the v1 API for Docker Hub, a host with a port and a path prefix; its credentials read the image", async () => {
  const env = { BERTH_URL: berth.url, BERTH_TOKEN_FILE: tokenFile, BERTH_COMPANY: companyId };
  const validate = new Ajv({ allErrors: true, strict: true }).compile(RESPONSE_SCHEMA);
  const ask = async (image: string) => {
    const r = await run("berth-credential-provider", [], { stdin: JSON.stringify({ apiVersion: "credentialprovider.kubelet.k8s.io/v1", kind: "CredentialProviderRequest", image }), env });
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(validate(res), JSON.stringify(validate.errors)).toBe(true);
    expect(res.cacheKeyType).toBe("Registry");
    expect(res.cacheDuration).toBe("5m0s");
    return res.auth as Record<string, { username: string; password: string }>;
  };
  expect(await ask("nginx:1.27")).toEqual({ "docker.io": { username: HUB.username, password: HUB.password }, "index.docker.io": { username: HUB.username, password: HUB.password } });
  const withPort = await ask(`${tlsReg.host}/team/app:1`);
  expect(withPort).toEqual({ [tlsReg.host]: { username: "robot", password: PW.tls } });
  const prefixed = await ask(`${sharedReg.host}/team-a/app:1`);
  expect(prefixed).toEqual({ [`${sharedReg.host}/team-a`]: { username: "alice", password: PW.a }, [`${sharedReg.host}/team-b`]: { username: "bob", password: PW.b } });

  const creds = withPort[tlsReg.host]!;
  const skopeo = await run("skopeo", ["inspect", "--retry-times", "0", "--cert-dir", certDir, "--creds", `${creds.username}:${creds.password}`, `docker://${tlsReg.host}/team/app:1`]);
  expect(skopeo.code, skopeo.stderr).toBe(0);
  expect(JSON.parse(skopeo.stdout).Digest).toBe(layout.manifestDigest);
  const a = prefixed[`${sharedReg.host}/team-a`]!;
  const skopeoA = await run("skopeo", ["inspect", "--retry-times", "0", "--tls-verify=false", "--creds", `${a.username}:${a.password}`, `docker://${sharedReg.host}/team-a/app:1`]);
  expect(skopeoA.code, skopeoA.stderr).toBe(0);
});

test("with ECR behind the local signed endpoint, cacheDuration is at most half the token's remaining life", async () => {
  const env = { BERTH_URL: berth.url, BERTH_TOKEN_FILE: tokenFile, BERTH_COMPANY: companySlug, BERTH_CACHE_SECONDS: "86400" };
  const r = await run("berth-credential-provider", [], { stdin: JSON.stringify({ apiVersion: "credentialprovider.kubelet.k8s.io/v1", kind: "CredentialProviderRequest", image: `123456789012.dkr.ecr.${REGION}.amazonaws.com/team/api:1` }), env });
  expect(r.code, r.stderr).toBe(0);
  const res = JSON.parse(r.stdout);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(\d+)s$/.exec(res.cacheDuration);
  expect(match, res.cacheDuration).not.toBeNull();
  const seconds = Number(match![1] ?? 0) * 3600 + Number(match![2] ?? 0) * 60 + Number(match![3]);
  expect(seconds).toBeLessThanOrEqual(ECR_LIFE_SECONDS / 2);
  expect(seconds).toBeGreaterThan(ECR_LIFE_SECONDS / 2 - 60);
  // The fake's proxyEndpoint is the loopback registry: the exchanged login is keyed by that host.
  const login = res.auth[ecrReg.host];
  expect(login).toEqual({ username: "AWS", password: PW.ecr });
  const skopeo = await run("skopeo", ["inspect", "--retry-times", "0", "--cert-dir", certDir, "--creds", `AWS:${login.password}`, `docker://${ecrReg.host}/team/api:1`]);
  expect(skopeo.code, skopeo.stderr).toBe(0);
  expect(fake.requests.length).toBeGreaterThan(0);

  // The registry has learned its host at that exchange: skopeo through the helper reads it too.
  const viaHelper = await skopeoWithHelper(ecrReg.host, "team/api", true);
  expect(viaHelper.code, viaHelper.stderr).toBe(0);
  expect(JSON.parse(viaHelper.stdout).Digest).toBe(layout.manifestDigest);
});

test("each use is recorded with the client named: helper and kubelet, and audited", async () => {
  const get = await run("docker-credential-berth", ["get"], { stdin: tlsReg.host, env: helperEnv() });
  expect(get.code, get.stderr).toBe(0);
  const provider = await run("berth-credential-provider", [], {
    stdin: JSON.stringify({ apiVersion: "credentialprovider.kubelet.k8s.io/v1", kind: "CredentialProviderRequest", image: `${tlsReg.host}/team/app:1` }),
    env: { BERTH_URL: berth.url, BERTH_TOKEN_FILE: tokenFile, BERTH_COMPANY: companySlug },
  });
  expect(provider.code, provider.stderr).toBe(0);
  const uses = await api.get(`/api/v1/companies/${companyId}/registries/${ids.tls}/uses?limit=100`, { headers: auth() });
  expect(uses.status()).toBe(200);
  const items = (await uses.json()).items as { client: string; operation: string; subject: string | null }[];
  expect(items.some((u) => u.client === "helper" && u.operation === "pull-secret" && u.subject === tlsReg.host)).toBe(true);
  expect(items.some((u) => u.client === "kubelet" && u.operation === "pull-secret" && u.subject === tlsReg.host)).toBe(true);

  const audit = await api.get(`/api/v1/companies/${companyId}/audit-events?filter.action=registry.pull_secret_issued&limit=100`);
  expect(audit.status()).toBe(200);
  const events = (await audit.json()).items as { metadata: Record<string, unknown> }[];
  const clients = new Set(events.map((e) => e.metadata.client));
  expect(clients.has("helper")).toBe(true);
  expect(clients.has("kubelet")).toBe(true);
  expect(JSON.stringify(events)).not.toContain(PW.tls);
});

test("a token limited to one registry gets not found for another registry's host", async () => {
  // Tokens limited to registries (`registryIds`) come with Settings › Integrations.
  const { token } = await createPullToken({ registryIds: [ids.tls] });
  const own = await run("docker-credential-berth", ["get"], { stdin: tlsReg.host, env: helperEnv(token) });
  expect(own.code, own.stderr).toBe(0);
  expect(JSON.parse(own.stdout)).toMatchObject({ Username: "robot", Secret: PW.tls });
  const other = await run("docker-credential-berth", ["get"], { stdin: plainReg.host, env: helperEnv(token) });
  expect(other.code).toBe(1);
  expect(other.stdout).toBe("credentials not found in native keychain\n");
});
