/**
 * ECR pull secrets through the local signed endpoint of the ECR tests (`lib/testing/fake-ecr.ts`,
 * which verifies every SigV4 signature) and a real htpasswd registry as the proxy endpoint: the
 * keys are exchanged at that moment through the shared token cache, the `auths` key is the host
 * the password is for, `expiresAt` is the earliest expiry, and skopeo pulls with the answer.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditEvents, registryTokens } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { apiRequest, call } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { startFakeEcr, type RunningFakeEcr } from "@/lib/testing/fake-ecr";
import { restoreEnv, seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { buildOciLayout, pushOciLayout, type OciLayout } from "@/lib/testing/oci";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { createTestCa, type TestCa } from "@/lib/testing/registry-certs";
import { ROUTES } from "../registries.testkit";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
/** A registry ID whose proxy endpoint the fake names `localhost:PORT` (the same registry under another host). */
const OTHER_ACCOUNT = "210987654321";
const PASSWORD = "ecr-Pull-Secret-Password-Distinctive-4417";
const KEY = { accessKeyId: "AKIAB3RTHPULLKEY0001", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPULLKEY0001" };
const KEY2 = { accessKeyId: "AKIAB3RTHPULLKEY0002", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPULLKEY0002" };
const DENIED = { accessKeyId: "AKIAB3RTHPULLKEY0003", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPULLKEY0003" };

describe.skipIf(skipWithoutRegistryTools({ skopeo: true }))("ECR pull secrets", () => {
  let t: TestDb;
  let team: Team;
  let token: string;
  let dir: string;
  let ca: TestCa;
  let registry: RunningRegistry;
  let fake: RunningFakeEcr;
  let layout: OciLayout;
  const saved = { ...process.env };
  let twelveHour: string;

  const base = () => `/api/v1/companies/${team.company.id}/registries`;
  async function post(handler: (typeof ROUTES.v1)[keyof typeof ROUTES.v1], suffix: string, body: unknown) {
    const res = await call(handler, apiRequest("POST", `${base()}${suffix}`, { token }, body), { companyId: team.company.id });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) };
  }
  async function createEcr(key: { accessKeyId: string; secretAccessKey: string }, registryId?: string): Promise<string> {
    const a = await post(ROUTES.v1.create, "", { name: `ECR ${key.accessKeyId.slice(-4)} ${registryId ?? "any"}`, type: "ecr", credentials: { ...key, region: REGION, ...(registryId ? { registryId } : {}) } });
    expect(a.status, a.text).toBe(201);
    return a.body.id;
  }
  const pull = (body: unknown) => post(ROUTES.v1.pullSecret, "/pull-secret", body);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "berth-ecr-pull-"));
    ca = createTestCa(dir);
    process.env.NODE_EXTRA_CA_CERTS = ca.certPath;
    resetEnvCache();
    registry = await startRegistry({ auth: { type: "htpasswd", users: { AWS: PASSWORD } }, tls: { ca } });
    fake = await startFakeEcr({
      ca,
      keys: [KEY, KEY2, DENIED].map((k) => ({ ...k, account: ACCOUNT })),
      region: REGION,
      password: PASSWORD,
      proxyEndpoint: (_account, ids) => (ids?.[0] === OTHER_ACCOUNT ? `https://localhost:${registry.port}` : registry.url),
    });
    process.env.AWS_ENDPOINT_URL_ECR = fake.url;
    resetEnvCache();
    layout = buildOciLayout({ tag: "v1" });
    await pushOciLayout({ layout, registryHost: registry.host, repository: "team/api", credentials: { username: "AWS", password: PASSWORD }, caPem: ca.certPem });
    t = await useTestDb();
    team = await seedTeam(t.db);
    token = (await tokenFor(t.db, team.company.id, team.owner.id, { scopes: ["registries:write", "registries:pull"], name: "ecr" })).token;
  });

  afterAll(async () => {
    await Promise.all([registry?.stop(), fake?.stop()]);
    layout?.remove();
    await t?.close();
    restoreEnv(saved, ["AWS_ENDPOINT_URL_ECR", "NODE_EXTRA_CA_CERTS"]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    fake.setBehaviour({ kind: "token" });
    fake.setExpiresInSeconds(12 * 3600);
  });

  it("exchanges the keys at that moment, keys the entry by the proxy endpoint, and skopeo pulls with it", async () => {
    const id = await createEcr(KEY, ACCOUNT);
    twelveHour = id;
    const before = fake.requests.length;
    const a = await pull({ registryIds: [id], format: "dockerconfigjson" });
    expect(a.status, a.text).toBe(200);
    expect(fake.requests.length).toBe(before + 1);
    expect(a.body.content.auths).toEqual({ [registry.host]: { username: "AWS", password: PASSWORD, auth: Buffer.from(`AWS:${PASSWORD}`).toString("base64") } });
    expect(a.body.registries).toEqual([{ id, name: expect.any(String), host: registry.host, prefix: "" }]);
    const ttl = Date.parse(a.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(11.9 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(12 * 3600_000);
    // a second pull secret comes from the shared cache: no new request to AWS, the same expiry
    const again = await pull({ registryIds: [id], format: "docker-login" });
    expect(again.status).toBe(200);
    expect(fake.requests.length).toBe(before + 1);
    expect(again.body.expiresAt).toBe(a.body.expiresAt);
    expect(again.body.content).toContain(`docker login '${registry.host}' --username 'AWS' --password-stdin`);
    expect((await t.db.select().from(registryTokens).where(eq(registryTokens.registryId, id))).length).toBe(1);
    // the keys themselves never leave: not in the answer, not in the audit log
    expect(a.text + again.text).not.toContain(KEY.secretAccessKey);
    expect(JSON.stringify(await t.db.select().from(auditEvents))).not.toMatch(new RegExp(`${PASSWORD}|${KEY.secretAccessKey.replace(/\//g, "\\/")}`));
    // skopeo reads the pushed image with the answer
    const certDir = path.join(dir, "certs");
    mkdirSync(certDir, { recursive: true });
    writeFileSync(path.join(certDir, "ca.crt"), ca.certPem);
    const authfile = path.join(dir, "ecr-auth.json");
    writeFileSync(authfile, JSON.stringify(a.body.content), { mode: 0o600 });
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile("skopeo", ["inspect", "--retry-times", "0", "--authfile", authfile, "--cert-dir", certDir, `docker://${registry.host}/team/api:v1`], { env: { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir }, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, stdout, stderr }),
      );
    });
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).Digest).toBe(layout.manifestDigest);
  });

  it("expiresAt is the earliest of the exchanged passwords' expiries", async () => {
    fake.setExpiresInSeconds(2 * 3600);
    const soon = await createEcr(KEY2, OTHER_ACCOUNT);
    const early = await pull({ registryIds: [soon], format: "secret-data" });
    expect(early.status, early.text).toBe(200);
    fake.setExpiresInSeconds(12 * 3600);
    // with the 12-hour password of the first test (from the cache)
    const both = await pull({ registryIds: [twelveHour, soon], format: "dockerconfigjson" });
    expect(both.status, both.text).toBe(200);
    expect(Object.keys(both.body.content.auths).sort()).toEqual([registry.host, `localhost:${registry.port}`].sort());
    expect(both.body.expiresAt).toBe(early.body.expiresAt);
    const ttl = Date.parse(both.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(1.9 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(2 * 3600_000);
  });

  it("an image of any account in the region resolves to a registry without registry ID, which learns its host at the exchange", async () => {
    const id = await createEcr(KEY2);
    const image = `999999999999.dkr.ecr.${REGION}.amazonaws.com/team/api:v1`;
    const resolved = await post(ROUTES.v1.resolve, "/resolve", { image });
    expect(resolved.status, resolved.text).toBe(200);
    expect(resolved.body.registry).toMatchObject({ id, url: `dkr.ecr.${REGION}.amazonaws.com` });
    const a = await pull({ images: [image], format: "dockerconfigjson" });
    expect(a.status, a.text).toBe(200);
    expect(Object.keys(a.body.content.auths)).toEqual([registry.host]);
    const res = await call(ROUTES.v1.get, apiRequest("GET", `${base()}/${id}`, { token }), { companyId: team.company.id, id });
    expect((await res.json()).url).toBe(registry.host);
  });

  it("a refused exchange is a 502 naming the registry and AWS's error, with no secret", async () => {
    const id = await createEcr(DENIED, "333333333333");
    fake.setBehaviour({ kind: "error", type: "AccessDeniedException", message: "User is not authorized to perform ecr:GetAuthorizationToken" });
    const a = await pull({ registryIds: [id], format: "dockerconfigjson" });
    expect(a.status, a.text).toBe(502);
    expect(a.body.type).toBe("https://berth.dev/problems/bad-gateway");
    expect(a.body.detail).toContain("Could not get a registry password for");
    expect(a.body.detail).toContain("AccessDeniedException");
    expect(a.text).not.toContain(DENIED.secretAccessKey);
  });
});
