/**
 * The registry REST API over HTTP against the running server: the five documented curl examples
 * of the container-registry-config API (bodies below) with a Berth token at
 * /api/{companyId}/containerRegistryConfig (example 4 with a complete service-account key, and
 * once as written, with its elided JSON → 400), the problem+json shapes, Location on 201, ETag on
 * GET and If-Match, and the OpenAPI document.
 *
 * The server is shared with other specs: before the examples run, registries of the owner's
 * company that hold an example's name or URL are deleted, and everything this spec creates is
 * deleted at the end, so the spec can run again on the same server.
 */
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { FAKE_SERVICE_ACCOUNT_KEY } from "../../lib/registries/fixtures";
import { bootstrapOwner } from "../support/session";

/** The bodies exactly as the documented curl examples send them (`-d '…'`), in order. */
const SEED_EXAMPLES: { body: string; type: string; url: string; secret: string }[] = [
  {
    body: '{\n"name": "Production ACR",\n"url": "myprod.azurecr.io",\n"username": "myprod",\n"password": "access-token-12345"\n}',
    type: "acr",
    url: "myprod.azurecr.io",
    secret: "access-token-12345",
  },
  {
    body: '{\n"name": "GitHub Packages",\n"url": "ghcr.io",\n"username": "myusername",\n"password": "ghp_MyPersonalAccessToken123"\n}',
    type: "ghcr",
    url: "ghcr.io",
    secret: "ghp_MyPersonalAccessToken123",
  },
  {
    body: '{\n"name": "Docker Hub",\n"url": "docker.io",\n"username": "mydockerusername",\n"password": "mydockerpassword"\n}',
    type: "dockerhub",
    url: "docker.io",
    secret: "mydockerpassword",
  },
  {
    // Example 4 with a complete key in place of the documented, elided `{"type":"service_account",...}`.
    body: JSON.stringify({ name: "GCR Production", url: "gcr.io", username: "_json_key", password: FAKE_SERVICE_ACCOUNT_KEY }),
    type: "gcr",
    url: "gcr.io",
    secret: FAKE_SERVICE_ACCOUNT_KEY,
  },
  {
    body: '{\n"name": "AWS ECR",\n"url": "123456789012.dkr.ecr.us-east-1.amazonaws.com",\n"username": "AWS",\n"password": "eyJwYXlsb2FkIjoiZXhhbXBsZSJ9..."\n}',
    type: "custom",
    url: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    secret: "eyJwYXlsb2FkIjoiZXhhbXBsZSJ9...",
  },
];

/** Example 4 exactly as documented: the key is elided, so it is not valid JSON. */
const SEED_EXAMPLE_4_AS_WRITTEN = '{\n"name": "GCR Production",\n"url": "gcr.io",\n"username": "_json_key",\n"password": "{\\"type\\":\\"service_account\\",...}"\n}';

const PRIVATE_KEY_LINE = FAKE_SERVICE_ACCOUNT_KEY.split("\\n")[1]!; // one base64 line of the fake PEM

let api: APIRequestContext; // bearer token only, no cookie
let anonymous: APIRequestContext;
let companyId: string;
let token: string;
const created: string[] = [];
const secretsSent: string[] = [];

/** Every answer body is checked for every secret this spec sent. */
async function textOf(res: APIResponse): Promise<string> {
  const text = await res.text();
  for (const s of secretsSent) expect(text.includes(s), `${res.url()} answered with a secret`).toBe(false);
  expect(text).not.toContain(PRIVATE_KEY_LINE);
  return text;
}

async function expectProblem(res: APIResponse, status: number, type?: string) {
  const text = await textOf(res);
  expect(res.status(), text).toBe(status);
  expect(res.headers()["content-type"]).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text);
  expect(body).toMatchObject({ type: expect.stringMatching(/^https:\/\/berth\.dev\/problems\//), title: expect.any(String), status, detail: expect.any(String), requestId: res.headers()["x-request-id"] });
  if (type) expect(body.type).toBe(`https://berth.dev/problems/${type}`);
  return body as { errors?: { path: string; message: string }[]; detail: string };
}

const seedPath = () => `/api/${companyId}/containerRegistryConfig`;
const v1Path = () => `/api/v1/companies/${companyId}/registries`;

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ playwright }, testInfo) => {
  const baseURL = testInfo.project.use.baseURL ?? process.env.BERTH_E2E_URL;
  const session = await playwright.request.newContext({ baseURL });
  ({ companyId, token } = await bootstrapOwner(session));
  await session.dispose();
  api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  anonymous = await playwright.request.newContext({ baseURL });
  secretsSent.push(...SEED_EXAMPLES.map((e) => e.secret));

  // Free the examples' names and URLs in the shared company (left by an earlier run or another spec).
  const names = SEED_EXAMPLES.map((e) => (JSON.parse(e.body) as { name: string }).name.toLowerCase());
  let pageToken: string | null = null;
  const clash: string[] = [];
  do {
    const res = await api.get(`${v1Path()}?limit=100${pageToken ? `&pagination.token=${encodeURIComponent(pageToken)}` : ""}`);
    expect(res.status()).toBe(200);
    const page = (await res.json()) as { items: { id: string; name: string; url: string; type: string }[]; nextPageToken: string | null };
    for (const r of page.items) if (names.includes(r.name.toLowerCase()) || (r.type !== "public" && SEED_EXAMPLES.some((e) => e.url === r.url))) clash.push(r.id);
    pageToken = page.nextPageToken;
  } while (pageToken);
  for (const id of clash) expect((await api.delete(`${v1Path()}/${id}?force=true`)).status()).toBe(204);
});

test.afterAll(async () => {
  for (const id of created) await api.delete(`${v1Path()}/${id}?force=true`);
  await api?.dispose();
  await anonymous?.dispose();
});

test("container-registry-config API: the five curl examples succeed with a Berth token, with Location on 201 and ETag on GET", async () => {
  for (const example of SEED_EXAMPLES) {
    const res = await api.post(seedPath(), { headers: { "Content-Type": "application/json" }, data: example.body });
    const text = await textOf(res);
    expect(res.status(), text).toBe(201);
    const dto = JSON.parse(text);
    created.push(dto.id);
    const sent = JSON.parse(example.body) as { name: string; username: string };
    // the documented answer fields (id, companyIdRef, name, url, isActive, isDeleted, createdAt, modifiedBy), and ours
    expect(dto).toMatchObject({ companyIdRef: companyId, name: sent.name, url: example.url, isActive: true, isDeleted: false, type: example.type, plainHttp: false, version: 1 });
    expect(dto.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(dto.createdAt)).not.toBeNaN();
    expect(dto.modifiedBy).toMatch(/^[0-9a-f-]{36}$/);
    expect(dto.secretsSet).toHaveLength(1);
    expect(res.headers()["location"]).toBe(`${seedPath()}/${dto.id}`);
    expect(res.headers()["etag"]).toBe('"1"');

    const got = await api.get(res.headers()["location"]!);
    const gotText = await textOf(got);
    expect(got.status()).toBe(200);
    expect(got.headers()["etag"]).toBe('"1"');
    expect(JSON.parse(gotText)).toEqual(dto);
    // the same registry on the v1 path
    const v1 = await api.get(`${v1Path()}/${dto.id}`);
    expect(v1.status()).toBe(200);
    expect(v1.headers()["etag"]).toBe('"1"');
  }
  // the container-registry-config path lists them, newest first
  const list = await api.get(`${seedPath()}?limit=5`);
  const page = JSON.parse(await textOf(list));
  expect(page).toMatchObject({ limit: 5 });
  expect(page.items.map((r: { id: string }) => r.id)).toEqual([...created].reverse());
  // the ACR example maps url → loginServer and keeps the username; the ECR one (a 12-hour token) is custom
  const acr = page.items.find((r: { type: string }) => r.type === "acr");
  expect(acr.credentials).toEqual({ loginServer: "myprod.azurecr.io", username: "myprod" });
  const ecr = page.items.find((r: { name: string }) => r.name === "AWS ECR");
  expect(ecr).toMatchObject({ type: "custom", credentials: { url: "123456789012.dkr.ecr.us-east-1.amazonaws.com", username: "AWS" }, secretsSet: ["password"] });
});

test("container-registry-config API: example 4 as written (elided key, not JSON) is a clear 400 at credentials.serviceAccountKey", async () => {
  const res = await api.post(seedPath(), { headers: { "Content-Type": "application/json" }, data: SEED_EXAMPLE_4_AS_WRITTEN });
  const problem = await expectProblem(res, 400, "validation");
  expect(problem.errors).toEqual([{ path: "credentials.serviceAccountKey", message: expect.stringMatching(/not valid JSON/i) }]);
  expect(problem.detail).toBe("1 field is invalid");
});

test("problem+json for every kind of client mistake", async () => {
  const body = { name: "e2e problems", type: "custom", credentials: { url: `e2e-problems-${Date.now()}.example.com`, username: "u", password: "e2e-problem-password-1" } };
  secretsSent.push(body.credentials.password);
  const res = await api.post(v1Path(), { data: body });
  expect(res.status(), await res.text()).toBe(201);
  const dto = await res.json();
  created.push(dto.id);

  // 401 without credentials (with WWW-Authenticate), and with an unknown token
  const unauthenticated = await anonymous.get(v1Path());
  await expectProblem(unauthenticated, 401, "unauthenticated");
  expect(unauthenticated.headers()["www-authenticate"]).toMatch(/^Bearer/);
  await expectProblem(await anonymous.get(v1Path(), { headers: { Authorization: "Bearer brt_unknownunknownunknownunknownunknownunknown" } }), 401);
  // 400 with dotted paths
  const invalid = await expectProblem(await api.post(v1Path(), { data: { name: "", type: "ecr", credentials: { accessKeyId: "nope", secretAccessKey: "x", region: "us-east-1" } } }), 400, "validation");
  expect(invalid.errors!.map((e) => e.path).sort()).toEqual(["credentials.accessKeyId", "name"]);
  await expectProblem(await api.post(v1Path(), { headers: { "Content-Type": "application/json" }, data: Buffer.from("{not json") }), 400, "bad-request");
  await expectProblem(await api.get(`${v1Path()}?limit=500`), 400, "validation");
  // 404: unknown, malformed, and another company's path
  await expectProblem(await api.get(`${v1Path()}/00000000-0000-4000-8000-000000000000`), 404, "not-found");
  await expectProblem(await api.get(`${v1Path()}/not-a-uuid`), 404, "not-found");
  await expectProblem(await api.get(`/api/v1/companies/00000000-0000-4000-8000-000000000000/registries/${dto.id}`), 404, "not-found");
  // 409: the same name, then the same URL
  const dupName = await expectProblem(await api.post(v1Path(), { data: { ...body, credentials: { ...body.credentials, url: `other-${body.credentials.url}` } } }), 409, "conflict");
  expect(dupName.errors).toEqual([{ path: "name", message: expect.any(String) }]);
  const dupUrl = await expectProblem(await api.post(v1Path(), { data: { ...body, name: "e2e problems 2" } }), 409, "conflict");
  expect(dupUrl.errors).toEqual([{ path: "credentials.url", message: expect.any(String) }]);
  // 412 on a stale If-Match
  await expectProblem(await api.patch(`${v1Path()}/${dto.id}`, { data: { name: "e2e stale" }, headers: { "If-Match": '"99"' } }), 412, "precondition-failed");
  // 413 over 64 KiB, 415 for a body that is not JSON
  await expectProblem(await api.post(v1Path(), { data: { ...body, name: "big", credentials: { ...body.credentials, caCertificate: "x".repeat(70 * 1024) } } }), 413, "payload-too-large");
  await expectProblem(await api.post(seedPath(), { headers: { "Content-Type": "text/plain" }, data: "name=x&url=ghcr.io" }), 415, "unsupported-media-type");
  await expectProblem(await api.post(seedPath(), { form: { name: "x", url: "ghcr.io" } }), 415);
});

test("v1 path: Location on 201, ETag on GET, If-Match on PATCH, PUT and DELETE", async () => {
  const body = { name: `e2e etag ${Date.now()}`, type: "ghcr", credentials: { username: "e2e", token: "ghp_E2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2e01", url: `ghcr.io/e2e-${Date.now()}` } };
  secretsSent.push(body.credentials.token);
  const res = await api.post(v1Path(), { data: body });
  const dto = JSON.parse(await textOf(res));
  expect(res.status()).toBe(201);
  created.push(dto.id);
  expect(res.headers()["location"]).toBe(`${v1Path()}/${dto.id}`);

  const got = await api.get(res.headers()["location"]!);
  expect(got.headers()["etag"]).toBe('"1"');
  const patched = await api.patch(`${v1Path()}/${dto.id}`, { data: { isActive: false }, headers: { "If-Match": got.headers()["etag"]! } });
  expect(patched.status(), await textOf(patched)).toBe(200);
  expect(patched.headers()["etag"]).toBe('"2"');
  expect((await patched.json()).isActive).toBe(false);
  // PUT without the token keeps it
  const put = await api.put(`${v1Path()}/${dto.id}`, { data: { ...body, credentials: { username: "e2e2", url: body.credentials.url } }, headers: { "If-Match": '"2"' } });
  expect(put.status(), await textOf(put)).toBe(200);
  expect(await put.json()).toMatchObject({ secretsSet: ["token"], credentials: { username: "e2e2" }, version: 3 });
  await expectProblem(await api.delete(`${v1Path()}/${dto.id}`, { headers: { "If-Match": '"2"' } }), 412);
  const del = await api.delete(`${v1Path()}/${dto.id}`, { headers: { "If-Match": '"3"' } });
  expect(del.status()).toBe(204);
  await expectProblem(await api.get(`${v1Path()}/${dto.id}`), 404);
});

test("the OpenAPI document is public, and /docs/api serves the reference page", async () => {
  const res = await anonymous.get("/api/v1/openapi.json");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^application\/json/);
  const doc = await res.json();
  expect(doc.openapi).toMatch(/^3\.1\./);
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/companies/{companyId}/registries", "/api/{companyId}/containerRegistryConfig", "/api/v1/me"]));
  const page = await anonymous.get("/docs/api");
  expect(page.status()).toBe(200);
  expect(page.headers()["content-type"]).toMatch(/^text\/html/);
  const html = await page.text();
  expect(html).toContain("/api/v1/openapi.json");
  // bundled: no third-party CDN in the page
  expect(html).not.toMatch(/cdn\.jsdelivr|unpkg\.com|fonts\.scalar\.com|cdn\.scalar\.com/);
});
