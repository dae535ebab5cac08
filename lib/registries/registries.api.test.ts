/**
 * The registry REST API (SPEC sections 2, 3 and 5) through its route handlers, on a real database
 * (PGlite, or PostgreSQL with DATABASE_URL): CRUD per type on both path prefixes, secrets kept
 * out of every answer and encrypted per row, keep-secret and re-enter-on-host-change, conflicts
 * (also under 20 concurrent creates), If-Match, filters, soft delete, audit, problem+json,
 * body limits, CSRF, and the five curl examples of seed 000.
 */
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/db";
import { auditEvents, registries } from "@/db/schema";
import { serverSecrets } from "@/lib/crypto";
import { CryptoError, decryptSecrets } from "@/lib/crypto/cipher";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { FAKE_PRIVATE_KEY_PEM, FAKE_SERVICE_ACCOUNT_KEY, REGISTRY_FIXTURES, SEED_GENERIC_EXAMPLES, registryFixture } from "./fixtures";
import { createRecorder, expectFieldErrors, expectProblem, type Answer, type Auth } from "./registries.testkit";
import { REGISTRY_TYPE_KEYS, SECRET_FIELDS, type RegistryTypeKey } from "./schemas";

let t: TestDb;
let team: Team;
let other: Team;
let owner: Auth;
let ownerToken: Auth;
let company: string;
const rec = createRecorder();
const v1 = rec.api("v1");
const seed = rec.api("seed");

beforeAll(async () => {
  t = await useTestDb();
  team = await seedTeam(t.db);
  other = await seedTeam(t.db);
  company = team.company.id;
  owner = { cookie: team.users.owner.cookie };
  ownerToken = { token: (await tokenFor(t.db, company, team.owner.id)).token };
});
afterAll(async () => {
  await t?.close();
});

async function rowOf(id: string) {
  const [row] = await t.db.select().from(registries).where(eq(registries.id, id));
  return row!;
}

type RawBlob = { secret_blob: string; key_id: string };

function openBlob(blob: string, binding: { companyId: string; registryId: string }) {
  return decryptSecrets(serverSecrets().keyring, blob, binding);
}

async function created(a: Answer) {
  expect(a.status, a.text).toBe(201);
  return a.body as { id: string; version: number; secretsSet: string[]; url: string; name: string; type: string; createdBy: string };
}

/** The stored host each fixture is bound to (the types' default hosts and URL rules). */
const FIXTURE_URL: Record<RegistryTypeKey, string> = {
  ghcr: "ghcr.io",
  dockerhub: "docker.io",
  ecr: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
  acr: "berthfixture.azurecr.io",
  gcr: "eu.gcr.io",
  gar: "europe-west1-docker.pkg.dev",
  quay: "quay.io",
  gitlab: "registry.gitlab.com",
  harbor: "harbor.example.com",
  artifactory: "art.example.com/docker-remote",
  digitalocean: "registry.digitalocean.com/berth-fixture",
  ocir: "iad.ocir.io",
  custom: "registry.example.com:5000",
  public: "docker.io",
};

function splitFixture(type: RegistryTypeKey) {
  const creds = REGISTRY_FIXTURES[type].credentials ?? {};
  const plain = Object.fromEntries(Object.entries(creds).filter(([k]) => !(SECRET_FIELDS as readonly string[]).includes(k)));
  const secret = Object.fromEntries(Object.entries(creds).filter(([k]) => (SECRET_FIELDS as readonly string[]).includes(k))) as Record<string, string>;
  return { plain, secret };
}

describe("CRUD for every registry type", () => {
  for (const prefix of ["v1", "seed"] as const) {
    describe(`on the ${prefix} path`, () => {
      it.each(REGISTRY_TYPE_KEYS)("%s: create, get, list, put, patch, delete", async (type) => {
        const api = rec.api(prefix);
        const base = prefix === "v1" ? `/api/v1/companies/${company}/registries` : `/api/${company}/containerRegistryConfig`;
        const body = registryFixture(type);
        body.name = `${prefix} ${type}`;
        const { plain, secret } = splitFixture(type);

        // create → 201 + Location + ETag; only non-secret fields come back
        const c = await api.create(ownerToken, company, body);
        const dto = await created(c);
        expect(c.headers.get("location")).toBe(`${base}/${dto.id}`);
        expect(c.headers.get("etag")).toBe('"1"');
        expect(c.body).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          companyIdRef: company,
          type,
          name: `${prefix} ${type}`,
          url: FIXTURE_URL[type],
          plainHttp: false,
          isActive: true,
          isDeleted: false,
          credentials: plain,
          secretsSet: Object.keys(secret).sort(),
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
          updatedAt: expect.any(String),
          createdBy: team.owner.id,
          createdByEmail: team.owner.email,
          modifiedBy: team.owner.id,
          lastUsedAt: null,
          expiresAt: null,
          expiry: { source: null, checkedAt: null, detectedExpiresAt: null, message: null },
          lastExchangeAt: null,
          lastTest: null,
          scheduledChecks: true,
          health: { status: "not_checked", since: null, lastCheckedAt: null },
          version: 1,
          warnings: [],
        });

        // the row: ciphertext, not plaintext, bound to this row
        const row = await rowOf(dto.id);
        expect(row.companyId).toBe(company);
        if (Object.keys(secret).length > 0) {
          expect(row.secretBlob).toMatch(/^v1\.test\./);
          expect(openBlob(row.secretBlob!, { companyId: company, registryId: dto.id })).toEqual(secret);
        } else {
          expect(row.secretBlob).toBeNull();
        }

        // get → 200 + ETag, the same registry
        const g = await api.get(owner, company, dto.id);
        expect(g.status).toBe(200);
        expect(g.headers.get("etag")).toBe('"1"');
        expect(g.body).toEqual(c.body);

        // list (filtered to this registry by name)
        const l = await api.list(owner, company, `filter.name=${encodeURIComponent(`${prefix} ${type}`)}&filter.type=${type}`);
        expect(l.status).toBe(200);
        expect(l.body.items.map((i: { id: string }) => i.id)).toEqual([dto.id]);
        expect(l.body.items[0]).toEqual(c.body);

        // put: a new name, secrets omitted → kept
        const replaced = { ...registryFixture(type), name: `${prefix} ${type} renamed`, credentials: plain };
        const p = await api.put(ownerToken, company, dto.id, replaced, { "if-match": '"1"' });
        expect(p.status, p.text).toBe(200);
        expect(p.headers.get("etag")).toBe('"2"');
        expect(p.body).toMatchObject({ name: `${prefix} ${type} renamed`, version: 2, secretsSet: Object.keys(secret).sort(), credentials: plain, url: FIXTURE_URL[type] });
        if (Object.keys(secret).length > 0) expect(openBlob((await rowOf(dto.id)).secretBlob!, { companyId: company, registryId: dto.id })).toEqual(secret);

        // patch: deactivate
        const pa = await api.patch(owner, company, dto.id, { isActive: false }, { "if-match": '"2"' });
        expect(pa.status, pa.text).toBe(200);
        expect(pa.headers.get("etag")).toBe('"3"');
        expect(pa.body).toMatchObject({ isActive: false, version: 3, name: `${prefix} ${type} renamed`, secretsSet: Object.keys(secret).sort() });

        // delete → 204, then 404 everywhere, the row soft-deleted with its ciphertext wiped
        const d = await api.delete(owner, company, dto.id, { ifMatch: '"3"' });
        expect(d.status, d.text).toBe(204);
        expect(d.text).toBe("");
        expectProblem(await api.get(owner, company, dto.id), 404, "not-found");
        expectProblem(await api.patch(owner, company, dto.id, { isActive: true }), 404, "not-found");
        expectProblem(await api.put(owner, company, dto.id, replaced), 404, "not-found");
        expectProblem(await api.delete(owner, company, dto.id), 404, "not-found");
        expect((await api.list(owner, company, `filter.name=${encodeURIComponent(`${prefix} ${type}`)}`)).body.items).toEqual([]);
        const gone = await rowOf(dto.id);
        expect(gone).toMatchObject({ isDeleted: true, secretBlob: null, keyId: null, secretFields: [], modifiedBy: team.owner.id });
        expect(gone.deletedAt).toBeInstanceOf(Date);
      });
    });
  }
});

describe("secrets at rest", () => {
  it("stores ciphertext that is not the plaintext and fails to decrypt under another row's id or company", async () => {
    const a = await created(await v1.create(owner, company, { ...registryFixture("ecr"), name: "rest ecr", credentials: { ...registryFixture("ecr").credentials, registryId: "210987654321" } }));
    const b = await created(await v1.create(owner, company, { ...registryFixture("gcr"), name: "rest gcr", credentials: { hostname: "asia.gcr.io", serviceAccountKey: FAKE_SERVICE_ACCOUNT_KEY } }));
    const rowA = await rowOf(a.id);
    const rowB = await rowOf(b.id);
    const plainA = REGISTRY_FIXTURES.ecr.credentials!.secretAccessKey!;

    // Nothing in the row, as stored, holds a secret in clear or in base64.
    for (const [row, secret] of [
      [rowA, plainA],
      [rowB, FAKE_SERVICE_ACCOUNT_KEY],
    ] as const) {
      const stored = JSON.stringify(row);
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(JSON.stringify(secret).slice(1, -1));
      expect(stored).not.toContain(Buffer.from(secret).toString("base64"));
      expect(stored).not.toContain("client_email");
    }
    // And the raw column, read back with SQL, is a versioned blob naming its key.
    const rawRow = rowsOf<RawBlob>(await t.db.execute(sql`select secret_blob, key_id from registries where id = ${a.id}`))[0]!;
    expect(rawRow.secret_blob).toBe(rowA.secretBlob);
    expect(rawRow.key_id).toBe("test");
    expect(rawRow.secret_blob.split(".")).toHaveLength(4);

    expect(openBlob(rowA.secretBlob!, { companyId: company, registryId: a.id })).toEqual({ secretAccessKey: plainA });
    for (const binding of [
      { companyId: company, registryId: b.id }, // another row's id
      { companyId: other.company.id, registryId: a.id }, // another company
    ]) {
      let err: unknown;
      try {
        openBlob(rowA.secretBlob!, binding);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CryptoError);
      expect((err as CryptoError).code).toBe("authentication_failed");
    }

    // A blob copied to another row makes that row unusable rather than revealing A's secret.
    await t.db.update(registries).set({ secretBlob: rowA.secretBlob }).where(eq(registries.id, b.id));
    expect(() => openBlob(rowA.secretBlob!, { companyId: company, registryId: b.id })).toThrow(CryptoError);
    await t.db.update(registries).set({ secretBlob: rowB.secretBlob }).where(eq(registries.id, b.id));

    // Two encryptions of the same secret differ (random nonce).
    const c = await created(await v1.create(owner, company, { ...registryFixture("ecr"), name: "rest ecr 2", credentials: { ...registryFixture("ecr").credentials, registryId: "310987654321" } }));
    expect((await rowOf(c.id)).secretBlob).not.toBe(rowA.secretBlob);
  });
});

describe("updates: secrets are kept unless the host changes", () => {
  it("keeps omitted or blank secrets on PUT and PATCH, replaces given ones, refuses clearing a required one", async () => {
    const r = await created(await v1.create(owner, company, { name: "keep ghcr", type: "ghcr", credentials: { username: "keeper", token: "ghp_KeepKeepKeepKeepKeepKeepKeepKeep0001", url: "ghcr.io/keep-org" } }));
    const binding = { companyId: company, registryId: r.id };

    // PUT without the token, and with a blank token ("leave blank to keep the current value")
    let a = await v1.put(owner, company, r.id, { name: "keep ghcr", type: "ghcr", credentials: { username: "keeper2", url: "ghcr.io/keep-org" } });
    expect(a.status, a.text).toBe(200);
    expect(a.body).toMatchObject({ secretsSet: ["token"], credentials: { username: "keeper2", url: "ghcr.io/keep-org" } });
    a = await v1.put(owner, company, r.id, { name: "keep ghcr", type: "ghcr", credentials: { username: "keeper3", url: "https://ghcr.io/keep-org/", token: "" } });
    expect(a.status, a.text).toBe(200);
    expect(a.body).toMatchObject({ secretsSet: ["token"], url: "ghcr.io/keep-org", credentials: { username: "keeper3" } });
    expect(openBlob((await rowOf(r.id)).secretBlob!, binding)).toEqual({ token: "ghp_KeepKeepKeepKeepKeepKeepKeepKeep0001" });

    // PATCH of a non-secret field keeps it too
    a = await v1.patch(owner, company, r.id, { credentials: { username: "keeper4" } });
    expect(a.status, a.text).toBe(200);
    expect(openBlob((await rowOf(r.id)).secretBlob!, binding)).toEqual({ token: "ghp_KeepKeepKeepKeepKeepKeepKeepKeep0001" });

    // a new token replaces the old one
    a = await v1.patch(owner, company, r.id, { credentials: { token: "ghp_NewNewNewNewNewNewNewNewNewNewNew0002" } });
    expect(a.status, a.text).toBe(200);
    expect(openBlob((await rowOf(r.id)).secretBlob!, binding)).toEqual({ token: "ghp_NewNewNewNewNewNewNewNewNewNewNew0002" });

    // clearing a required secret (null or "") is a 400 at its path, and changes nothing
    const version = (await rowOf(r.id)).version;
    expectFieldErrors(await v1.patch(owner, company, r.id, { credentials: { token: null } }), ["credentials.token"]);
    expectFieldErrors(await v1.patch(owner, company, r.id, { credentials: { token: "" } }), ["credentials.token"]);
    expect((await rowOf(r.id)).version).toBe(version);

    // the type is immutable
    const typeChange = await v1.put(owner, company, r.id, { ...registryFixture("dockerhub"), name: "keep ghcr" });
    expectFieldErrors(typeChange, ["type"]);
    // a PATCH cannot carry a type (strict body)
    expectFieldErrors(await v1.patch(owner, company, r.id, { type: "dockerhub" }), ["type"]);
    expectFieldErrors(await v1.patch(owner, company, r.id, { credentials: { bogus: "x" } }), ["credentials.bogus"]);
  });

  it("requires every secret again when the host changes (path prefix, login server, region, scheme)", async () => {
    const cases: { body: ReturnType<typeof registryFixture>; move: Record<string, unknown>; secrets: string[]; fresh: Record<string, string> }[] = [
      {
        body: { name: "host ghcr", type: "ghcr", credentials: { username: "u", token: "ghp_HostHostHostHostHostHostHostHost0003", url: "ghcr.io/host-a" } },
        move: { url: "ghcr.io/host-b" },
        secrets: ["token"],
        fresh: { token: "ghp_HostMovedHostMovedHostMovedHost0004" },
      },
      {
        body: { ...registryFixture("acr"), name: "host acr" },
        move: { loginServer: "otherfixture.azurecr.io" },
        secrets: ["password"],
        fresh: { password: "moved-acr-password-0005" },
      },
      {
        body: { ...registryFixture("ecr"), name: "host ecr", credentials: { ...registryFixture("ecr").credentials, registryId: "444455556666" } },
        move: { region: "eu-west-1" },
        secrets: ["secretAccessKey"],
        fresh: { secretAccessKey: "MovedMovedMovedMovedMovedMovedMovedMoved" },
      },
      {
        body: { name: "host custom", type: "custom", credentials: { url: "scheme.example.com", username: "u", password: "scheme-password-0006" } },
        move: { url: "http://scheme.example.com" },
        secrets: ["password"],
        fresh: { password: "scheme-moved-password-0007" },
      },
    ];
    for (const c of cases) {
      const r = await created(await v1.create(owner, company, c.body));
      // PATCH and PUT without the secrets: 400 naming each, with a message saying why
      const viaPatch = expectFieldErrors(await v1.patch(owner, company, r.id, { credentials: c.move }), c.secrets.map((s) => `credentials.${s}`));
      for (const e of viaPatch) expect(e.message).toMatch(/host changed/);
      const putBody = { ...c.body, credentials: { ...Object.fromEntries(Object.entries(c.body.credentials!).filter(([k]) => !c.secrets.includes(k))), ...c.move } };
      expectFieldErrors(await v1.put(owner, company, r.id, putBody), c.secrets.map((s) => `credentials.${s}`));
      expect((await rowOf(r.id)).version).toBe(1);

      // with them: 200, the new host, the new secret, and a stale test result cleared
      await t.db.update(registries).set({ lastTestStatus: "success", lastTestAt: new Date(), lastTestMessage: "ok" }).where(eq(registries.id, r.id));
      const ok = await v1.patch(owner, company, r.id, { credentials: { ...c.move, ...c.fresh } });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.lastTest).toBeNull();
      const row = await rowOf(r.id);
      const before = c.body.credentials!.url ?? "";
      expect([row.url, row.plainHttp]).not.toEqual([r.url, before.startsWith("http://")]);
      expect(openBlob(row.secretBlob!, { companyId: company, registryId: r.id })).toMatchObject(c.fresh);
    }
  });
});

describe("conflicts", () => {
  it("409 for a duplicate name (case-insensitive) or URL, on create and on update; public entries never conflict", async () => {
    const a = await created(await v1.create(owner, company, { name: "Dup Name", type: "quay", credentials: { username: "org+bot", token: "DUPTOKEN0000000000000000000001", url: "quay.io/dup-a" } }));
    const byName = expectProblem(await v1.create(owner, company, { name: "dup name", type: "quay", credentials: { username: "org+bot", token: "DUPTOKEN0000000000000000000002", url: "quay.io/dup-b" } }), 409, "conflict");
    expect(byName.errors).toEqual([{ path: "name", message: expect.any(String) }]);
    const byUrl = expectProblem(await v1.create(owner, company, { name: "Dup Other", type: "quay", credentials: { username: "org+bot", token: "DUPTOKEN0000000000000000000003", url: "https://quay.io/dup-a/" } }), 409, "conflict");
    expect(byUrl.errors).toEqual([{ path: "credentials.url", message: expect.any(String) }]);
    // the generic body on the seed path: same answer
    expectProblem(await seed.create(ownerToken, company, { name: "Dup Seed", url: "quay.io/dup-a", username: "org+bot", password: "DUPTOKEN0000000000000000000004" }), 409, "conflict");

    // update into a conflict
    const b = await created(await v1.create(owner, company, { name: "Dup B", type: "quay", credentials: { username: "org+bot", token: "DUPTOKEN0000000000000000000005", url: "quay.io/dup-c" } }));
    expect(expectProblem(await v1.patch(owner, company, b.id, { name: "DUP NAME" }), 409, "conflict").errors?.[0]?.path).toBe("name");
    expect(expectProblem(await v1.patch(owner, company, b.id, { credentials: { url: "quay.io/dup-a", token: "DUPTOKEN0000000000000000000006" } }), 409, "conflict").errors?.[0]?.path).toBe("credentials.url");
    expect((await rowOf(b.id)).version).toBe(1);
    expect((await rowOf(a.id)).version).toBe(1);

    // a registry may change the case of its own name
    const recased = await v1.patch(owner, company, a.id, { name: "DUP NAME" });
    expect(recased.status, recased.text).toBe(200);
    expect(recased.body.name).toBe("DUP NAME");

    // public (no auth) entries share docker.io freely
    await created(await v1.create(owner, company, { name: "Public one", type: "public", credentials: {} }));
    await created(await v1.create(owner, company, { name: "Public two", type: "public", credentials: {} }));

    // another company may use the same name and URL
    await created(await v1.create({ cookie: other.users.owner.cookie }, other.company.id, { name: "Dup Name", type: "quay", credentials: { username: "org+bot", token: "DUPTOKEN0000000000000000000007", url: "quay.io/dup-a" } }));
  });

  it("20 concurrent creates of one URL: exactly one 201 and nineteen 409", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        v1.create(ownerToken, company, { name: `race ${i}`, type: "gitlab", credentials: { username: "deployer", token: `gldt-RaceRaceRaceRace${String(i).padStart(4, "0")}`, url: "registry.gitlab.com/race-group" } }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const a of answers.filter((x) => x.status === 409)) expect(expectProblem(a, 409, "conflict").errors?.[0]?.path).toBe("credentials.url");
    const rows = await t.db.select().from(registries).where(and(eq(registries.companyId, company), eq(registries.url, "registry.gitlab.com/race-group")));
    expect(rows).toHaveLength(1);
    // one audit event, for the one that was created
    const events = await t.db.select().from(auditEvents).where(and(eq(auditEvents.companyId, company), eq(auditEvents.action, "registry.created")));
    expect(events.filter((e) => (e.metadata as { url?: string }).url === "registry.gitlab.com/race-group")).toHaveLength(1);

    // the same for one name on different URLs
    const byName = await Promise.all(
      Array.from({ length: 10 }, (_, i) => v1.create(ownerToken, company, { name: "Race Name", type: "custom", credentials: { url: `race-name-${i}.example.com`, token: `race-name-token-${i}` } })),
    );
    expect(byName.filter((a) => a.status === 201)).toHaveLength(1);
    for (const a of byName.filter((x) => x.status !== 201)) expect(expectProblem(a, 409, "conflict").errors?.[0]?.path).toBe("name");
  });

  it("keeps two path prefixes on one host side by side", async () => {
    const a = await created(await v1.create(owner, company, { name: "GitHub org A", type: "ghcr", credentials: { username: "a", token: "ghp_OrgAOrgAOrgAOrgAOrgAOrgAOrgAOrgA0008", url: "ghcr.io/org-a" } }));
    const b = await created(await v1.create(owner, company, { name: "GitHub org B", type: "ghcr", credentials: { username: "b", token: "ghp_OrgBOrgBOrgBOrgBOrgBOrgBOrgBOrgB0009", url: "https://ghcr.io/org-b/" } }));
    expect([a.url, b.url]).toEqual(["ghcr.io/org-a", "ghcr.io/org-b"]);
    // the same via the generic body on the seed path
    const c = await created(await seed.create(ownerToken, company, { name: "GitHub org C", url: "ghcr.io/org-c", username: "c", password: "ghp_OrgCOrgCOrgCOrgCOrgCOrgCOrgCOrgC0010" }));
    expect(c).toMatchObject({ type: "ghcr", url: "ghcr.io/org-c" });
    // each keeps its own token
    expect(openBlob((await rowOf(a.id)).secretBlob!, { companyId: company, registryId: a.id })).toEqual({ token: "ghp_OrgAOrgAOrgAOrgAOrgAOrgAOrgAOrgA0008" });
    expect(openBlob((await rowOf(b.id)).secretBlob!, { companyId: company, registryId: b.id })).toEqual({ token: "ghp_OrgBOrgBOrgBOrgBOrgBOrgBOrgBOrgB0009" });
    // a third on an existing prefix conflicts
    expectProblem(await v1.create(owner, company, { name: "GitHub org A again", type: "ghcr", credentials: { username: "a2", token: "ghp_OrgA2OrgA2OrgA2OrgA2OrgA2OrgA20011", url: "ghcr.io/org-a" } }), 409, "conflict");
    const listed = await v1.list(owner, company, "filter.name=GitHub org&filter.type=ghcr");
    expect(listed.body.items.map((i: { url: string }) => i.url).sort()).toEqual(["ghcr.io/org-a", "ghcr.io/org-b", "ghcr.io/org-c"]);
  });
});

describe("If-Match and ETag", () => {
  it("412 on a stale If-Match for PUT, PATCH and DELETE; the current, weak or * tag passes", async () => {
    const r = await created(await v1.create(owner, company, { name: "etag one", type: "harbor", credentials: { url: "harbor-etag.example.com", username: "robot$etag", password: "etag-password-0012" } }));
    const put = { name: "etag one", type: "harbor", credentials: { url: "harbor-etag.example.com", username: "robot$etag" } };
    let a = await v1.patch(owner, company, r.id, { name: "etag two" }, { "if-match": '"1"' });
    expect(a.status).toBe(200);
    expect(a.headers.get("etag")).toBe('"2"');

    const stale412 = [await v1.patch(owner, company, r.id, { name: "etag three" }, { "if-match": '"1"' }), await v1.put(owner, company, r.id, put, { "if-match": '"1"' }), await v1.delete(owner, company, r.id, { ifMatch: '"1"' })];
    for (const s of stale412) expectProblem(s, 412, "precondition-failed");
    expect(await rowOf(r.id)).toMatchObject({ version: 2, name: "etag two", isDeleted: false });

    a = await v1.put(owner, company, r.id, put, { "if-match": 'W/"2"' });
    expect(a.status, a.text).toBe(200);
    a = await v1.patch(owner, company, r.id, { isActive: false }, { "if-match": '"99", "3"' });
    expect(a.status, a.text).toBe(200);
    a = await v1.patch(owner, company, r.id, { isActive: true }, { "if-match": "*" });
    expect(a.status, a.text).toBe(200);
    const g = await v1.get(owner, company, r.id);
    expect(g.headers.get("etag")).toBe('"5"');
    expect(g.body.version).toBe(5);
    expectProblem(await v1.delete(owner, company, r.id, { ifMatch: '"4"' }), 412);
    expect((await v1.delete(owner, company, r.id, { ifMatch: g.headers.get("etag")! })).status).toBe(204);
  });

  it("of 10 concurrent PATCHes with the same If-Match, exactly one wins and nine get 412", async () => {
    const r = await created(await v1.create(owner, company, { name: "etag race", type: "custom", credentials: { url: "etag-race.example.com", token: "etag-race-token-0029" } }));
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => v1.patch(ownerToken, company, r.id, { name: `etag race ${i}` }, { "if-match": '"1"' })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expectProblem(a, 412, "precondition-failed");
    const winner = answers.find((a) => a.status === 200)!;
    expect(await rowOf(r.id)).toMatchObject({ version: 2, name: winner.body.name });
  });
});

describe("the list", () => {
  it("filters by name (case-insensitive substring, wildcards literal) and type, newest first", async () => {
    const names = ["Filter Alpha", "filter BETA", "Filter 100%_done", "Filter 100xxdone", "Other thing"];
    const ids: string[] = [];
    for (const [i, n] of names.entries()) {
      ids.push((await created(await v1.create(owner, company, { name: n, type: i % 2 ? "custom" : "artifactory", credentials: { url: `filter-${i}.example.com`, username: "u", password: `filter-password-${i}-0013` } }))).id);
    }
    const q = async (query: string) => {
      const a = await v1.list(owner, company, query);
      expect(a.status, a.text).toBe(200);
      return a.body.items.map((i: { name: string }) => i.name);
    };
    expect(await q("filter.name=FILTER")).toEqual(["Filter 100xxdone", "Filter 100%_done", "filter BETA", "Filter Alpha"]);
    expect(await q(`filter.name=${encodeURIComponent("100%_")}`)).toEqual(["Filter 100%_done"]);
    expect(await q("filter.name=beta")).toEqual(["filter BETA"]);
    expect(await q("filter.name=filter&filter.type=custom")).toEqual(["Filter 100xxdone", "filter BETA"]);
    expect(await q("filter.name=filter&filter.type=artifactory")).toEqual(["Filter 100%_done", "Filter Alpha"]);
    expect(await q("filter.name=nothing-like-this")).toEqual([]);
    expect(await q("filter.name=filter&filter.type=ecr")).toEqual([]);

    // paging through a filtered list: limit, opaque token, no repeats
    const p1 = await v1.list(owner, company, "filter.name=filter&limit=3");
    expect(p1.body).toMatchObject({ limit: 3, nextPageToken: expect.any(String) });
    expect(p1.body.items).toHaveLength(3);
    const p2 = await v1.list(owner, company, `filter.name=filter&limit=3&pagination.token=${encodeURIComponent(p1.body.nextPageToken)}`);
    expect(p2.body).toMatchObject({ limit: 3, nextPageToken: null });
    expect(p2.body.items.map((i: { name: string }) => i.name)).toEqual(["Filter Alpha"]);
    // the default limit is 100
    expect((await v1.list(owner, company, "filter.name=filter")).body.limit).toBe(100);
    // the seed path lists the same
    expect((await seed.list(ownerToken, company, "filter.name=filter&limit=3")).body).toEqual(p1.body);
  });

  it("400 with the parameter's path for a bad type, limit or pagination token", async () => {
    expectFieldErrors(await v1.list(owner, company, "filter.type=nope"), ["filter.type"]);
    for (const l of ["0", "101", "abc", "1.5", "-3"]) expectFieldErrors(await v1.list(owner, company, `limit=${l}`), ["limit"]);
    const cursor = (at: string) => Buffer.from(JSON.stringify([at, "00000000-0000-4000-8000-000000000000"])).toString("base64url");
    // tampered tokens whose date JavaScript accepts but PostgreSQL would not (these were 500s)
    const tampered = ["1", "+275760-09-13T00:00:00.000Z", "-000001-01-01T00:00:00Z", "2026-02-30T00:00:00.000000Z", "2026-01-01 00:00:00+00", "Jan 1 2026"].map(cursor);
    for (const tok of ["garbage", Buffer.from('["2026-01-01T00:00:00Z","x"]').toString("base64url"), Buffer.from("{}").toString("base64url"), "x".repeat(600), ...tampered]) {
      expectFieldErrors(await v1.list(owner, company, `pagination.token=${tok}`), ["pagination.token"]);
    }
    expectFieldErrors(await v1.list(owner, company, `filter.name=${"n".repeat(101)}`), ["filter.name"]);
  });
});

describe("soft delete", () => {
  it("frees the name and URL, keeps the row (without its ciphertext) and 404s the old id", async () => {
    const body = { name: "Reusable", type: "dockerhub", credentials: { username: "reuser", password: "dckr_pat_Reuse-Reuse-Reuse-0014", url: "docker.io/reuse-org" } } as const;
    const a = await created(await v1.create(owner, company, body));
    expectProblem(await v1.create(owner, company, body), 409);
    expect((await v1.delete(owner, company, a.id)).status).toBe(204);
    const b = await created(await v1.create(owner, company, { ...body, credentials: { ...body.credentials, password: "dckr_pat_Reuse-Again-Again-0015" } }));
    expect(b.id).not.toBe(a.id);
    expect(b.url).toBe(a.url);
    expectProblem(await v1.get(owner, company, a.id), 404);
    expect((await v1.get(owner, company, b.id)).status).toBe(200);
    const old = await rowOf(a.id);
    expect(old).toMatchObject({ isDeleted: true, secretBlob: null, name: "Reusable", url: "docker.io/reuse-org" });
  });

  it("409 registry-in-use when used in the last 30 days, unless ?force=true; 400 for another force value", async () => {
    const r = await created(await v1.create(owner, company, { name: "In use", type: "custom", credentials: { url: "inuse.example.com", token: "in-use-token-0016" } }));
    await t.db.update(registries).set({ lastUsedAt: new Date(Date.now() - 3 * 24 * 3600_000) }).where(eq(registries.id, r.id));
    const p = expectProblem(await v1.delete(owner, company, r.id), 409, "registry-in-use");
    expect(p.detail).toMatch(/In use/);
    expect(p.detail).toMatch(/force=true/);
    expectFieldErrors(await v1.delete(owner, company, r.id, { force: "yes" }), ["force"]);
    expect((await v1.delete(owner, company, r.id, { force: "false" })).status).toBe(409);
    expect((await rowOf(r.id)).isDeleted).toBe(false);
    expect((await v1.delete(owner, company, r.id, { force: "true" })).status).toBe(204);

    // used longer ago than 30 days: no confirmation needed
    const s = await created(await v1.create(owner, company, { name: "Used long ago", type: "custom", credentials: { url: "longago.example.com", token: "long-ago-token-0017" } }));
    await t.db.update(registries).set({ lastUsedAt: new Date(Date.now() - 31 * 24 * 3600_000) }).where(eq(registries.id, s.id));
    expect((await v1.delete(owner, company, s.id)).status).toBe(204);
  });
});

describe("audit", () => {
  it("records create, update, deactivate, activate and delete with actor, token, request id and changed field names only", async () => {
    const tok = await tokenFor(t.db, company, team.users.admin.id, { name: "audit" });
    const auth = { token: tok.token };
    const requestId = `audit-req-${Date.now()}`;
    const c = await created(await v1.create(auth, company, { name: "Audited", type: "acr", credentials: { loginServer: "audited.azurecr.io", username: "aud", password: "audit-password-0018" } }, { "x-request-id": requestId }));
    await v1.patch(auth, company, c.id, { credentials: { password: "audit-password-0019", username: "aud2" } });
    await v1.patch({ cookie: team.users.admin.cookie }, company, c.id, { isActive: false });
    await v1.patch({ cookie: team.users.admin.cookie }, company, c.id, { isActive: true });
    await v1.put(auth, company, c.id, { name: "Audited renamed", type: "acr", credentials: { loginServer: "audited.azurecr.io", username: "aud2" } });
    await v1.delete(auth, company, c.id);

    const events = (await t.db.select().from(auditEvents).where(and(eq(auditEvents.companyId, company), eq(auditEvents.targetId, c.id)))).sort((a, b) => a.id - b.id);
    expect(events.map((e) => e.action)).toEqual(["registry.created", "registry.updated", "registry.deactivated", "registry.activated", "registry.updated", "registry.deleted"]);
    for (const e of events) {
      expect(e.actorUserId).toBe(team.users.admin.id);
      expect(e.targetType).toBe("registry");
      expect(e.requestId).toBeTruthy();
    }
    expect(events[0]!.requestId).toBe(requestId); // the caller's X-Request-Id is kept
    expect(events.map((e) => e.actorTokenId)).toEqual([tok.id, tok.id, null, null, tok.id, tok.id]);
    expect(events[0]!.metadata).toMatchObject({ name: "Audited", type: "acr", url: "audited.azurecr.io" });
    expect((events[1]!.metadata as { changed: string[] }).changed.sort()).toEqual(["credentials.password", "credentials.username"]);
    expect((events[2]!.metadata as { changed: string[] }).changed).toEqual(["isActive"]);
    expect((events[4]!.metadata as { changed: string[] }).changed).toEqual(["name"]);
    expect(events[5]!.metadata).toMatchObject({ name: "Audited renamed", forced: false });

    // never a secret value in the audit log
    const all = JSON.stringify(await t.db.select().from(auditEvents));
    for (const s of rec.secrets) expect(all.includes(s), `audit log holds a secret`).toBe(false);
    // and the audit log API shows the same events to the owner
    expect(events.every((e) => !JSON.stringify(e.metadata).includes("audit-password"))).toBe(true);
  });
});

describe("errors: problem+json, limits, CSRF", () => {
  it("answers every client mistake with problem+json, never a 500", async () => {
    const r = await created(await v1.create(owner, company, { name: "Problems", type: "custom", credentials: { url: "problems.example.com", username: "u", password: "problem-password-0020" } }));
    // a validation error: type, title, status, detail, errors[].path, requestId (echoed in X-Request-Id)
    const bad = await v1.create(owner, company, { name: "", type: "ecr", credentials: { accessKeyId: "nope", secretAccessKey: "x", region: "mars-1", sessionToken: 5 } }, { "x-request-id": "req-problem-1" });
    const p = expectProblem(bad, 400, "validation");
    expect(p).toMatchObject({ title: "Invalid request", requestId: "req-problem-1", detail: expect.stringMatching(/^\d+ fields? (is|are) invalid$/) });
    expect(p.errors!.map((e) => e.path).sort()).toEqual(["credentials.accessKeyId", "credentials.region", "credentials.sessionToken", "name"]);

    const cases: [Answer, number, string][] = [
      [await v1.create(owner, company, { name: "x", type: "nonsense", credentials: {} }), 400, "validation"],
      [await v1.create(owner, company, { name: "x" }), 400, "validation"],
      [await v1.create(owner, company, []), 400, "validation"],
      [await v1.create(owner, company, "null"), 400, "validation"],
      [await v1.create(owner, company, "{not json"), 400, "bad-request"],
      [await v1.create(owner, company, ""), 400, "validation"],
      [await v1.create(owner, company, { name: "x", type: "ghcr", credentials: { username: "u", token: "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx1" }, extra: 1 }), 400, "validation"],
      [await v1.patch(owner, company, r.id, { isActive: "yes" }), 400, "validation"],
      [await v1.patch(owner, company, r.id, "{"), 400, "bad-request"],
      [await v1.put(owner, company, r.id, { name: "Problems" }), 400, "validation"],
      [await v1.create(owner, company, { name: "a".repeat(101), type: "public", credentials: {} }), 400, "validation"],
      [await v1.create(owner, company, { name: "u", type: "custom", credentials: { url: "ftp://x.example.com", token: "tok-0021-abcdef" } }), 400, "validation"],
      [await v1.create(owner, company, { name: "u", type: "custom", credentials: { url: "user:pw@x.example.com", token: "tok-0022-abcdef" } }), 400, "validation"],
    ];
    for (const [a, status, type] of cases) expectProblem(a, status, type);

    // found by fuzzing: these were 500s (credentials: null crashed the required-field check;
    // PostgreSQL refuses NUL in text and jsonb)
    expectFieldErrors(await v1.create(owner, company, { name: "null creds", type: "ghcr", credentials: null }), ["credentials"]);
    expectFieldErrors(await v1.put(owner, company, r.id, { name: "Problems", type: "custom", credentials: null }), ["credentials"]);
    expectFieldErrors(await v1.patch(owner, company, r.id, { credentials: null }), ["credentials"]);
    expectFieldErrors(await v1.create(owner, company, { name: "nul\u0000name", type: "public", credentials: {} }), ["name"]);
    expectFieldErrors(await v1.create(owner, company, { name: "nul user", type: "custom", credentials: { url: "nul.example.com", username: "a\u0000b", password: "nul-password-0032" } }), ["credentials.username"]);
    expectFieldErrors(await v1.patch(owner, company, r.id, { name: "\u0000" }), ["name"]);
    // the NUL check runs on the body as sent, so the path is the generic body's own
    expectFieldErrors(await seed.create(ownerToken, company, { name: "nul generic", url: "nul.example.com", username: "u\u0000", password: "nul-password-0033" }), ["username"]);
    expectFieldErrors(await v1.list(owner, company, "filter.name=%00"), ["filter.name"]);
    expect(expectFieldErrors(cases[0]![0], ["type"])[0]!.message).toMatch(/Unknown registry type/);
    expectFieldErrors(cases[6]![0], ["extra"]);
  });

  it("413 over 64 KiB and 415 for a body that is not JSON", async () => {
    const big = { name: "big", type: "custom", credentials: { url: "big.example.com", username: "u", password: "p".repeat(70 * 1024) } };
    expectProblem(await v1.create(owner, company, big), 413, "payload-too-large");
    expectProblem(await v1.create(owner, company, JSON.stringify(big), { "content-length": String(JSON.stringify(big).length) }), 413, "payload-too-large");
    // just under the limit is read (and then judged on its content)
    const under = { name: "under", type: "custom", credentials: { url: "under.example.com", username: "u", caCertificate: "x".repeat(60 * 1024) } };
    expect((await v1.create(owner, company, under)).status).toBe(400);
    const r = await created(await v1.create(owner, company, { name: "media", type: "custom", credentials: { url: "media.example.com", token: "media-token-0023" } }));
    expectProblem(await v1.patch(owner, company, r.id, { name: "y".repeat(70 * 1024) }), 413);
    for (const ct of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      expectProblem(await v1.create(owner, company, "name=x", { "content-type": ct }), 415, "unsupported-media-type");
      expectProblem(await v1.put(owner, company, r.id, "name=x", { "content-type": ct }), 415);
      expectProblem(await v1.patch(owner, company, r.id, "name=x", { "content-type": ct }), 415);
      expectProblem(await seed.create(ownerToken, company, "name=x", { "content-type": ct }), 415);
    }
    // application/json with a charset, and +json types, are JSON
    expect((await v1.patch(owner, company, r.id, { name: "media 2" }, { "content-type": "application/json; charset=utf-8" })).status).toBe(200);
    expect((await v1.patch(owner, company, r.id, { name: "media 3" }, { "content-type": "application/merge-patch+json" })).status).toBe(200);
  });

  it("refuses a cookie-authenticated change without this site's Origin (CSRF); tokens need none", async () => {
    const r = await created(await v1.create(owner, company, { name: "csrf", type: "custom", credentials: { url: "csrf.example.com", token: "csrf-token-0024" } }));
    const noOrigin = { cookie: team.users.owner.cookie, origin: null };
    const evil = { cookie: team.users.owner.cookie, origin: "https://evil.example.com" };
    for (const auth of [noOrigin, evil]) {
      expectProblem(await v1.create(auth, company, { name: "csrf 2", type: "public", credentials: {} }), 403, "forbidden");
      expectProblem(await seed.create(auth, company, { name: "csrf 3", url: "csrf3.example.com", token: "csrf-token-0025" }), 403, "forbidden");
      expectProblem(await v1.patch(auth, company, r.id, { name: "csrf x" }), 403);
      expectProblem(await v1.put(auth, company, r.id, { name: "csrf x", type: "custom", credentials: { url: "csrf.example.com" } }), 403);
      expectProblem(await v1.delete(auth, company, r.id), 403);
    }
    expect(await rowOf(r.id)).toMatchObject({ name: "csrf", isDeleted: false, version: 1 });
    // reads need no Origin; a bearer token needs none either
    expect((await v1.get(noOrigin, company, r.id)).status).toBe(200);
    expect((await v1.patch({ token: ownerToken.token }, company, r.id, { name: "csrf ok" })).status).toBe(200);
  });

  it("401 with WWW-Authenticate without credentials or with a bad token", async () => {
    for (const auth of [{}, { token: "brt_not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }, { token: "nope" }]) {
      const a = await v1.list(auth, company);
      expectProblem(a, 401, "unauthenticated");
      expect(a.headers.get("www-authenticate")).toMatch(/^Bearer/);
      // (a POST as a browser sends it, with an Origin: a POST with neither credentials nor Origin
      // is refused by the CSRF check first, 403)
      expectProblem(await v1.create(auth, company, { name: "x", type: "public", credentials: {} }, { origin: "http://localhost:3000" }), 401);
    }
  });
});

describe("seed 000: the five curl examples at /api/{companyId}/containerRegistryConfig with a Berth token", () => {
  it("creates each example as its mapped type, with Location and no secret in the answer", async () => {
    const s = await seedTeam(t.db);
    const tok = { token: (await tokenFor(t.db, s.company.id, s.owner.id, { scopes: ["registries:read", "registries:write"] })).token };
    for (const [i, ex] of SEED_GENERIC_EXAMPLES.entries()) {
      const body = i === 3 ? { ...ex.body, password: FAKE_SERVICE_ACCOUNT_KEY } : ex.body;
      const a = await seed.create(tok, s.company.id, body);
      const dto = await created(a);
      // the seed's documented answer fields, plus ours
      expect(dto).toMatchObject({ type: ex.type, name: ex.body.name, companyIdRef: s.company.id, isActive: true, isDeleted: false, modifiedBy: s.owner.id });
      expect(a.headers.get("location")).toBe(`/api/${s.company.id}/containerRegistryConfig/${dto.id}`);
      const g = await seed.get(tok, s.company.id, dto.id);
      expect(g.status).toBe(200);
      expect(g.headers.get("etag")).toBe('"1"');
      expect(g.body).toEqual(a.body);
    }
    const listed = (await seed.list(tok, s.company.id)).body.items as { type: string; url: string; credentials: Record<string, unknown>; secretsSet: string[] }[];
    expect(listed.map((r) => [r.type, r.url, r.secretsSet])).toEqual([
      ["custom", "123456789012.dkr.ecr.us-east-1.amazonaws.com", ["password"]],
      ["gcr", "gcr.io", ["serviceAccountKey"]],
      ["dockerhub", "docker.io", ["password"]],
      ["ghcr", "ghcr.io", ["token"]],
      ["acr", "myprod.azurecr.io", ["password"]],
    ]);
    expect(listed[4]!.credentials).toEqual({ loginServer: "myprod.azurecr.io", username: "myprod" });
    expect(listed[0]!.credentials).toEqual({ url: "123456789012.dkr.ecr.us-east-1.amazonaws.com", username: "AWS" });
  });

  it("answers the seed's elided service-account JSON with a clear 400 at credentials.serviceAccountKey", async () => {
    const elided = SEED_GENERIC_EXAMPLES[3].body;
    const a = await seed.create(ownerToken, company, elided);
    const [e] = expectFieldErrors(a, ["credentials.serviceAccountKey"]);
    expect(e!.message).toMatch(/not valid JSON/i);
    expect(a.text).not.toContain("service_account\",...");
    // a JSON key without client_email or private_key is named as such
    const noEmail = JSON.stringify({ type: "service_account", private_key: "x" });
    expect(expectFieldErrors(await seed.create(ownerToken, company, { ...elided, password: noEmail }), ["credentials.serviceAccountKey"])[0]!.message).toMatch(/client_email/);
    const notSa = JSON.stringify({ type: "authorized_user" });
    expect(expectFieldErrors(await seed.create(ownerToken, company, { ...elided, password: notSa }), ["credentials.serviceAccountKey"])[0]!.message).toMatch(/service_account/);
  });

  it("honours the generic body's isActive, URL normalisation and a token instead of username + password", async () => {
    const a = await created(await seed.create(ownerToken, company, { name: "Generic inactive", url: "https://generic.example.com:8443/team/", token: "generic-token-0026", isActive: false }));
    expect(a).toMatchObject({ type: "custom", url: "generic.example.com:8443/team", isActive: false, secretsSet: ["token"] });
    const b = await created(await seed.create(ownerToken, company, { name: "Generic plain", url: "http://plain.example.com:5000", username: "u", password: "plain-password-0027" }));
    expect(b).toMatchObject({ type: "custom", url: "plain.example.com:5000", plainHttp: true });
    expect((b as unknown as { warnings: { path: string }[] }).warnings.map((w) => w.path)).toContain("credentials.url");
    // neither username + password nor a token
    expectFieldErrors(await seed.create(ownerToken, company, { name: "Generic none", url: "none.example.com", username: "u" }), ["credentials.password"]);
    expectFieldErrors(await seed.create(ownerToken, company, { name: "Generic bad url", url: "https://", token: "generic-token-0028" }), ["credentials.url"]);
    // a generic body without its url is told so (not "type: Required")
    expect(expectFieldErrors(await seed.create(ownerToken, company, { name: "Generic no url", username: "u", password: "generic-password-0031" }), ["credentials.url"])[0]!.message).toBe("Required");
    // the company may also be named by its slug
    const slugged = await seed.list(ownerToken, team.company.slug);
    expect(slugged.status).toBe(200);
  });
});

describe("no secret in any answer", () => {
  it("scans every answer of this file for every plaintext secret sent", () => {
    rec.assertNoSecretLeaked(100, 30);
  });

  it("(the scanner itself finds a secret echoed in clear, JSON-escaped, base64 or as one line of a key file)", async () => {
    const probe = createRecorder();
    const echo = (transform: (s: string) => string) => async (req: Request) => new Response(transform(String(((await req.json()) as { credentials: { password: string } }).credentials.password)));
    const secret = "echo-secret-0030";
    for (const f of [(s: string) => s, (s: string) => Buffer.from(s).toString("base64"), (s: string) => JSON.stringify({ v: `x${s}"` })]) {
      await probe.send(echo(f), "POST", "/x", ownerToken, {}, { credentials: { password: secret } });
    }
    expect(probe.leaks()).toHaveLength(3);
    const keyProbe = createRecorder();
    await keyProbe.send(async () => new Response(JSON.stringify({ k: FAKE_SERVICE_ACCOUNT_KEY.split("\n")[4] })), "POST", "/x", ownerToken, {}, { credentials: { serviceAccountKey: FAKE_SERVICE_ACCOUNT_KEY } });
    await keyProbe.send(async () => new Response(`-----BEGIN PRIVATE KEY-----\n${FAKE_PRIVATE_KEY_PEM.split("\n")[2]}`), "POST", "/x", ownerToken, {}, {});
    expect(keyProbe.leaks()).toHaveLength(2);
  });
});
