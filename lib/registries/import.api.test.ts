/**
 * `POST …/registries/import` through its route handler on a real database (PGlite, or PostgreSQL
 * with DATABASE_URL): a config.json with three hosts becomes three typed registries; a dry run
 * writes nothing; skipped and conflict cases; malformed input is a 400 with paths; no secret in
 * any answer or audit row; the permission table; concurrent imports end without duplicates.
 * And end to end: an imported htpasswd registry passes Test Connection with its credentials.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as importRoute } from "@/app/api/v1/companies/[companyId]/registries/import/route";
import { auditEvents, registries } from "@/db/schema";
import { serverSecrets } from "@/lib/crypto";
import { decryptSecrets } from "@/lib/crypto/cipher";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { FAKE_SERVICE_ACCOUNT_KEY } from "./fixtures";
import { createRecorder, expectFieldErrors, expectProblem, ROUTES, type Answer, type Auth } from "./registries.testkit";

const b64 = (text: string) => Buffer.from(text).toString("base64");
const rec = createRecorder();
const v1 = rec.api("v1");

/** Every plaintext secret of this file, and the `auth` values that carry them, for the leak scans. */
function secret(value: string): string {
  rec.secrets.add(value);
  return value;
}
function auth(user: string, password: string): string {
  const value = b64(`${user}:${secret(password)}`);
  rec.secrets.add(value);
  return value;
}

const GHCR_TOKEN = "ghp_ImportImportImportImportImport0001";
const HUB_TOKEN = "dckr_pat_Import-Hub-Token-0002";
const LOCAL_PASSWORD = "local-Import-Password-0003";

/** A config.json with three hosts, as `docker login` writes it. */
function threeHosts(localHost = "127.0.0.1:5000") {
  return {
    auths: {
      "ghcr.io": { auth: auth("octo-importer", GHCR_TOKEN) },
      "https://index.docker.io/v1/": { auth: auth("hubimporter", HUB_TOKEN) },
      [localHost]: { auth: auth("local-user", LOCAL_PASSWORD) },
    },
  };
}

let t: TestDb;
let team: Team;
let other: Team;
let owner: Auth;

beforeAll(async () => {
  t = await useTestDb();
  team = await seedTeam(t.db);
  other = await seedTeam(t.db);
  owner = { cookie: team.users.owner.cookie };
});
afterAll(async () => {
  await t?.close();
});

const importAs = (as: Auth, companyId: string, body: unknown, headers?: Record<string, string>) =>
  rec.send(importRoute, "POST", `/api/v1/companies/${companyId}/registries/import`, as, { companyId }, body, headers);

async function ok(a: Answer) {
  expect(a.status, a.text).toBe(200);
  expect(a.headers.get("cache-control")).toBe("no-store");
  return a.body as {
    dryRun: boolean;
    created: { key: string; registry: { id: string; type: string; name: string; url: string; plainHttp: boolean; credentials: Record<string, unknown>; secretsSet: string[] } }[];
    skipped: { key: string; reason: string; registryId?: string; url?: string; type?: string }[];
    conflicts: { key: string; reason: string; registryId?: string; url?: string; type?: string }[];
  };
}

const liveRows = (companyId: string) => t.db.select().from(registries).where(and(eq(registries.companyId, companyId), eq(registries.isDeleted, false)));
const auditOf = (companyId: string) => t.db.select().from(auditEvents).where(eq(auditEvents.companyId, companyId));
const openBlob = (blob: string, companyId: string, registryId: string) => decryptSecrets(serverSecrets().keyring, blob, { companyId, registryId });

describe("a config.json with three hosts", () => {
  it("dry run: answers what would be created and writes nothing, then the import creates exactly that", async () => {
    const fresh = await seedTeam(t.db);
    const as = { cookie: fresh.users.owner.cookie };
    const auditBefore = (await auditOf(fresh.company.id)).length;

    const dry = await ok(await importAs(as, fresh.company.id, { dockerconfigjson: threeHosts(), dryRun: true }));
    expect(dry.dryRun).toBe(true);
    expect(dry.skipped).toEqual([]);
    expect(dry.conflicts).toEqual([]);
    const preview = dry.created.map((c) => [c.key, c.registry.type, c.registry.name, c.registry.url]);
    expect(preview).toEqual([
      ["ghcr.io", "ghcr", "ghcr.io", "ghcr.io"],
      ["https://index.docker.io/v1/", "dockerhub", "docker.io", "docker.io"],
      ["127.0.0.1:5000", "custom", "127.0.0.1:5000", "127.0.0.1:5000"],
    ]);
    expect(await liveRows(fresh.company.id)).toEqual([]);
    expect(await auditOf(fresh.company.id)).toHaveLength(auditBefore);

    // The same config as JSON text, for real.
    const done = await ok(await importAs(as, fresh.company.id, { dockerconfigjson: JSON.stringify(threeHosts()) }));
    expect(done.dryRun).toBe(false);
    expect(done.created.map((c) => [c.key, c.registry.type, c.registry.name, c.registry.url])).toEqual(preview);
    expect(done.created.map((c) => [c.registry.credentials, c.registry.secretsSet])).toEqual([
      [{ username: "octo-importer" }, ["token"]],
      [{ username: "hubimporter" }, ["password"]],
      [{ url: "127.0.0.1:5000", username: "local-user" }, ["password"]],
    ]);
    // Each row holds its own secret, sealed to it.
    const rows = await liveRows(fresh.company.id);
    expect(rows).toHaveLength(3);
    const secrets = Object.fromEntries(rows.map((r) => [r.url, openBlob(r.secretBlob!, fresh.company.id, r.id)]));
    expect(secrets).toEqual({ "ghcr.io": { token: GHCR_TOKEN }, "docker.io": { password: HUB_TOKEN }, "127.0.0.1:5000": { password: LOCAL_PASSWORD } });
    // Audited like a create, once per registry, naming fields only.
    const created = (await auditOf(fresh.company.id)).filter((e) => e.action === "registry.created");
    expect(created.map((e) => e.targetId).sort()).toEqual(rows.map((r) => r.id).sort());
    for (const e of created) expect(e.metadata).toMatchObject({ source: "import", fields: expect.any(Array) });
    expect(created.every((e) => e.actorUserId === fresh.owner.id)).toBe(true);

    // The list shows them.
    const list = await v1.list(as, fresh.company.id);
    expect(list.body.items.map((i: { name: string }) => i.name).sort()).toEqual(["127.0.0.1:5000", "docker.io", "ghcr.io"]);

    // Importing again skips all three, naming the registries that hold them.
    const again = await ok(await importAs(as, fresh.company.id, { dockerconfigjson: threeHosts() }));
    expect(again.created).toEqual([]);
    expect(again.conflicts).toEqual([]);
    expect(again.skipped.map((s) => [s.key, s.registryId])).toEqual(done.created.map((c) => [c.key, c.registry.id]));
    for (const s of again.skipped) expect(s.reason).toMatch(/^Already stored as "[^"]+" for the same user/);
    expect(await liveRows(fresh.company.id)).toHaveLength(3);
  });
});

describe("mapping keys", () => {
  it("types, path prefixes, schemes and Docker Hub's other keys", async () => {
    const fresh = await seedTeam(t.db);
    const as = { token: (await tokenFor(t.db, fresh.company.id, fresh.owner.id, { scopes: ["registries:write"] })).token };
    const a = await ok(
      await importAs(as, fresh.company.id, {
        dockerconfigjson: {
          auths: {
            "ghcr.io/org-a": { auth: auth("org-a-bot", "ghp_OrgAOrgAOrgAOrgAOrgAOrgAOrgA00") },
            "127.0.0.1:5000/team-a": { username: "team-a", password: secret("team-a-Password-0004") },
            "http://127.0.0.1:5001": { auth: auth("plain", "plain-Http-Password-0005") },
            "https://registry.example.com/v2/": { auth: auth("ex", "example-Password-0006") },
            "quay.io": { auth: auth("org+robot", "QUAYROBOTTOKEN0000000007") },
            "eu.gcr.io": { auth: auth("_json_key", FAKE_SERVICE_ACCOUNT_KEY) },
          },
        },
      }),
    );
    expect(a.conflicts).toEqual([]);
    expect(a.created.map((c) => [c.key, c.registry.type, c.registry.name, c.registry.url, c.registry.plainHttp])).toEqual([
      ["ghcr.io/org-a", "ghcr", "ghcr.io/org-a", "ghcr.io/org-a", false],
      ["127.0.0.1:5000/team-a", "custom", "127.0.0.1:5000/team-a", "127.0.0.1:5000/team-a", false],
      ["http://127.0.0.1:5001", "custom", "127.0.0.1:5001", "127.0.0.1:5001", true],
      ["https://registry.example.com/v2/", "custom", "registry.example.com", "registry.example.com", false],
      ["quay.io", "quay", "quay.io", "quay.io", false],
      ["eu.gcr.io", "gcr", "eu.gcr.io", "eu.gcr.io", false],
    ]);
  });

  it("the same registry twice in one file: created once, then skipped (same user) or in conflict (another user)", async () => {
    const fresh = await seedTeam(t.db);
    const as = { cookie: fresh.users.admin.cookie };
    const a = await ok(
      await importAs(as, fresh.company.id, {
        dockerconfigjson: {
          auths: {
            "https://index.docker.io/v1/": { auth: auth("hubuser", "dckr_pat_Dup-One-0008") },
            "docker.io": { auth: auth("hubuser", "dckr_pat_Dup-Two-0009") },
            "index.docker.io": { auth: auth("someone-else", "dckr_pat_Dup-Three-0010") },
          },
        },
        dryRun: true,
      }),
    );
    expect(a.created.map((c) => c.key)).toEqual(["https://index.docker.io/v1/"]);
    expect(a.skipped.map((s) => s.key)).toEqual(["docker.io"]);
    expect(a.conflicts).toEqual([{ key: "index.docker.io", reason: expect.stringContaining('"docker.io" already holds credentials for this URL as user hubuser'), registryId: a.created[0]!.registry.id, url: "docker.io", type: "dockerhub" }]);
    expect(await liveRows(fresh.company.id)).toEqual([]);
  });
});

describe("skips and conflicts against what is stored", () => {
  it("another user, a deactivated registry, another transport, a name already used, and entries that cannot be mapped", async () => {
    const fresh = await seedTeam(t.db);
    const as = { cookie: fresh.users.owner.cookie };
    const company = fresh.company.id;
    const make = async (body: unknown) => {
      const c = await v1.create(as, company, body);
      expect(c.status, c.text).toBe(201);
      return c.body as { id: string };
    };
    const ghcr = await make({ name: "GitHub", type: "ghcr", credentials: { username: "someone", token: secret("ghp_StoredStoredStoredStoredStored0011") } });
    const quay = await make({ name: "Quay", type: "quay", isActive: false, credentials: { username: "org+robot", token: secret("QUAYSTOREDTOKEN000000012") } });
    const plain = await make({ name: "Plain", type: "custom", credentials: { url: "http://127.0.0.1:5002", username: "u", password: secret("plain-Stored-Password-0013") } });
    const gitlab = await make({ name: "Team GitLab", type: "gitlab", credentials: { username: "deployer", token: secret("gldt-StoredStoredStored0014") } });
    // Names the import would pick, already used by registries elsewhere.
    await make({ name: "registry.example.com", type: "custom", credentials: { url: "other.example.com", token: secret("other-Stored-Token-0015") } });
    await make({ name: "REGISTRY.EXAMPLE.COM (2)", type: "custom", credentials: { url: "third.example.com", token: secret("third-Stored-Token-0016") } });

    const a = await ok(
      await importAs(as, company, {
        dockerconfigjson: {
          auths: {
            "ghcr.io": { auth: auth("octo", "ghp_ImportedImportedImportedImport0017") },
            "quay.io": { auth: auth("org+robot", "QUAYIMPORTEDTOKEN0000018") },
            "127.0.0.1:5002": { auth: auth("u", "plain-Imported-Password-0019") },
            "registry.gitlab.com": { auth: auth("deployer", "gldt-ImportedImported0020") },
            "registry.example.com": { auth: auth("ex", "example-Imported-Password-0021") },
            "b.example.com": { auth: b64("user-only:"), identitytoken: secret("identity-Token-Value-0022") },
            "c.example.com": {},
            "not a host!": { auth: auth("x", "bad-Host-Password-0023") },
            "gcr.io": { auth: auth("_json_key", "not-a-Json-Key-0024") },
          },
          credHelpers: { "123456789012.dkr.ecr.us-east-1.amazonaws.com": "ecr-login" },
        },
      }),
    );
    expect(a.created.map((c) => [c.key, c.registry.name])).toEqual([["registry.example.com", "registry.example.com (3)"]]);
    expect(a.skipped).toEqual([{ key: "registry.gitlab.com", reason: expect.stringContaining('Already stored as "Team GitLab"'), registryId: gitlab.id, url: "registry.gitlab.com", type: "gitlab" }]);
    const conflicts = Object.fromEntries(a.conflicts.map((c) => [c.key, c]));
    expect(Object.keys(conflicts)).toEqual(["ghcr.io", "quay.io", "127.0.0.1:5002", "b.example.com", "c.example.com", "not a host!", "gcr.io", "123456789012.dkr.ecr.us-east-1.amazonaws.com"]);
    expect(conflicts["ghcr.io"]).toEqual({ key: "ghcr.io", reason: expect.stringContaining('"GitHub" already holds credentials for this URL as user someone'), registryId: ghcr.id, url: "ghcr.io", type: "ghcr" });
    expect(conflicts["quay.io"]).toMatchObject({ reason: expect.stringContaining("deactivated"), registryId: quay.id });
    expect(conflicts["127.0.0.1:5002"]).toMatchObject({ reason: expect.stringContaining("over plain HTTP"), registryId: plain.id });
    expect(conflicts["b.example.com"]!.reason).toMatch(/identity token/);
    expect(conflicts["c.example.com"]!.reason).toMatch(/no credentials/);
    expect(conflicts["not a host!"]!.reason).toMatch(/^Cannot be mapped to a registry \(credentials\.url: /);
    expect(conflicts["gcr.io"]!.reason).toMatch(/^Cannot be mapped to a registry \(credentials\.serviceAccountKey: Not valid JSON/);
    expect(conflicts["123456789012.dkr.ecr.us-east-1.amazonaws.com"]!.reason).toMatch(/docker-credential-ecr-login/);
    expect(await liveRows(company)).toHaveLength(7);
  });
});

describe("malformed input", () => {
  it.each<[string, unknown, string[]]>([
    ["a body that is not an object", [1, 2], [""]],
    ["no config", {}, ["dockerconfigjson"]],
    ["a config that is a number", { dockerconfigjson: 42 }, ["dockerconfigjson"]],
    ["JSON text that is not JSON", { dockerconfigjson: '{"auths": {' }, ["dockerconfigjson"]],
    ["JSON text of an array", { dockerconfigjson: "[]" }, ["dockerconfigjson"]],
    ["auths that is not an object", { dockerconfigjson: { auths: ["ghcr.io"] } }, ["dockerconfigjson.auths"]],
    ["no registries", { dockerconfigjson: { auths: {} } }, ["dockerconfigjson.auths"]],
    ["an entry that is not an object", { dockerconfigjson: { auths: { "ghcr.io": true } } }, ["dockerconfigjson.auths.ghcr.io"]],
    ["an auth that is not text", { dockerconfigjson: { auths: { "ghcr.io": { auth: 1, password: 5 } } } }, ["dockerconfigjson.auths.ghcr.io.auth", "dockerconfigjson.auths.ghcr.io.password"]],
    ["dryRun that is not a boolean", { dockerconfigjson: threeHosts(), dryRun: "true" }, ["dryRun"]],
    ["an unknown field", { dockerconfigjson: threeHosts(), force: true }, ["force"]],
  ])("%s → 400 with paths, nothing written", async (_label, body, paths) => {
    const before = (await liveRows(team.company.id)).length;
    const errors = expectFieldErrors(await importAs(owner, team.company.id, body), paths);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(0);
    expect(await liveRows(team.company.id)).toHaveLength(before);
  });

  it("415 without JSON, 413 over 64 KiB, 404 for another company or a malformed id", async () => {
    expectProblem(await importAs(owner, team.company.id, "auths", { "content-type": "text/plain" }), 415, "unsupported-media-type");
    const big = { dockerconfigjson: { auths: { "ghcr.io": { auth: auth("big", "x".repeat(70_000)) } } } };
    expectProblem(await importAs(owner, team.company.id, big), 413, "payload-too-large");
    expectProblem(await importAs(owner, other.company.id, { dockerconfigjson: threeHosts() }), 404, "not-found");
    expectProblem(await importAs(owner, "not-a-uuid", { dockerconfigjson: threeHosts() }), 404, "not-found");
    expect(await liveRows(other.company.id)).toEqual([]);
  });
});

describe("permissions", () => {
  it("as create: viewer and member 403; member with Manage registries, admin and owner may; tokens need registries:write", async () => {
    const fresh = await seedTeam(t.db);
    const company = fresh.company.id;
    const body = (n: number) => ({ dockerconfigjson: { auths: { [`perm-${n}.example.com`]: { auth: auth(`u${n}`, `perm-Import-Password-${n}0026`) } } } });
    let n = 0;
    for (const role of ["viewer", "member"] as const) {
      expectProblem(await importAs({ cookie: fresh.users[role].cookie }, company, body(n++)), 403, "forbidden");
      expectProblem(await importAs({ cookie: fresh.users[role].cookie }, company, { ...body(n++), dryRun: true }), 403, "forbidden");
    }
    for (const role of ["memberMr", "admin", "owner"] as const) {
      const a = await ok(await importAs({ cookie: fresh.users[role].cookie }, company, body(n++)));
      expect(a.created).toHaveLength(1);
    }
    const readPull = await tokenFor(t.db, company, fresh.owner.id, { scopes: ["registries:read", "registries:pull"] });
    expectProblem(await importAs({ token: readPull.token }, company, body(n++)), 403, "forbidden");
    const write = await tokenFor(t.db, company, fresh.owner.id, { scopes: ["registries:write"] });
    expect((await ok(await importAs({ token: write.token }, company, body(n++)))).created).toHaveLength(1);
    // A token acts within its user's role: a viewer's write token is refused.
    const viewerWrite = await tokenFor(t.db, company, fresh.users.viewer.id, { scopes: ["registries:write"] });
    expectProblem(await importAs({ token: viewerWrite.token }, company, body(n++)), 403, "forbidden");
    expect(await liveRows(company)).toHaveLength(4);
    // A cookie request from another site is refused (CSRF).
    expectProblem(await importAs({ cookie: fresh.users.owner.cookie, origin: "https://evil.example" }, company, body(n++)), 403, "forbidden");
  });
});

describe("concurrency", () => {
  it("two imports of the same config at once: three rows, the other import skips them", async () => {
    const fresh = await seedTeam(t.db);
    const as = { cookie: fresh.users.owner.cookie };
    const answers = await Promise.all([importAs(as, fresh.company.id, { dockerconfigjson: threeHosts() }), importAs(as, fresh.company.id, { dockerconfigjson: threeHosts() })]);
    const [x, y] = await Promise.all(answers.map(ok));
    const created = [...x!.created, ...y!.created];
    const skipped = [...x!.skipped, ...y!.skipped];
    expect(created).toHaveLength(3);
    expect(skipped).toHaveLength(3);
    expect([...x!.conflicts, ...y!.conflicts]).toEqual([]);
    expect(skipped.map((s) => s.registryId).sort()).toEqual(created.map((c) => c.registry.id).sort());
    expect(await liveRows(fresh.company.id)).toHaveLength(3);
  });

  it("an import racing ordinary creates of its URLs: one row per URL, and the import's answer says what happened", async () => {
    const fresh = await seedTeam(t.db);
    const as = { cookie: fresh.users.owner.cookie };
    const company = fresh.company.id;
    const config = { auths: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`race-${i}.example.com`, { auth: auth("racer", `race-Import-Password-${i}0027`) }])) };
    const creates = Array.from({ length: 8 }, (_, i) =>
      v1.create(as, company, { name: `race ${i}`, type: "custom", credentials: { url: `race-${i}.example.com`, username: i % 2 ? "racer" : "other", password: secret(`race-Create-Password-${i}0028`) } }),
    );
    const [imported, ...made] = await Promise.all([importAs(as, company, { dockerconfigjson: config }), ...creates]);
    const a = await ok(imported!);
    expect(a.created.length + a.skipped.length + a.conflicts.length).toBe(8);
    const createdByApi = made.filter((m) => m.status === 201).length;
    for (const m of made) expect([201, 409]).toContain(m.status);
    expect(createdByApi + a.created.length).toBe(8);
    const rows = await liveRows(company);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((r) => r.url)).size).toBe(8);
  });
});

/**
 * The race itself, made certain: rows inserted by other transactions that are still open when
 * the import reaches them, so the import's insert waits on the unique index and then fails
 * inside its savepoint. Needs a second connection: PostgreSQL only (CI always has one); PGlite
 * is one connection, where transactions cannot interleave at all.
 */
describe.runIf(!!process.env.DATABASE_URL)("concurrency on PostgreSQL: rows committed while the import waits on them", () => {
  it("a URL taken meanwhile is looked at again (skipped), a name taken meanwhile gets the next free name; nothing else is lost", async () => {
    const { default: postgres } = await import("postgres");
    const fresh = await seedTeam(t.db);
    const company = fresh.company.id;
    const sqlClient = postgres(t.url!, { max: 3, onnotice: () => {} });
    const holdUrl = await sqlClient.reserve();
    const holdName = await sqlClient.reserve();
    try {
      await holdName`begin`;
      await holdName`insert into registries (company_id, type, name, url, credentials) values (${company}, 'custom', 'free.example.com', 'elsewhere.example.com', ${sqlClient.json({ url: "elsewhere.example.com", username: "x" })})`;
      await holdUrl`begin`;
      await holdUrl`insert into registries (company_id, type, name, url, credentials) values (${company}, 'custom', 'Held', 'held.example.com', ${sqlClient.json({ url: "held.example.com", username: "racer" })})`;
      const waiting = async (n: number) => {
        for (let i = 0; i < 100; i++) {
          const [row] = await sqlClient`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
          if (row!.n >= n) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error("the import never waited on the held row");
      };
      const pending = importAs({ cookie: fresh.users.owner.cookie }, company, {
        dockerconfigjson: { auths: { "free.example.com": { auth: auth("racer", "free-Race-Password-0031") }, "held.example.com": { auth: auth("racer", "held-Race-Password-0032") }, "last.example.com": { auth: auth("racer", "last-Race-Password-0033") } } },
      });
      await waiting(1);
      await holdName`commit`;
      await waiting(1);
      await holdUrl`commit`;
      const a = await ok(await pending);
      expect(a.created.map((c) => [c.key, c.registry.name])).toEqual([
        ["free.example.com", "free.example.com (2)"],
        ["last.example.com", "last.example.com"],
      ]);
      expect(a.skipped).toEqual([{ key: "held.example.com", reason: expect.stringContaining('Already stored as "Held"'), registryId: expect.any(String), url: "held.example.com", type: "custom" }]);
      expect(a.conflicts).toEqual([]);
      expect((await liveRows(company)).map((r) => r.url).sort()).toEqual(["elsewhere.example.com", "free.example.com", "held.example.com", "last.example.com"]);
    } finally {
      holdUrl.release();
      holdName.release();
      await sqlClient.end();
    }
  });
});

describe("no secret anywhere", () => {
  it("in any answer of this file or any audit row", async () => {
    rec.assertNoSecretLeaked(20, 20);
    const events = await t.db.select().from(auditEvents);
    const text = JSON.stringify(events);
    const leaked = [...rec.secrets].filter((s) => text.includes(s) || text.includes(b64(s)));
    expect(events.length).toBeGreaterThan(10);
    expect(leaked).toEqual([]);
  });
});

describe.skipIf(skipWithoutRegistryTools())("end to end: the imported credentials sign in to a real registry", () => {
  const USER = "import-e2e";
  const PASSWORD = "import-E2E-Registry-Password-0029";
  let tls: RunningRegistry;
  let plainHttp: RunningRegistry;
  let dir: string;

  beforeAll(async () => {
    [tls, plainHttp] = await Promise.all([startRegistry({ auth: { type: "htpasswd", users: { [USER]: PASSWORD } }, tls: {} }), startRegistry({ auth: { type: "htpasswd", users: { [USER]: PASSWORD } } })]);
    dir = mkdtempSync(path.join(os.tmpdir(), "berth-import-ca-"));
  });
  afterAll(async () => {
    await tls?.stop();
    await plainHttp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const testSaved = (as: Auth, companyId: string, id: string) => rec.send(ROUTES.v1.test, "POST", `/api/v1/companies/${companyId}/registries/${id}/test`, as, { companyId, id });

  it("config.json keys for the htpasswd registry over HTTPS (its CA trusted by the server) and plain HTTP: Test Connection succeeds; a wrong password fails", async () => {
    const fresh = await seedTeam(t.db);
    const company = fresh.company.id;
    const as = { cookie: fresh.users.owner.cookie };
    const a = await ok(
      await importAs(as, company, {
        dockerconfigjson: {
          auths: {
            [tls.host]: { auth: auth(USER, PASSWORD) },
            [`http://${plainHttp.host}`]: { auth: auth(USER, PASSWORD) },
            [`http://${plainHttp.host}/wrong`]: { auth: auth(USER, "not-The-Password-0030") },
          },
        },
      }),
    );
    expect(a.created.map((c) => [c.registry.url, c.registry.plainHttp])).toEqual([
      [tls.host, false],
      [plainHttp.host, true],
      [`${plainHttp.host}/wrong`, true],
    ]);
    const [viaTls, viaHttp, wrong] = a.created.map((c) => c.registry.id) as [string, string, string];

    // The server trusts the registry's CA as an operator would: NODE_EXTRA_CA_CERTS.
    const caFile = path.join(dir, "ca.pem");
    writeFileSync(caFile, tls.caPem!);
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = caFile;
    try {
      const r = await testSaved(as, company, viaTls);
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ ok: true, status: "success" });
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
    }
    const h = await testSaved(as, company, viaHttp);
    expect(h.body).toMatchObject({ ok: true, status: "success" });
    const w = await testSaved(as, company, wrong);
    expect(w.body).toMatchObject({ ok: false, status: "invalid_credentials" });
    rec.assertNoSecretLeaked();
  });
});
