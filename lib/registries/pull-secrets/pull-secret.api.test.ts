/**
 * Resolve, pull secrets, usage and the delete guard through the route handlers, as Next calls
 * them; PGlite, or PostgreSQL with DATABASE_URL. The roles × scopes table of both endpoints is
 * in registries.permissions.test.ts; ECR is in ecr-pull-secret.test.ts; real clients (skopeo)
 * in pull-secret.skopeo.test.ts.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { auditEvents, registries, registryUseDaily, registryUses } from "@/db/schema";
import { apiRequest, call } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { seedTeam, tokenFor, withEnv, type Team } from "@/lib/testing/identity";
import * as usesRoute from "@/app/api/v1/companies/[companyId]/registries/[id]/uses/route";
import { FAKE_SERVICE_ACCOUNT_KEY, registryFixture } from "../fixtures";
import { createRecorder, expectFieldErrors, expectProblem, ROUTES, type Answer, type Auth } from "../registries.testkit";
import { REGISTRY_TYPE_KEYS, type RegistryTypeKey } from "../schemas";
import { PULL_RATE_BUCKET } from "./issue";
import { pruneRegistryUses } from "../usage";
import { rateEvents } from "@/db/schema";

let t: TestDb;
let team: Team;
let owner: Auth;
let pullToken: { token: string; id: string };
const rec = createRecorder();
const v1 = rec.api("v1");

/** Calls a route without the recorder's leak scan (pull-secret answers hold secrets by design). */
async function send(handler: (typeof ROUTES.v1)[keyof typeof ROUTES.v1], method: string, path: string, auth: Auth, params: Record<string, string>, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await call(handler, apiRequest(method, path, auth, body, headers), params);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}
const base = () => `/api/v1/companies/${team.company.id}/registries`;
const pull = (auth: Auth, body: unknown, headers: Record<string, string> = {}) => send(ROUTES.v1.pullSecret, "POST", `${base()}/pull-secret`, auth, { companyId: team.company.id }, body, headers);
const resolve = (auth: Auth, image: unknown, headers: Record<string, string> = {}) => send(ROUTES.v1.resolve, "POST", `${base()}/resolve`, auth, { companyId: team.company.id }, { image }, headers);
const uses = (auth: Auth, id: string, query = "") =>
  send(usesRoute.GET as (typeof ROUTES.v1)["get"], "GET", `${base()}/${id}/uses${query ? `?${query}` : ""}`, auth, { companyId: team.company.id, id });

async function create(body: unknown): Promise<{ id: string; url: string; name: string }> {
  const a = await v1.create(owner, team.company.id, body);
  expect(a.status, a.text).toBe(201);
  return a.body;
}
let seq = 0;
const custom = (url: string, extra: Record<string, unknown> = {}) => ({ name: `custom ${seq++}`, type: "custom", credentials: { url, username: `user${seq}`, password: `password-${seq}-distinctive`, ...extra } });

beforeAll(async () => {
  t = await useTestDb();
  team = await seedTeam(t.db);
  owner = { cookie: team.users.owner.cookie };
  pullToken = await tokenFor(t.db, team.company.id, team.users.admin.id, { scopes: ["registries:pull"], name: "deploy bot" });
});
afterAll(async () => {
  await t?.close();
});

/** The `auths` key, username and password each type signs in with, written out from the SPEC. */
const EXPECTED_AUTHS: Record<Exclude<RegistryTypeKey, "ecr" | "public">, [string, string, string]> = {
  ghcr: ["ghcr.io", "berth-fixture", "ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0000"],
  dockerhub: ["https://index.docker.io/v1/", "berthfixture", "dckr_pat_FAKE-fake-FAKE-fake-0000"],
  acr: ["berthfixture.azurecr.io", "berthfixture", "fake-acr-password"],
  gcr: ["eu.gcr.io", "_json_key", FAKE_SERVICE_ACCOUNT_KEY],
  gar: ["europe-west1-docker.pkg.dev", "_json_key", FAKE_SERVICE_ACCOUNT_KEY],
  quay: ["quay.io", "berthfixture+puller", "FAKE0QUAY0ROBOT0TOKEN0000000000"],
  gitlab: ["registry.gitlab.com", "gitlab+deploy-token-1", "gldt-FAKEfakeFAKEfake0000"],
  harbor: ["harbor.example.com", "robot$berth-fixture", "fake-harbor-robot-secret"],
  artifactory: ["art.example.com/docker-remote", "ci-puller", "fake-identity-token"],
  digitalocean: ["registry.digitalocean.com/berth-fixture", "dop_v1_FAKEfakeFAKEfakeFAKEfakeFAKEfake0000", "dop_v1_FAKEfakeFAKEfakeFAKEfakeFAKEfake0000"],
  ocir: ["iad.ocir.io", "berthfixture/puller@example.com", "FAKE-ocir-auth-token-0000"],
  custom: ["registry.example.com:5000", "deploy", "fake-password"],
};

describe("pull secrets: the auths of every type, in every format", () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    for (const type of REGISTRY_TYPE_KEYS) {
      if (type === "ecr") continue;
      ids[type] = (await create(registryFixture(type))).id;
    }
  });

  it("keys, usernames and passwords come from each type's module (Docker Hub under its v1 URL, Google as _json_key, DigitalOcean's token twice)", async () => {
    const types = Object.keys(EXPECTED_AUTHS) as (keyof typeof EXPECTED_AUTHS)[];
    const a = await pull({ token: pullToken.token }, { registryIds: [...types.map((k) => ids[k]!), ids.public!], format: "dockerconfigjson" });
    expect(a.status, a.text).toBe(200);
    expect(a.headers.get("cache-control")).toBe("no-store");
    expect(a.body.format).toBe("dockerconfigjson");
    expect(a.body.expiresAt).toBeNull();
    const auths = a.body.content.auths as Record<string, { username: string; password: string; auth: string }>;
    expect(Object.keys(auths).sort()).toEqual(types.map((k) => EXPECTED_AUTHS[k][0]).sort());
    for (const type of types) {
      const [key, username, password] = EXPECTED_AUTHS[type];
      expect(auths[key], type).toEqual({ username, password, auth: Buffer.from(`${username}:${password}`).toString("base64") });
    }
    // the service-account key is the password, byte for byte: JSON that survives JSON
    expect(JSON.parse(auths["eu.gcr.io"]!.password)).toMatchObject({ type: "service_account" });
    // the public registry adds nothing; the answer lists what it holds
    expect(a.body.registries).toHaveLength(types.length);
    expect(a.body.registries.find((r: { id: string }) => r.id === ids.artifactory)).toEqual({ id: ids.artifactory, name: "Fixture Artifactory", host: "art.example.com", prefix: "docker-remote" });
    expect(a.body.registries.map((r: { id: string }) => r.id)).not.toContain(ids.public);
  });

  it("the four formats hold the same credentials", async () => {
    const registryIds = [ids.ghcr!, ids.gcr!, ids.custom!];
    const json = (await pull(owner, { registryIds, format: "dockerconfigjson" })).body.content;
    const data = await pull(owner, { registryIds, format: "secret-data" });
    expect(data.status).toBe(200);
    expect(Object.keys(data.body.content)).toEqual([".dockerconfigjson"]);
    expect(JSON.parse(data.body.content[".dockerconfigjson"])).toEqual(json);
    const k8s = await pull(owner, { registryIds, format: "kubernetes", name: "registry-creds", namespace: "team-a" });
    expect(k8s.status, k8s.text).toBe(200);
    const secret = parseYaml(k8s.body.content);
    expect(secret).toMatchObject({ apiVersion: "v1", kind: "Secret", type: "kubernetes.io/dockerconfigjson", metadata: { name: "registry-creds", namespace: "team-a" } });
    expect(JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString("utf8"))).toEqual(json);
    const login = await pull(owner, { registryIds, format: "docker-login" });
    expect(login.body.content).toContain("printf '%s' 'ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0000' | docker login 'ghcr.io' --username 'berth-fixture' --password-stdin\n");
    expect(login.body.content).toContain("docker login 'eu.gcr.io' --username '_json_key' --password-stdin");
    const hub = await pull(owner, { registryIds: [ids.dockerhub!], format: "docker-login" });
    expect(hub.body.content).toBe("printf '%s' 'dckr_pat_FAKE-fake-FAKE-fake-0000' | docker login 'docker.io' --username 'berthfixture' --password-stdin\n");
  });

  it("checks the Secret's name and namespace against DNS-1123, with field paths", async () => {
    expectFieldErrors(await pull(owner, { registryIds: [ids.ghcr!], format: "kubernetes", name: "Not_Valid", namespace: "x".repeat(64) }), ["name", "namespace"]);
    expectFieldErrors(await pull(owner, { registryIds: [ids.ghcr!], format: "docker-login", namespace: "team-a" }), ["namespace"]);
  });
});

describe("resolve", () => {
  const r: Record<string, string> = {};

  beforeAll(async () => {
    // the ghcr.io registry without a prefix is the fixture created above (user berth-fixture)
    r.root = (await t.db.select({ id: registries.id }).from(registries).where(eq(registries.url, "ghcr.io")))[0]!.id;
    r.orgA = (await create({ name: "ghcr org-a", type: "ghcr", credentials: { username: "a", token: "ghp_orgaFAKEtokenFAKEtokenFAKEtoken00", url: "ghcr.io/org-a" } })).id;
    r.orgATeam = (await create({ name: "ghcr org-a/team", type: "ghcr", credentials: { username: "t", token: "ghp_teamFAKEtokenFAKEtokenFAKEtoken00", url: "ghcr.io/org-a/team" } })).id;
    r.orgBPublic = (await create({ name: "ghcr org-b public", type: "public", credentials: { url: "ghcr.io/org-b" } })).id;
    r.orgB = (await create({ name: "ghcr org-b", type: "ghcr", credentials: { username: "b", token: "ghp_orgbFAKEtokenFAKEtokenFAKEtoken00", url: "ghcr.io/org-b" } })).id;
    r.orgAInactive = (await create({ name: "ghcr org-a/team/x inactive", type: "ghcr", isActive: false, credentials: { username: "i", token: "ghp_inacFAKEtokenFAKEtokenFAKEtoken00", url: "ghcr.io/org-a/team/x" } })).id;
    r.deleted = (await create({ name: "ghcr org-a/team/y deleted", type: "ghcr", credentials: { username: "d", token: "ghp_deleFAKEtokenFAKEtokenFAKEtoken00", url: "ghcr.io/org-a/team/y" } })).id;
    expect((await v1.delete(owner, team.company.id, r.deleted)).status).toBe(204);
    r.ecrAny = (await create({ name: "ecr any account", type: "ecr", credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "eu-central-1" } })).id;
    r.local = (await create(custom("http://127.0.0.1:5999"))).id;
    r.v6 = (await create(custom("[::1]:5998"))).id;
  });

  it.each([
    ["ghcr.io/org-a/api:v2.1.0", "orgA"],
    ["ghcr.io/org-a/team/api", "orgATeam"],
    ["ghcr.io/org-a/team/x/api", "orgATeam"], // the inactive, longer prefix never matches
    ["ghcr.io/org-a/team/y/api", "orgATeam"], // nor the deleted one
    ["ghcr.io/org-c/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "root"],
    ["ghcr.io/org-b/api:1", "orgB"], // credentials beat public at the same prefix
    ["123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/api:1", "ecrAny"], // any account in the region until the host is learned
    ["127.0.0.1:5999/team/app:1", "local"],
    ["[0::1]:5998/x", "v6"],
  ])("%s → the %s registry", async (image, which) => {
    const a = await resolve({ token: pullToken.token }, image);
    expect(a.status, a.text).toBe(200);
    expect(a.headers.get("cache-control")).toBe("no-store");
    expect(a.body.registry.id).toBe(r[which]);
    expect(a.body.registry.secretsSet).toBeDefined();
    expect(a.body.registry.lastUsedAt).not.toBeNull();
    expect(a.text).not.toMatch(/ghp_|wJalr/);
  });

  it("404 says a public image needs no credentials", async () => {
    const a = await resolve(owner, "images.example.org/org/app:1");
    const p = expectProblem(a, 404, "not-found");
    expect(p.detail).toContain("A public image needs no credentials");
    expect(p.detail).toContain("images.example.org/org/app:1");
    expectProblem(await resolve(owner, "123456789012.dkr.ecr.us-west-2.amazonaws.com/x"), 404, "not-found");
  });

  it.each([
    ["Team/App", /lower case/],
    ["ghcr.io//api", /empty part/],
    ["app@sha256:abc", /digest/],
    ["", /empty/],
  ])("400 with the reason for %j", async (image, reason) => {
    const [issue] = expectFieldErrors(await resolve(owner, image), ["image"]);
    expect(issue!.message).toMatch(reason);
  });

  it("400 for a body that is not {image}", async () => {
    expectFieldErrors(await send(ROUTES.v1.resolve, "POST", `${base()}/resolve`, owner, { companyId: team.company.id }, { image: 5 }), ["image"]);
    expectFieldErrors(await send(ROUTES.v1.resolve, "POST", `${base()}/resolve`, owner, { companyId: team.company.id }, { image: "x", extra: true }), [""]);
  });

  it("pull-secret by image picks what resolve picks; by host, every registry on the host", async () => {
    const byImage = await pull(owner, { images: ["ghcr.io/org-a/team/api", "ghcr.io/org-a/other", "ghcr.io/org-b/x", "ghcr.io/org-a/team/api:2"], format: "dockerconfigjson" });
    expect(byImage.status, byImage.text).toBe(200);
    expect(Object.keys(byImage.body.content.auths).sort()).toEqual(["ghcr.io/org-a", "ghcr.io/org-a/team", "ghcr.io/org-b"]);
    const byHost = await pull(owner, { hosts: ["ghcr.io"], format: "dockerconfigjson" });
    expect(byHost.status, byHost.text).toBe(200);
    // every active registry with credentials, all prefixes; not the inactive, deleted or public ones
    expect(Object.keys(byHost.body.content.auths).sort()).toEqual(["ghcr.io", "ghcr.io/org-a", "ghcr.io/org-a/team", "ghcr.io/org-b"]);
    expect(byHost.body.content.auths["ghcr.io/org-a/team"].username).toBe("t");
    expect(byHost.body.registries.map((x: { prefix: string }) => x.prefix).sort()).toEqual(["", "org-a", "org-a/team", "org-b"]);
  });

  it("pull-secret: unknown or deleted ids 404, inactive 400, unmatched images and hosts 404, each named", async () => {
    const unknown = expectProblem(await pull(owner, { registryIds: [r.root!, r.deleted!, "nope"], format: "dockerconfigjson" }), 404, "not-found");
    expect(unknown.detail).toBe("Registry not found (registryIds.1, registryIds.2)");
    const inactive = expectFieldErrors(await pull(owner, { registryIds: [r.root!, r.orgAInactive!], format: "dockerconfigjson" }), ["registryIds.1"]);
    expect(inactive[0]!.message).toContain('"ghcr org-a/team/x inactive" is inactive');
    const images = expectProblem(await pull(owner, { images: ["ghcr.io/org-a/x", "images.example.org/a/b", "gcr.io/p/i"], format: "dockerconfigjson" }), 404, "not-found");
    expect(images.detail).toContain("images.example.org/a/b, gcr.io/p/i");
    expect(images.detail).toContain("A public image needs no credentials");
    const hosts = expectProblem(await pull(owner, { hosts: ["ghcr.io", "images.example.org"], format: "dockerconfigjson" }), 404, "not-found");
    expect(hosts.detail).toBe("No active registry on images.example.org.");
    expectFieldErrors(await pull(owner, { images: ["ok/app", "Bad/App"], format: "dockerconfigjson" }), ["images.1"]);
    expectFieldErrors(await pull(owner, { hosts: ["ghcr.io/org-a"], format: "dockerconfigjson" }), ["hosts.0"]);
    expectFieldErrors(await pull(owner, { hosts: ["ghcr.io"], images: ["x"], format: "dockerconfigjson" }), ["hosts"]);
    expectFieldErrors(await pull(owner, { hosts: Array.from({ length: 51 }, () => "ghcr.io"), format: "dockerconfigjson" }), ["hosts"]);
    expectFieldErrors(await pull(owner, { hosts: ["ghcr.io"], format: "pem" }), ["format"]);
  });

  it("an image only a public registry covers gives an empty auths (it needs no credentials)", async () => {
    await create({ name: "quay public", type: "public", credentials: { url: "quay.io/public-org" } });
    const a = await pull(owner, { images: ["quay.io/public-org/app:1"], format: "dockerconfigjson" });
    expect(a.status, a.text).toBe(200);
    expect(a.body).toMatchObject({ content: { auths: {} }, registries: [], expiresAt: null });
  });

  it("a registry whose secret is not stored is a 400 naming it", async () => {
    const [row] = await t.db.insert(registries).values({ companyId: team.company.id, type: "custom", name: "no secret", url: "nosecret.example.com", credentials: { url: "nosecret.example.com", username: "u" } }).returning();
    const [issue] = expectFieldErrors(await pull(owner, { hosts: ["nosecret.example.com"], format: "dockerconfigjson" }), ["hosts.0"]);
    expect(issue!.message).toBe('The registry "no secret" has no stored password: add it to issue a pull secret');
    await t.db.delete(registries).where(eq(registries.id, row!.id));
  });
});

describe("audit, rate limit, usage and the delete guard", () => {
  let a: { id: string };
  let b: { id: string };

  beforeAll(async () => {
    a = await create(custom("usage-a.example.com", { password: "usage-A-password-distinctive" }));
    b = await create(custom("usage-b.example.com/team", { password: "usage-B-password-distinctive" }));
  });

  it("audits every pull secret: who, token or session, registries, images, address, format, client; never a secret", async () => {
    const before = await t.db.$count(auditEvents, eq(auditEvents.companyId, team.company.id));
    const res = await pull({ token: pullToken.token, peer: "127.0.0.9" }, { images: ["usage-a.example.com/app:1", "usage-b.example.com/team/api"], format: "kubernetes" }, { "user-agent": "berth-credential-provider/1.2.3" });
    expect(res.status, res.text).toBe(200);
    const rows = await t.db.select().from(auditEvents).where(eq(auditEvents.companyId, team.company.id));
    expect(rows.length).toBe(before + 1);
    const ev = rows.find((row) => row.action === "registry.pull_secret_issued" && row.actorTokenId === pullToken.id)!;
    expect(ev).toMatchObject({ actorUserId: team.users.admin.id, actorTokenId: pullToken.id, ip: "127.0.0.9" });
    expect(ev.metadata).toEqual({
      format: "kubernetes",
      client: "kubelet",
      via: "token",
      registryIds: [a.id, b.id],
      registries: [expect.stringMatching(/^custom /), expect.stringMatching(/^custom /)],
      images: ["usage-a.example.com/app:1", "usage-b.example.com/team/api"],
      name: null,
      namespace: null,
      expiresAt: null,
      userAgent: "berth-credential-provider/1.2.3",
    });
    const session = await pull({ cookie: team.users.owner.cookie }, { registryIds: [a.id], format: "docker-login" });
    expect(session.status).toBe(200);
    const [last] = await t.db.select().from(auditEvents).where(eq(auditEvents.companyId, team.company.id)).orderBy(auditEvents.id).limit(1).offset(before + 1);
    expect(last).toMatchObject({ action: "registry.pull_secret_issued", actorUserId: team.owner.id, actorTokenId: null, targetId: a.id, metadata: expect.objectContaining({ via: "session", client: "api", requestedIds: [a.id] }) });
    // no secret of any registry in any audit row (all forms: plain, JSON-escaped, base64)
    const audit = JSON.stringify(await t.db.select().from(auditEvents));
    for (const secret of ["usage-A-password-distinctive", "usage-B-password-distinctive", "ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0000", "fake-acr-password"]) {
      expect(audit).not.toContain(secret);
      expect(audit).not.toContain(Buffer.from(secret).toString("base64").slice(0, 20));
    }
    expect(audit).not.toContain(pullToken.token);
  });

  it("is rate limited per token (or per user) in PostgreSQL: 429 with Retry-After", async () => {
    const limited = await tokenFor(t.db, team.company.id, team.users.admin.id, { scopes: ["registries:pull"], name: "limited" });
    const other = await tokenFor(t.db, team.company.id, team.users.admin.id, { scopes: ["registries:pull"], name: "unlimited" });
    await withEnv({ BERTH_PULL_RATE_LIMIT: "3" }, async () => {
      for (let i = 0; i < 3; i++) expect((await pull({ token: limited.token }, { registryIds: [a.id], format: "dockerconfigjson" })).status).toBe(200);
      const refused = await pull({ token: limited.token }, { registryIds: [a.id], format: "dockerconfigjson" });
      const p = expectProblem(refused, 429, "rate-limited");
      const retry = Number(refused.headers.get("retry-after"));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(60);
      expect(p.detail).toContain("3 pull secrets");
      expect(refused.text).not.toContain("usage-A-password");
      // even a malformed request counts once the limit is reached
      expectProblem(await pull({ token: limited.token }, { format: "nope" }), 429);
      // another token of the same user has its own budget
      expect((await pull({ token: other.token }, { registryIds: [a.id], format: "dockerconfigjson" })).status).toBe(200);
      // the window slides: events older than a minute stop counting
      await t.db.update(rateEvents).set({ createdAt: new Date(Date.now() - 61_000) }).where(eq(rateEvents.subject, `token:${limited.id}`));
      expect((await pull({ token: limited.token }, { registryIds: [a.id], format: "dockerconfigjson" })).status).toBe(200);
    });
    expect(await t.db.$count(rateEvents, eq(rateEvents.bucket, PULL_RATE_BUCKET))).toBeGreaterThan(4);
  });

  it("records a use per registry and subject, with the client from User-Agent, and moves lastUsedAt", async () => {
    const c = await create(custom("usage-c.example.com", { password: "usage-C-password-distinctive" }));
    expect((await v1.get(owner, team.company.id, c.id)).body.lastUsedAt).toBeNull();
    expect((await resolve({ token: pullToken.token }, "usage-c.example.com/app:1", { "user-agent": "docker-credential-berth/0.1.0" })).status).toBe(200);
    const first = (await v1.get(owner, team.company.id, c.id)).body.lastUsedAt;
    expect(first).not.toBeNull();
    expect((await pull(owner, { hosts: ["usage-c.example.com"], format: "dockerconfigjson" }, { "user-agent": "curl/8.5.0" })).status).toBe(200);
    // at most one lastUsedAt write a minute per registry
    expect((await v1.get(owner, team.company.id, c.id)).body.lastUsedAt).toBe(first);
    const rows = await t.db.select().from(registryUses).where(eq(registryUses.registryId, c.id)).orderBy(registryUses.id);
    expect(rows.map((row) => [row.operation, row.client, row.subject, row.tokenId, row.userId])).toEqual([
      ["resolve", "helper", "usage-c.example.com/app:1", pullToken.id, team.users.admin.id],
      ["pull-secret", "api", "usage-c.example.com", null, team.owner.id],
    ]);
    const [daily] = await t.db.select().from(registryUseDaily).where(eq(registryUseDaily.registryId, c.id));
    expect(daily).toMatchObject({ count: 2, day: new Date().toISOString().slice(0, 10) });
    // the list shows lastUsedAt too
    const listed = await v1.list(owner, team.company.id);
    expect(listed.body.items.find((i: { id: string }) => i.id === c.id).lastUsedAt).toBe(first);
  });

  it("GET …/{id}/uses: newest first, paginated, naming the user or the token (never its value)", async () => {
    const d = await create(custom("usage-d.example.com", { password: "usage-D-password-distinctive" }));
    for (const image of ["usage-d.example.com/one", "usage-d.example.com/two", "usage-d.example.com/three"]) expect((await resolve({ token: pullToken.token }, image)).status).toBe(200);
    expect((await pull(owner, { registryIds: [d.id], format: "secret-data" })).status).toBe(200);
    const page1 = await uses({ cookie: team.users.viewer.cookie }, d.id, "limit=3");
    expect(page1.status, page1.text).toBe(200);
    expect(page1.body.items.map((u: { subject: string | null }) => u.subject)).toEqual([null, "usage-d.example.com/three", "usage-d.example.com/two"]);
    expect(page1.body.items[0]).toMatchObject({ operation: "pull-secret", client: "api", user: { id: team.owner.id, email: team.owner.email }, token: null });
    expect(page1.body.items[1]).toMatchObject({ operation: "resolve", token: { id: pullToken.id, name: "deploy bot" }, user: { id: team.users.admin.id } });
    expect(page1.text).not.toContain(pullToken.token);
    const page2 = await uses(owner, d.id, `limit=3&pagination.token=${page1.body.nextPageToken}`);
    expect(page2.body.items.map((u: { subject: string | null }) => u.subject)).toEqual(["usage-d.example.com/one"]);
    expect(page2.body.nextPageToken).toBeNull();
    expectFieldErrors(await uses(owner, d.id, "pagination.token=abc"), ["pagination.token"]);
    expectFieldErrors(await uses(owner, d.id, "limit=0"), ["limit"]);
    expectProblem(await uses(owner, "00000000-0000-4000-8000-000000000000"), 404, "not-found");
    const other = await seedTeam(t.db);
    expectProblem(await send(usesRoute.GET as (typeof ROUTES.v1)["get"], "GET", `/api/v1/companies/${other.company.id}/registries/${d.id}/uses`, { cookie: other.users.owner.cookie }, { companyId: other.company.id, id: d.id }), 404);
    const writeOnly = await tokenFor(t.db, team.company.id, team.owner.id, { scopes: ["registries:write"], name: "write only" });
    expectProblem(await uses({ token: writeOnly.token }, d.id), 403);
  });

  it("deleting a registry used in the last 30 days is 409 registry-in-use naming the last use, unless ?force=true", async () => {
    const e = await create(custom("usage-e.example.com", { password: "usage-E-password-distinctive" }));
    expect((await v1.delete(owner, team.company.id, e.id)).status).toBe(204); // never used: deleted at once
    const f = await create(custom("usage-f.example.com", { password: "usage-F-password-distinctive" }));
    expect((await resolve({ token: pullToken.token }, "usage-f.example.com/web:3", { "user-agent": "berth-credential-provider/1.0" })).status).toBe(200);
    const refused = await v1.delete(owner, team.company.id, f.id);
    const p = expectProblem(refused, 409, "registry-in-use");
    expect(p.detail).toContain('the API token "deploy bot"');
    expect(p.detail).toContain(team.users.admin.email);
    expect(p.detail).toContain("usage-f.example.com/web:3");
    expect(p.detail).toContain("?force=true");
    expect(refused.body.lastUse).toMatchObject({ operation: "resolve", client: "kubelet", subject: "usage-f.example.com/web:3", token: { name: "deploy bot" } });
    expect(refused.body.lastUsedAt).toEqual(expect.any(String));
    expect((await v1.get(owner, team.company.id, f.id)).status).toBe(200);
    // older than 30 days: no longer in use
    await t.db.update(registries).set({ lastUsedAt: new Date(Date.now() - 31 * 24 * 3600_000) }).where(eq(registries.id, f.id));
    const g = await create(custom("usage-g.example.com", { password: "usage-G-password-distinctive" }));
    expect((await pull({ token: pullToken.token }, { registryIds: [g.id], format: "dockerconfigjson" })).status).toBe(200);
    expectProblem(await v1.delete(owner, team.company.id, g.id, { force: "false" }), 409, "registry-in-use");
    expect((await v1.delete(owner, team.company.id, g.id, { force: "true" })).status).toBe(204);
    expect((await v1.delete(owner, team.company.id, f.id)).status).toBe(204);
  });

  it("prunes uses after 90 days and daily counts after a year", async () => {
    const h = await create(custom("usage-h.example.com", { password: "usage-H-password-distinctive" }));
    const day = 24 * 3600_000;
    await t.db.insert(registryUses).values([
      { companyId: team.company.id, registryId: h.id, usedAt: new Date(Date.now() - 91 * day), operation: "resolve", client: "api" },
      { companyId: team.company.id, registryId: h.id, usedAt: new Date(Date.now() - 89 * day), operation: "resolve", client: "api" },
    ]);
    await t.db.insert(registryUseDaily).values([
      { companyId: team.company.id, registryId: h.id, day: new Date(Date.now() - 366 * day).toISOString().slice(0, 10), count: 4 },
      { companyId: team.company.id, registryId: h.id, day: new Date(Date.now() - 364 * day).toISOString().slice(0, 10), count: 5 },
    ]);
    expect(await pruneRegistryUses(t.db)).toEqual({ uses: 1, days: 1 });
    expect(await t.db.$count(registryUses, eq(registryUses.registryId, h.id))).toBe(1);
    expect((await t.db.select().from(registryUseDaily).where(eq(registryUseDaily.registryId, h.id))).map((x) => x.count)).toEqual([5]);
  });
});

describe("no secret in the answers of the other endpoints", () => {
  it("scans the create, get, list and delete answers of this file", () => {
    rec.assertNoSecretLeaked(20, 10);
  });
});
