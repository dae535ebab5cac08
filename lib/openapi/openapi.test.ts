/**
 * The OpenAPI document: served without authentication, valid OpenAPI 3.1 (checked
 * with @seriousme/openapi-schema-validator), covering every route handler of the API with its
 * status codes, and true to the code: real requests and answers of the handlers, on a real
 * database, validate against the document's own JSON Schemas (with Ajv, draft 2020-12), and the
 * answers' schemas are made strict here so an undocumented field fails.
 */
import fs from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as openapiRoute } from "@/app/api/v1/openapi.json/route";
import { GET as auditRoute } from "@/app/api/v1/companies/[companyId]/audit-events/route";
import { GET as listInvites, POST as createInvite } from "@/app/api/v1/companies/[companyId]/invites/route";
import { GET as listMembers } from "@/app/api/v1/companies/[companyId]/members/route";
import { PATCH as patchMember } from "@/app/api/v1/companies/[companyId]/members/[userId]/route";
import { GET as listTokens, POST as createToken } from "@/app/api/v1/companies/[companyId]/tokens/route";
import { GET as me } from "@/app/api/v1/me/route";
import { FAKE_SERVICE_ACCOUNT_KEY, REGISTRY_FIXTURES, SEED_GENERIC_EXAMPLES, registryFixture } from "@/lib/registries/fixtures";
import { createRecorder, ROUTES, type Answer } from "@/lib/registries/registries.testkit";
import { REGISTRY_TYPE_KEYS } from "@/lib/registries/schemas";
import { apiRequest, call } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { buildOpenApiDocument } from "./document";
import { isRefusalHandler } from "@/lib/http";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ROOT = path.resolve(__dirname, "../..");
const ID = "https://berth.dev/openapi.json";
let doc: Json;

async function fetchDocument(): Promise<{ res: Response; doc: Json }> {
  const res = await call(openapiRoute, apiRequest("GET", "/api/v1/openapi.json", {}), {});
  return { res, doc: JSON.parse(await res.clone().text()) };
}

/** Every `$ref` in a JSON value. */
function refsIn(value: Json, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

function pointer(root: Json, ref: string): Json {
  return ref
    .replace(/^#\//, "")
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((node, key) => (node === undefined ? undefined : node[key]), root);
}

/** The schemas of the document as Ajv schemas; answers (`strict`) refuse properties the document does not name. */
function ajvFor(components: Json, strict: boolean) {
  const rewrite = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== "object") return value;
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === "$ref" && typeof v === "string" ? v.replace("#/components/schemas/", "#/$defs/") : rewrite(v);
    if (strict && out.type === "object" && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
    return out;
  };
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: ID, $defs: rewrite(components.schemas) });
  return (id: string, value: unknown) => {
    const validate = ajv.getSchema(`${ID}#/$defs/${id}`);
    if (!validate) throw new Error(`no schema ${id}`);
    const ok = validate(value);
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

beforeAll(async () => {
  doc = (await fetchDocument()).doc;
});

describe("GET /api/v1/openapi.json", () => {
  it("is served without authentication as JSON, and is the built document", async () => {
    const { res, doc: served } = await fetchDocument();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(served).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(served.openapi).toMatch(/^3\.1\./);
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // and the validator can resolve every reference
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it("has every $ref resolvable, unique operation ids, and declared path parameters", () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(100);
    for (const r of new Set(refs)) expect(pointer(doc, r), r).toBeDefined();
    const ops = Object.values(doc.paths).flatMap((item: Json) => Object.entries(item).filter(([k]) => k !== "parameters").map(([, op]) => op as Json));
    const ids = ops.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [p, item] of Object.entries(doc.paths) as [string, Json][]) {
      const declared = (item.parameters ?? []).map((x: Json) => (x.$ref ? pointer(doc, x.$ref) : x)).filter((x: Json) => x.in === "path").map((x: Json) => x.name).sort();
      expect(declared, p).toEqual([...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
    }
  });

  it("compiles every component schema as JSON Schema draft 2020-12", () => {
    const check = ajvFor(doc.components, false);
    for (const id of Object.keys(doc.components.schemas)) expect(() => check(id, {})).not.toThrow();
  });
});

describe("coverage of every route of the REST API", () => {
  const R = "/api/v1/companies/{companyId}/registries";
  const S = "/api/{companyId}/containerRegistryConfig";
  const C = "/api/v1/companies/{companyId}";
  const EXPECTED: [string, string, string[]][] = [
    [R, "get", ["200", "400", "401", "403", "404"]],
    [R, "post", ["201", "400", "401", "403", "404", "409", "413", "415"]],
    [`${R}/{id}`, "get", ["200", "401", "403", "404"]],
    [`${R}/{id}`, "put", ["200", "400", "401", "403", "404", "409", "412", "413", "415"]],
    [`${R}/{id}`, "patch", ["200", "400", "401", "403", "404", "409", "412", "413", "415"]],
    [`${R}/{id}`, "delete", ["204", "401", "403", "404", "409", "412"]],
    [`${R}/validate`, "post", ["200", "400", "401", "403", "404", "413", "415", "429"]],
    [`${R}/{id}/test`, "post", ["200", "400", "401", "403", "404", "429"]],
    [`${R}/{id}/checks`, "get", ["200", "400", "401", "403", "404"]],
    [`${R}/resolve`, "post", ["200", "400", "401", "403", "404"]],
    [`${R}/pull-secret`, "post", ["200", "400", "401", "403", "404", "409", "429", "502"]],
    [`${R}/{id}/uses`, "get", ["200", "400", "401", "403", "404"]],
    [`${R}/import`, "post", ["200", "400", "401", "403", "404", "413", "415"]],
    [S, "get", ["200", "400", "401", "403", "404"]],
    [S, "post", ["201", "400", "401", "403", "404", "409", "413", "415"]],
    [`${S}/{id}`, "get", ["200", "404"]],
    [`${S}/{id}`, "put", ["200", "412"]],
    [`${S}/{id}`, "patch", ["200", "412"]],
    [`${S}/{id}`, "delete", ["204", "409", "412"]],
    [`${S}/validate`, "post", ["200", "400"]],
    ["/api/v1/me", "get", ["200", "401"]],
    [`${C}/tokens`, "get", ["200", "401", "403"]],
    [`${C}/tokens`, "post", ["201", "400", "401", "403"]],
    [`${C}/tokens/{tokenId}`, "delete", ["204", "404"]],
    [`${C}/members`, "get", ["200", "403"]],
    [`${C}/members/{userId}`, "patch", ["200", "400", "403", "404"]],
    [`${C}/members/{userId}`, "delete", ["204", "403", "404"]],
    [`${C}/invites`, "get", ["200", "403"]],
    [`${C}/invites`, "post", ["201", "400", "403"]],
    [`${C}/audit-events`, "get", ["200", "400", "403"]],
    [`${C}/health-checks`, "get", ["200", "401", "403"]],
    [`${C}/health-checks`, "patch", ["200", "400", "401", "403"]],
  ];

  it.each(EXPECTED)("%s %s answers %j", (p, method, statuses) => {
    const op = doc.paths[p]?.[method];
    expect(op, `${method} ${p}`).toBeDefined();
    for (const s of statuses) expect(Object.keys(op.responses), `${method} ${p}`).toContain(s);
    for (const [status, response] of Object.entries(op.responses) as [string, Json][]) {
      const r = response.$ref ? pointer(doc, response.$ref) : response;
      if (Number(status) >= 400) expect(Object.keys(r.content), `${method} ${p} ${status}`).toEqual(["application/problem+json"]);
      expect(r.headers?.["X-Request-Id"], `${method} ${p} ${status}`).toBeDefined();
    }
  });

  it("documents Location on 201, ETag on registry reads and writes, If-Match on PUT/PATCH/DELETE, WWW-Authenticate on 401 and Retry-After on 429", () => {
    for (const base of [R, S]) {
      expect(doc.paths[base].post.responses["201"].headers.Location).toBeDefined();
      expect(doc.paths[base].post.responses["201"].headers.ETag).toBeDefined();
      for (const m of ["get", "put", "patch"]) expect(doc.paths[`${base}/{id}`][m].responses["200"].headers.ETag).toBeDefined();
      for (const m of ["put", "patch", "delete"]) expect(doc.paths[`${base}/{id}`][m].parameters).toContainEqual({ $ref: "#/components/parameters/IfMatch" });
    }
    expect(doc.components.responses.Problem401.headers["WWW-Authenticate"]).toBeDefined();
    expect(doc.components.responses.Problem429.headers["Retry-After"]).toBeDefined();
    const list = doc.paths[R].get.parameters.map((x: Json) => x.name);
    expect(list).toEqual(["filter.name", "filter.type", "filter.health", "limit", "pagination.token"]);
    const limit = doc.paths[R].get.parameters.find((x: Json) => x.name === "limit").schema;
    expect(limit).toMatchObject({ type: "integer", minimum: 1, maximum: 100, default: 100 });
    expect(doc.paths[R].get.parameters.find((x: Json) => x.name === "filter.type").schema.enum).toEqual([...REGISTRY_TYPE_KEYS]);
  });

  it("has a bearer security scheme, sessions only where the permission table says so, and no security on nothing else", () => {
    expect(doc.components.securitySchemes.bearerToken).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ bearerToken: [] }, { sessionCookie: [] }]);
    for (const p of ["tokens", "members", "invites", "audit-events", "health-checks"]) {
      const item = doc.paths[`${C}/${p}`];
      for (const m of Object.keys(item).filter((k) => k !== "parameters")) expect(item[m].security).toEqual([{ sessionCookie: [] }]);
    }
  });

  it("generates the registry bodies from the zod schemas: one variant per type, with the catalogue's required fields and secrets write-only", () => {
    const typed = doc.components.schemas.RegistryTypedBody;
    expect(typed.oneOf.map((v: Json) => v.properties.type.const)).toEqual([...REGISTRY_TYPE_KEYS]);
    const ecr = typed.oneOf.find((v: Json) => v.properties.type.const === "ecr");
    expect(ecr.title).toBe("Amazon ECR (ecr)");
    expect(ecr.properties.credentials.required).toEqual(["accessKeyId", "secretAccessKey", "region"]);
    expect(ecr.properties.credentials.properties.secretAccessKey.writeOnly).toBe(true);
    expect(ecr.properties.credentials.additionalProperties).toBe(false);
    // replace: secrets may be left out
    const replaceEcr = doc.components.schemas.RegistryReplace.oneOf.find((v: Json) => v.properties.type.const === "ecr");
    expect(replaceEcr.properties.credentials.required).toBeUndefined();
    // the Registry answer never has a secret's value, only secretsSet
    expect(Object.keys(doc.components.schemas.Registry.properties)).toContain("secretsSet");
  });

  it("documents every route handler of the API (and nothing that does not exist)", async () => {
    const found: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name === "route.ts") {
          const route = "/" + path.relative(path.join(ROOT, "app"), path.dirname(full)).split(path.sep).join("/");
          // Operational endpoints (liveness, readiness, Prometheus metrics) and Auth.js are not the REST API.
          if (/^\/api\/(auth|health|ready|metrics)(\/|$)|^\/api\/v1\/openapi\.json$/.test(route)) continue;
          const mod = (await import(/* @vite-ignore */ full)) as Record<string, unknown>;
          // Methods a route does not serve answer 405 (lib/http.ts otherMethods): not documented operations.
          for (const m of ["GET", "POST", "PUT", "PATCH", "DELETE"]) if (typeof mod[m] === "function" && !isRefusalHandler(mod[m])) found.push(`${m.toLowerCase()} ${route.replace(/\[(\w+)\]/g, "{$1}")}`);
        }
      }
    };
    await walk(path.join(ROOT, "app", "api"));
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item as Json).filter((k) => k !== "parameters").map((m) => `${m} ${p}`));
    expect(found.length).toBeGreaterThan(20);
    expect(documented.sort()).toEqual(found.sort());
  });
});

describe("the document is true to the code (real requests and answers against its JSON Schemas)", () => {
  let t: TestDb;
  let team: Team;
  let checkIn: (id: string, v: unknown) => string[];
  let checkOut: (id: string, v: unknown) => string[];
  const rec = createRecorder();
  const v1 = rec.api("v1");
  const seed = rec.api("seed");

  beforeAll(async () => {
    t = await useTestDb();
    team = await seedTeam(t.db);
    checkIn = ajvFor(doc.components, false);
    checkOut = ajvFor(doc.components, true);
  });
  afterAll(async () => {
    await t?.close();
  });

  const expectAnswer = (a: Answer, status: number, schemaId: string) => {
    expect(a.status, a.text).toBe(status);
    expect(checkOut(schemaId, a.body), `${schemaId}: ${a.text}`).toEqual([]);
  };

  it("registry bodies and answers", async () => {
    const owner = { cookie: team.users.owner.cookie };
    const c = team.company.id;
    for (const type of REGISTRY_TYPE_KEYS) {
      const body = registryFixture(type);
      expect(checkIn("RegistryCreate", body), type).toEqual([]);
      expect(checkIn("RegistryTypedBody", body), type).toEqual([]);
      const a = await v1.create(owner, c, body);
      expectAnswer(a, 201, "Registry");
      expectAnswer(await v1.get(owner, c, a.body.id), 200, "Registry");
      const { credentials, ...rest } = body;
      const replace = { ...rest, credentials: Object.fromEntries(Object.entries(credentials ?? {}).filter(([k]) => !a.body.secretsSet.includes(k))) };
      expect(checkIn("RegistryReplace", replace), type).toEqual([]);
      expectAnswer(await v1.put(owner, c, a.body.id, replace), 200, "Registry");
      expect(checkIn("RegistryPatch", { isActive: false }), type).toEqual([]);
      expectAnswer(await v1.patch(owner, c, a.body.id, { isActive: false }), 200, "Registry");
    }
    expectAnswer(await v1.list(owner, c, "limit=5"), 200, "RegistryPage");
    // the generic bodies of the container-registry-config API
    for (const [i, ex] of SEED_GENERIC_EXAMPLES.entries()) {
      const body = i === 3 ? { ...ex.body, password: FAKE_SERVICE_ACCOUNT_KEY } : { ...ex.body, name: `${ex.body.name} seed` };
      expect(checkIn("RegistryCreate", body)).toEqual([]);
      expect(checkIn("GenericRegistryBody", body)).toEqual([]);
      const a = await seed.create(owner, c, i === 3 ? body : { ...body, url: `${ex.body.url}`.replace(/^([^/]+)$/, "$1") });
      expect([201, 409]).toContain(a.status); // the typed fixtures above already hold some of these hosts
      expectAnswer(a, a.status, a.status === 201 ? "Registry" : "Problem");
    }
    // a body the schema refuses is refused by the handler too
    const unknownField = { ...REGISTRY_FIXTURES.ghcr, name: "refused", extra: true };
    expect(checkIn("RegistryCreate", unknownField)).not.toEqual([]);
    expectAnswer(await v1.create(owner, c, unknownField), 400, "Problem");
  });

  it("problem answers", async () => {
    const owner = { cookie: team.users.owner.cookie };
    const c = team.company.id;
    const r = await v1.create(owner, c, { name: "problems", type: "custom", credentials: { url: "problems.example.com", token: "openapi-problem-token" } });
    expectAnswer(await v1.create(owner, c, { name: "", type: "nope" }), 400, "Problem");
    expectAnswer(await v1.list({}, c), 401, "Problem");
    expectAnswer(await v1.create({ cookie: team.users.viewer.cookie }, c, registryFixture("public")), 403, "Problem");
    expectAnswer(await v1.get(owner, c, "nope"), 404, "Problem");
    expectAnswer(await v1.create(owner, c, { name: "problems", type: "public", credentials: {} }), 409, "Problem");
    expectAnswer(await v1.patch(owner, c, r.body.id, { name: "x" }, { "if-match": '"9"' }), 412, "Problem");
    expectAnswer(await v1.create(owner, c, { name: "x".repeat(70_000) }), 413, "Problem");
    expectAnswer(await v1.create(owner, c, "x", { "content-type": "text/plain" }), 415, "Problem");
  });

  it("Test Connection answers", async () => {
    const owner = { cookie: team.users.owner.cookie };
    const c = team.company.id;
    const body = { name: "local", type: "custom", credentials: { url: "http://127.0.0.1:9", username: "u", password: "openapi-local-password" } };
    expect(checkIn("RegistryValidate", body)).toEqual([]);
    expect(checkIn("RegistryValidate", { url: "http://127.0.0.1:9", token: "openapi-local-token", image: "app:1" })).toEqual([]);
    const validated = await v1.validate(owner, c, body);
    expectAnswer(validated, 200, "TestResult");
    const saved = await v1.create(owner, c, body);
    expect(checkIn("RegistryTestRequest", { credentials: { username: "v" }, image: "app:1" })).toEqual([]);
    const tested = await rec.send(
      (await import("@/app/api/v1/companies/[companyId]/registries/[id]/test/route")).POST as never,
      "POST",
      `/api/v1/companies/${c}/registries/${saved.body.id}/test`,
      owner,
      { companyId: c, id: saved.body.id },
    );
    expectAnswer(tested, 200, "TestResult");
    const checks = await rec.send(
      (await import("@/app/api/v1/companies/[companyId]/registries/[id]/checks/route")).GET as never,
      "GET",
      `/api/v1/companies/${c}/registries/${saved.body.id}/checks?limit=1`,
      owner,
      { companyId: c, id: saved.body.id },
    );
    expectAnswer(checks, 200, "RegistryCheckPage");
    expect(checks.body.items).toHaveLength(1);
    expectAnswer(await v1.get(owner, c, saved.body.id), 200, "Registry");
    const settings = (await import("@/app/api/v1/companies/[companyId]/health-checks/route")) as Json;
    expectAnswer(await rec.send(settings.GET, "GET", `/api/v1/companies/${c}/health-checks`, owner, { companyId: c }), 200, "HealthCheckSettings");
    expect(checkIn("HealthCheckSettingsUpdate", { intervalMinutes: 30 })).toEqual([]);
    expectAnswer(await rec.send(settings.PATCH, "PATCH", `/api/v1/companies/${c}/health-checks`, owner, { companyId: c }, { intervalMinutes: 30 }), 200, "HealthCheckSettings");
  });

  it("resolve, pull-secret and uses answers (outside the leak scan: a pull secret holds secrets by design)", async () => {
    const owner = { cookie: team.users.owner.cookie };
    const c = team.company.id;
    const direct = async (handler: Json, method: string, p: string, params: Json, body?: unknown) => {
      const res = await call(handler, apiRequest(method, p, owner, body), params);
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined } as Answer;
    };
    const base = `/api/v1/companies/${c}/registries`;
    const created = await direct(ROUTES.v1.create, "POST", base, { companyId: c }, { name: "openapi pull", type: "custom", credentials: { url: "pull.example.com/team", username: "u", password: "openapi-pull-password" } });
    expect(created.status, created.text).toBe(201);
    expect(checkIn("ResolveRequest", { image: "pull.example.com/team/app:1" })).toEqual([]);
    expectAnswer(await direct(ROUTES.v1.resolve, "POST", `${base}/resolve`, { companyId: c }, { image: "pull.example.com/team/app:1" }), 200, "ResolveResult");
    expectAnswer(await direct(ROUTES.v1.resolve, "POST", `${base}/resolve`, { companyId: c }, { image: "nothing.example.com/app" }), 404, "Problem");
    for (const format of ["dockerconfigjson", "kubernetes", "docker-login", "secret-data"]) {
      const body = { hosts: ["pull.example.com"], format };
      expect(checkIn("PullSecretRequest", body), format).toEqual([]);
      expectAnswer(await direct(ROUTES.v1.pullSecret, "POST", `${base}/pull-secret`, { companyId: c }, body), 200, "PullSecret");
    }
    expect(checkIn("PullSecretRequest", { hosts: ["a"], format: "pem" })).not.toEqual([]);
    expectAnswer(await direct(ROUTES.v1.pullSecret, "POST", `${base}/pull-secret`, { companyId: c }, { hosts: ["a"], format: "pem" }), 400, "Problem");
    const { GET: uses } = await import("@/app/api/v1/companies/[companyId]/registries/[id]/uses/route");
    const page = await direct(uses, "GET", `${base}/${created.body.id}/uses?limit=2`, { companyId: c, id: created.body.id });
    expectAnswer(page, 200, "RegistryUsePage");
    expect(page.body.items).toHaveLength(2);
    const inUse = await direct(ROUTES.v1.delete, "DELETE", `${base}/${created.body.id}`, { companyId: c, id: created.body.id });
    expectAnswer(inUse, 409, "Problem");
  });

  it("import answers", async () => {
    const owner = { cookie: team.users.owner.cookie };
    const c = team.company.id;
    const route = (await import("@/app/api/v1/companies/[companyId]/registries/import/route")).POST as never;
    const send = (body: unknown) => rec.send(route, "POST", `/api/v1/companies/${c}/registries/import`, owner, { companyId: c }, body);
    const body = {
      dockerconfigjson: { auths: { "openapi-import.example.com": { auth: Buffer.from("u:openapi-import-password").toString("base64") }, "empty.example.com": {} } },
      dryRun: true,
    };
    expect(checkIn("ImportRequest", body)).toEqual([]);
    expect(checkIn("ImportRequest", { dockerconfigjson: JSON.stringify(body.dockerconfigjson) })).toEqual([]);
    expect(checkIn("ImportRequest", { dockerconfigjson: 1 })).not.toEqual([]);
    const dry = await send(body);
    expectAnswer(dry, 200, "ImportResult");
    expect(dry.body.created).toHaveLength(1);
    expect(dry.body.conflicts).toHaveLength(1);
    const done = await send({ ...body, dryRun: false });
    expectAnswer(done, 200, "ImportResult");
    const again = await send(body);
    expectAnswer(again, 200, "ImportResult");
    expect(again.body.skipped).toHaveLength(1);
    expectAnswer(await send({ dockerconfigjson: "{" }), 400, "Problem");
  });

  it("identity answers", async () => {
    const c = team.company.id;
    const cookie = team.users.owner.cookie;
    const send = async (handler: Json, method: string, p: string, params: Json, body?: unknown, auth: Json = { cookie }) => {
      const res = await call(handler, apiRequest(method, p, auth, body), params);
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined } as Answer;
    };
    expectAnswer(await send(me, "GET", "/api/v1/me", {}), 200, "Me");
    const { token } = await tokenFor(t.db, c, team.owner.id, { scopes: ["registries:read"] });
    expectAnswer(await send(me, "GET", "/api/v1/me", {}, undefined, { token }), 200, "Me");
    const tokenBody = { name: "ci", scopes: ["registries:read"], expiresAt: null, cidrAllowlist: ["10.0.0.0/8"] };
    expect(checkIn("CreateApiToken", tokenBody)).toEqual([]);
    expectAnswer(await send(createToken, "POST", `/api/v1/companies/${c}/tokens`, { companyId: c }, tokenBody), 201, "CreatedApiToken");
    expectAnswer(await send(listTokens, "GET", `/api/v1/companies/${c}/tokens`, { companyId: c }), 200, "ApiTokenList");
    expectAnswer(await send(listMembers, "GET", `/api/v1/companies/${c}/members`, { companyId: c }), 200, "MemberList");
    const update = { role: "member", manageRegistries: true };
    expect(checkIn("UpdateMember", update)).toEqual([]);
    const member = team.users.member.id;
    expectAnswer(await send(patchMember, "PATCH", `/api/v1/companies/${c}/members/${member}`, { companyId: c, userId: member }, update), 200, "Member");
    const invite = { email: "new@example.test", role: "viewer" };
    expect(checkIn("CreateInvite", invite)).toEqual([]);
    expectAnswer(await send(createInvite, "POST", `/api/v1/companies/${c}/invites`, { companyId: c }, invite), 201, "CreatedInvite");
    expectAnswer(await send(listInvites, "GET", `/api/v1/companies/${c}/invites`, { companyId: c }), 200, "InviteList");
    expectAnswer(await send(auditRoute, "GET", `/api/v1/companies/${c}/audit-events?limit=5`, { companyId: c }), 200, "AuditEventPage");
  });

  it("no secret in any of these answers", () => {
    rec.assertNoSecretLeaked(40, 10);
  });
});
