import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import os from "node:os";
import path from "node:path";
import { expect, request as playwrightRequest, test, type APIRequestContext, type APIResponse, type Browser, type Page } from "@playwright/test";
import postgres from "postgres";
import { totpCodeAt } from "@/lib/auth/totp";
import { runCli as runBerthCli } from "@/lib/testing/cli";
import { startFakeEcr, type RunningFakeEcr } from "@/lib/testing/fake-ecr";
import { startFakeGithubApi, startFakeGitlabApi } from "@/lib/testing/fake-provider-apis";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { createTestCa, type TestCa } from "@/lib/testing/registry-certs";
import { startHttpServer, type LoopbackServer } from "@/lib/testing/registry-servers";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver";
import { freshDatabase } from "../support/database";
import { recordFigures, reliabilityMode } from "../support/figures";
import { canary, generatedSecret, LeakScanner, type Canary } from "../support/leak-scan";
import { startBerth, type BerthServer } from "../support/server";

/**
 * Suite 6 of issue 16, secret leaks: a production build on a PostgreSQL database of its own
 * (so every table can be read), LOG_LEVEL=debug, a registry of every type holding canary secrets
 * (and canaries in the admin password, the keyring, AUTH_SECRET, and every secret Berth generates:
 * API tokens, the webhook signing secret, invite and reset links, the TOTP secret, recovery codes).
 * Every page, endpoint, error path, the webhook, the scheduled check job and the CLI are exercised;
 * then every response body and header, every page, every JS chunk, the server log, the CLI's
 * output, the webhook receiver's requests and every non-ciphertext database column are searched
 * for every canary. The answers that carry secrets by design (pull secrets, a token or webhook
 * secret or invite link in its creation answer, the two-factor enrolment) are not searched but
 * checked: audited (pull secrets) and `Cache-Control: no-store`.
 *
 * Everything listens on 127.0.0.1. Hosted-provider registries (ghcr.io, docker.io, …) are created,
 * read, edited, listed and turned into pull secrets, but never tested and opted out of scheduled
 * checks, so nothing connects to a provider's host.
 */

const mode = reliabilityMode();
/** How many times each read endpoint is called (full mode repeats, to catch what only shows up later, e.g. a cached token). */
const REPEAT = mode === "full" ? 3 : 1;

const OWNER = { email: "leaks-owner@berth.test", company: "Leak Co", slug: "leak-co" } as const;
const scanner = new LeakScanner();
const C = (where: string, length?: number) => scanner.add(canary(where, length));

// The server's own secrets.
const ownerPassword = C("admin-password");
const keyA = scanner.add(generatedSecret("encryption-key-a", randomBytes(32).toString("base64"), /^$/));
const keyB = scanner.add(generatedSecret("encryption-key-b", randomBytes(32).toString("base64"), /^$/));
const authSecret = C("auth-secret", 40);
const metricsToken = C("metrics-token");
const cliUserPassword = C("cli-user-password");
const cliUserPassword2 = C("cli-user-password-2");
const memberPassword = C("invited-member-password");

// One or more canaries per secret field of each type.
const S = {
  customReal: C("custom-real-password"),
  customEcho: C("custom-echo-password"),
  customEchoOverride: C("custom-echo-override-password"),
  customClip: C("custom-clip-token"),
  harbor: C("harbor-password"),
  artifactory: C("artifactory-password"),
  quay: C("quay-token"),
  gitlab: C("gitlab-token"),
  ghcr: C("ghcr-token"),
  dockerhub: C("dockerhub-password"),
  acr: C("acr-password"),
  digitalocean: C("digitalocean-token"),
  ocir: C("ocir-token"),
  // 40 characters, as AWS secret keys are.
  ecrSecret: C("ecr-sak", 40 - "canary-ecr-sak-".length),
  ecrSession: C("ecr-session-token"),
  ecrRegistryPassword: C("ecr-registry-password"),
  gcrKeyId: C("gcr-private-key-id"),
  garKeyId: C("gar-private-key-id"),
  validate: C("validate-password"),
  badInput: C("bad-input-password"),
  unknownField: C("unknown-field-secret"),
  staleIfMatch: C("stale-if-match-password"),
  notFound: C("not-found-password"),
  importAuth: C("import-password"),
  rotated: C("patched-password"),
};

/** A service-account key whose private key's base64 lines are random too (each line a canary). */
function serviceAccountKey(keyId: Canary, label: string): { json: string; lines: Canary[] } {
  const body = randomBytes(144).toString("base64");
  const lines = body.match(/.{1,64}/g)!;
  const pem = ["-----BEGIN PRIVATE KEY-----", ...lines, "-----END PRIVATE KEY-----", ""].join("\n");
  const json = JSON.stringify(
    { type: "service_account", project_id: "leak-co", private_key_id: keyId.value, private_key: pem, client_email: "puller@leak-co.iam.gserviceaccount.com", client_id: "000000000000000000000", token_uri: "https://oauth2.googleapis.com/token" },
    null,
    2,
  );
  return { json, lines: lines.map((l, i) => scanner.add(generatedSecret(`${label}-pem-line-${i}`, l, /^$/))) };
}
const gcrKey = serviceAccountKey(S.gcrKeyId, "gcr");
const garKey = serviceAccountKey(S.garKeyId, "gar");

// Temporary credentials (ASIA… with a session token), so the session token is a canary too.
const ECR_KEY = { accessKeyId: "ASIAB3RTHLEAKSUITE01", secretAccessKey: S.ecrSecret.value, sessionToken: S.ecrSession.value, account: "123456789012" };

let dir: string;
let ca: TestCa;
let reg: RunningRegistry;
let ecrReg: RunningRegistry;
let echo: LoopbackServer;
let clip: LoopbackServer;
let fakeEcr: RunningFakeEcr;
let github: Awaited<ReturnType<typeof startFakeGithubApi>>;
let gitlab: Awaited<ReturnType<typeof startFakeGitlabApi>>;
let receiver: WebhookReceiver;
let db: { url: string; drop: () => Promise<void> };
let berth: BerthServer;
let sql: postgres.Sql;

/** What the echo registries received with a credential (to prove the secrets really went there). */
const echoed: string[] = [];

/**
 * A registry that reflects what it was sent: `GET /v2/` without credentials gets a Basic
 * challenge; with them, a 401 whose message quotes the Authorization header, its decoded value
 * and the request body. `offset` pads the message so the secret sits where a 200-character clip
 * would cut it.
 */
function echoHandler(offset: number) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const authz = req.headers.authorization;
      if (!authz) {
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="echo"', "Content-Type": "application/json" }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      const decoded = authz.startsWith("Basic ") ? Buffer.from(authz.slice(6), "base64").toString("utf8") : authz;
      echoed.push(decoded);
      const message = `${"x".repeat(offset)}${decoded} was refused (you sent "${authz}" and ${JSON.stringify(Buffer.concat(chunks).toString("utf8"))})`;
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="echo"', "Content-Type": "application/json", "X-Echo": decoded }).end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message, detail: { authorization: authz, decoded } }] }));
    });
  };
}

/**
 * An API token as a canary: its first 12 characters (`brt_` and 8 more) are the token's shown
 * prefix by design (the tokens page and API tell tokens apart by it); the other 35 are the secret.
 */
function apiTokenCanary(label: string, value: string): Canary {
  expect(value).toMatch(/^brt_[A-Za-z0-9_-]{40,}$/);
  return { label, value, random: value.slice(12) };
}


/** `npm run berth -- …` as package.json runs it (lib/testing/cli.ts). */
function runCli(args: string[], env: Record<string, string>, stdin = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runBerthCli(args, { env, stdin, timeoutMs: 120_000 });
}

function cliEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  const drop = ["DATABASE_URL", "ENCRYPTION_KEYS", "AUTH_SECRET", "LOG_LEVEL", "BERTH_DATA_DIR", "BERTH_CLI", "BERTH_ADMIN_EMAIL", "BERTH_ADMIN_PASSWORD", "BERTH_COMPANY_NAME", "NODE_OPTIONS"];
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !drop.includes(k)) env[k] = v;
  return { ...env, ...extra };
}

// The answers are read field by field, ad hoc, as a test does.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The by-design answers: checked for no-store (and the audit, for pull secrets), not searched. */
const byDesign: { what: string; path: string; status: number; cacheControl: string }[] = [];

let scannedResponses = 0;

function scanAnswer(place: string, label: string, res: APIResponse, text: string) {
  scannedResponses += 1;
  scanner.scan(place, label, text);
  scanner.scan("response headers", label, res.headersArray().map((h) => `${h.name}: ${h.value}`).join("\n"));
}

/** One API call, its answer searched (or, with `designed`, kept aside as one that carries a secret by design). */
async function call(
  api: APIRequestContext,
  method: string,
  url: string,
  opts: { data?: unknown; headers?: Record<string, string>; designed?: string; raw?: string } = {},
): Promise<Answer & { json: () => Json }> {
  const res = await api.fetch(url, {
    method,
    ...(opts.raw !== undefined ? { data: opts.raw } : opts.data !== undefined ? { data: opts.data } : {}),
    headers: { ...(opts.data !== undefined || opts.raw !== undefined ? { "Content-Type": "application/json" } : {}), ...opts.headers },
    maxRedirects: 0,
    timeout: 30_000,
  });
  const text = await res.text();
  const label = `${method} ${url} → ${res.status()}`;
  if (opts.designed) byDesign.push({ what: opts.designed, path: `${method} ${url}`, status: res.status(), cacheControl: res.headers()["cache-control"] ?? "" });
  else scanAnswer("responses", label, res, text);
  return { status: res.status(), headers: res.headers(), text, json: () => JSON.parse(text) };
}

const ids: Record<string, string> = {};
let companyId: string;
let token: string;
let tokenApi: APIRequestContext;
let cookieApi: APIRequestContext;
let webhookId: string;
const pages: string[] = [];
const figures: Record<string, number | string> = {};
const notes: string[] = [];


test.beforeAll(async () => {
  test.setTimeout(240_000);
  skipWithoutRegistryTools();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-leaks-"));
  ca = createTestCa(dir);
  [reg, ecrReg] = await Promise.all([
    startRegistry({ auth: { type: "htpasswd", users: { leakbot: S.customReal.value, quaybot: S.quay.value } } }),
    startRegistry({ auth: { type: "htpasswd", users: { AWS: S.ecrRegistryPassword.value } }, tls: { ca } }),
  ]);
  echo = await startHttpServer(echoHandler(0));
  // 155: with the sign-in's `<token>:` and the canary's fixed part, a 200-character clip falls 12
  // characters into the random part.
  clip = await startHttpServer(echoHandler(155));
  fakeEcr = await startFakeEcr({ ca, keys: [ECR_KEY], region: "us-east-1", password: S.ecrRegistryPassword.value, proxyEndpoint: () => ecrReg.url });
  github = await startFakeGithubApi({ [S.ghcr.value]: { expiration: "2099-12-31 12:00:00 UTC" } });
  gitlab = await startFakeGitlabApi({ [S.gitlab.value]: { expires_at: "2099-12-31", scopes: ["read_registry"], revoked: false } });
  receiver = await startWebhookReceiver();
  db = await freshDatabase("leaks");
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
  berth = await startBerth({
    DATABASE_URL: db.url,
    ENCRYPTION_KEYS: `ka:${keyA.value}`,
    AUTH_SECRET: authSecret.value,
    BERTH_ADMIN_EMAIL: OWNER.email,
    BERTH_ADMIN_PASSWORD: ownerPassword.value,
    BERTH_COMPANY_NAME: OWNER.company,
    LOG_LEVEL: "debug",
    AWS_ENDPOINT_URL_ECR: fakeEcr.url,
    NODE_EXTRA_CA_CERTS: ca.certPath,
    BERTH_METRICS_TOKEN: metricsToken.value,
    BERTH_CHECK_INTERVAL_MINUTES: "1",
    BERTH_TEST_RATE_LIMIT: "10000",
    BERTH_TEST_TIMEOUT_MS: "5000",
  });
  cookieApi = await playwrightRequest.newContext({ baseURL: berth.url });
  const { csrfToken } = await (await cookieApi.get("/api/auth/csrf")).json();
  const signIn = await cookieApi.post("/api/auth/callback/credentials", { form: { csrfToken, email: OWNER.email, password: ownerPassword.value }, maxRedirects: 0 });
  expect([200, 302]).toContain(signIn.status());
  const me = await call(cookieApi, "GET", "/api/v1/me");
  expect(me.status).toBe(200);
  companyId = me.json().companies.find((c: { slug: string }) => c.slug === OWNER.slug).id;
  const created = await call(cookieApi, "POST", `/api/v1/companies/${companyId}/tokens`, {
    data: { name: "leaks", scopes: ["registries:read", "registries:write", "registries:pull"] },
    headers: { Origin: berth.url },
    designed: "API token (creation answer)",
  });
  expect(created.status, created.text).toBe(201);
  token = created.json().token;
  scanner.add(apiTokenCanary("api-token", token));
  tokenApi = await playwrightRequest.newContext({ baseURL: berth.url, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
});

test.afterAll(async () => {
  await tokenApi?.dispose();
  await cookieApi?.dispose();
  await berth?.stop();
  await sql?.end();
  await db?.drop();
  await Promise.all([reg?.stop(), ecrReg?.stop(), echo?.stop(), clip?.stop(), fakeEcr?.stop(), github?.close(), gitlab?.close(), receiver?.close()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const base = () => `/api/v1/companies/${companyId}`;

/** The registries: every type, loopback where the type lets its host be chosen. */
function registryBodies(): Record<string, Record<string, unknown>> {
  const hosted = { scheduledChecks: false };
  return {
    customReal: { name: "Leak custom (real)", type: "custom", credentials: { url: `http://${reg.host}`, username: "leakbot", password: S.customReal.value } },
    customEcho: { name: "Leak custom (echo)", type: "custom", credentials: { url: `http://${echo.host}`, username: "echobot", password: S.customEcho.value } },
    customClip: { name: "Leak custom (clip)", type: "custom", credentials: { url: `http://${clip.host}`, token: S.customClip.value } },
    harbor: { name: "Leak Harbor", type: "harbor", credentials: { url: `http://${echo.host}/harbor`, username: "robot$leaks", password: S.harbor.value } },
    artifactory: { name: "Leak Artifactory", type: "artifactory", credentials: { url: "http://127.0.0.1:9/docker-remote", username: "ci-puller", password: S.artifactory.value } },
    quay: { name: "Leak Quay", type: "quay", credentials: { url: `http://${reg.host}/quay`, username: "quaybot", token: S.quay.value } },
    gitlab: {
      name: "Leak GitLab",
      type: "gitlab",
      credentials: { url: `http://${clip.host}/gitlab`, username: "gitlab+deploy-token-1", token: S.gitlab.value, detectExpiry: true, expiryApiUrl: gitlab.url },
    },
    ecr: { name: "Leak ECR", type: "ecr", credentials: { accessKeyId: ECR_KEY.accessKeyId, secretAccessKey: S.ecrSecret.value, sessionToken: S.ecrSession.value, region: "us-east-1" } },
    ghcr: { name: "Leak GHCR", type: "ghcr", ...hosted, credentials: { username: "leak-user", token: S.ghcr.value, url: "ghcr.io/leak-org", detectExpiry: true, expiryApiUrl: github.url } },
    dockerhub: { name: "Leak Docker Hub", type: "dockerhub", ...hosted, credentials: { username: "leakuser", password: S.dockerhub.value } },
    acr: { name: "Leak ACR", type: "acr", ...hosted, credentials: { loginServer: "leakco.azurecr.io", username: "leakco", password: S.acr.value } },
    gcr: { name: "Leak GCR", type: "gcr", ...hosted, credentials: { hostname: "eu.gcr.io", serviceAccountKey: gcrKey.json } },
    gar: { name: "Leak GAR", type: "gar", ...hosted, credentials: { region: "europe-west1", serviceAccountKey: garKey.json } },
    digitalocean: { name: "Leak DigitalOcean", type: "digitalocean", ...hosted, credentials: { token: S.digitalocean.value, url: "registry.digitalocean.com/leak-co" } },
    ocir: { name: "Leak OCIR", type: "ocir", ...hosted, credentials: { loginServer: "iad.ocir.io", username: "leakco/puller@example.com", token: S.ocir.value } },
    public: { name: "Leak public", type: "public", credentials: { url: `http://${reg.host}/public` } },
  };
}
/** The registries Test Connection may reach (all on 127.0.0.1). */
const TESTABLE = ["customReal", "customEcho", "customClip", "harbor", "artifactory", "quay", "gitlab", "ecr"];

async function exerciseApi() {
  const bodies = registryBodies();
  for (const [key, body] of Object.entries(bodies)) {
    const res = await call(tokenApi, "POST", `${base()}/registries`, { data: body });
    expect.soft(res.status, `${key}: ${res.text}`).toBe(201);
    ids[key] = res.json().id;
  }
  expect.soft(new Set(Object.values(bodies).map((b) => b.type)).size, "a registry of every type").toBe(14);

  for (let round = 0; round < REPEAT; round += 1) {
    await call(tokenApi, "GET", `${base()}/registries?limit=100`);
    await call(cookieApi, "GET", `${base()}/registries?limit=100`);
    await call(tokenApi, "GET", `/api/${companyId}/containerRegistryConfig`);
    for (const [key, id] of Object.entries(ids)) {
      await call(tokenApi, "GET", `${base()}/registries/${id}`);
      await call(tokenApi, "GET", `/api/${companyId}/containerRegistryConfig/${id}`);
      await call(tokenApi, "GET", `${base()}/registries/${id}/uses`);
      await call(tokenApi, "GET", `${base()}/registries/${id}/checks`);
      if (TESTABLE.includes(key)) {
        const tested = await call(tokenApi, "POST", `${base()}/registries/${id}/test`);
        expect.soft(tested.status, `${key}: ${tested.text}`).toBe(200);
        const image = await call(cookieApi, "POST", `${base()}/registries/${id}/test`, { data: { image: "team/app:1" }, headers: { Origin: berth.url } });
        expect.soft(image.status, `${key}: ${image.text}`).toBe(200);
      }
    }
  }
  // The real registry accepted its canary; the echo registries really got theirs (so their answers quoted them).
  const real = await call(tokenApi, "POST", `${base()}/registries/${ids.customReal}/test`);
  expect.soft(real.json().status, real.text).toBe("success");
  const ecr = await call(tokenApi, "POST", `${base()}/registries/${ids.ecr}/test`);
  expect.soft(ecr.json().status, ecr.text).toBe("success");
  expect.soft(echoed.some((e) => e.includes(S.customEcho.value))).toBe(true);
  expect.soft(echoed.some((e) => e.includes(S.customClip.value))).toBe(true);

  // Test overrides with a new secret, against the echo registry.
  const override = await call(tokenApi, "POST", `${base()}/registries/${ids.customEcho}/test`, { data: { credentials: { password: S.customEchoOverride.value } } });
  expect.soft(override.status, override.text).toBe(200);
  expect.soft(echoed.some((e) => e.includes(S.customEchoOverride.value))).toBe(true);

  // Validate (unsaved input) against the echo registries, on both paths.
  for (const p of [`${base()}/registries/validate`, `/api/${companyId}/containerRegistryConfig/validate`]) {
    const v = await call(tokenApi, "POST", p, { data: { type: "custom", credentials: { url: `http://${clip.host}`, username: "v", password: S.validate.value } } });
    expect.soft(v.status, v.text).toBe(200);
    const g = await call(tokenApi, "POST", p, { data: { name: "generic", url: `http://${echo.host}`, username: "g", password: S.validate.value } });
    expect.soft([200, 400]).toContain(g.status);
  }

  // Bad input that carries a secret: the 400 names fields, never values.
  const bad = [
    { name: "", type: "custom", credentials: { url: "not a url ::", username: 42, password: S.badInput.value } },
    { name: "x".repeat(500), type: "dockerhub", credentials: { username: "", password: S.badInput.value, passwd: S.unknownField.value } },
    { name: "Leak bad", type: "nope", credentials: { token: S.badInput.value } },
    { name: "Leak bad", type: "gcr", credentials: { serviceAccountKey: `{"private_key": "${S.badInput.value}${" ".repeat(5000)}"` } },
    { name: "Leak bad", type: "ecr", credentials: { accessKeyId: S.badInput.value, secretAccessKey: S.badInput.value, region: S.badInput.value } },
    { name: "Leak bad", url: "http://[::1", username: "generic", password: S.badInput.value },
  ];
  for (const body of bad) {
    for (const p of [`${base()}/registries`, `${base()}/registries/validate`, `/api/${companyId}/containerRegistryConfig`]) {
      const res = await call(tokenApi, "POST", p, { data: body });
      expect.soft(res.status, res.text).toBe(400);
    }
    if (body.credentials) {
      const patched = await call(tokenApi, "PATCH", `${base()}/registries/${ids.customEcho}`, { data: { credentials: body.credentials, type: body.type } });
      expect.soft(patched.status, patched.text).toBe(400);
    }
    const overrideBad = await call(tokenApi, "POST", `${base()}/registries/${ids.customEcho}/test`, { data: { credentials: body.credentials, unknown: S.unknownField.value } });
    expect.soft(overrideBad.status, overrideBad.text).toBe(400);
  }
  // Truncated JSON with a secret in it.
  const truncated = await call(tokenApi, "POST", `${base()}/registries`, { raw: `{"name":"t","type":"custom","credentials":{"password":"${S.badInput.value}"` });
  expect.soft(truncated.status).toBe(400);

  // Updates: a new secret, a stale If-Match, a 404 with a secret in the body.
  const got = await call(tokenApi, "GET", `${base()}/registries/${ids.dockerhub}`);
  const patched = await call(tokenApi, "PATCH", `${base()}/registries/${ids.dockerhub}`, { data: { credentials: { password: S.rotated.value } }, headers: { "If-Match": got.headers.etag! } });
  expect.soft(patched.status, patched.text).toBe(200);
  const stale = await call(tokenApi, "PATCH", `${base()}/registries/${ids.dockerhub}`, { data: { credentials: { password: S.staleIfMatch.value } }, headers: { "If-Match": '"1"' } });
  expect.soft(stale.status).toBe(412);
  const stalePut = await call(tokenApi, "PUT", `/api/${companyId}/containerRegistryConfig/${ids.dockerhub}`, { data: { ...bodies.dockerhub, credentials: { username: "leakuser", password: S.staleIfMatch.value } }, headers: { "If-Match": '"1"' } });
  expect.soft(stalePut.status).toBe(412);
  for (const missing of [randomUUID(), "not-a-uuid"]) {
    expect.soft((await call(tokenApi, "PATCH", `${base()}/registries/${missing}`, { data: { credentials: { password: S.notFound.value } } })).status).toBe(404);
    expect.soft((await call(tokenApi, "POST", `${base()}/registries/${missing}/test`, { data: { credentials: { password: S.notFound.value } } })).status).toBe(404);
    expect.soft((await call(tokenApi, "GET", `${base()}/registries/${missing}`)).status).toBe(404);
  }
  expect.soft((await call(tokenApi, "GET", `/api/v1/companies/${randomUUID()}/registries`)).status).toBe(404);
  // Editing a registry with the echo host's secret, then a PUT that keeps it.
  const harbor = await call(tokenApi, "GET", `${base()}/registries/${ids.harbor}`);
  expect.soft((await call(tokenApi, "PATCH", `${base()}/registries/${ids.harbor}`, { data: { name: "Leak Harbor (renamed)" }, headers: { "If-Match": harbor.headers.etag! } })).status).toBe(200);

  // Resolve and pull secrets (the latter carry secrets by design).
  for (const image of [`${reg.host}/team/app:1`, "ghcr.io/leak-org/api:1", "docker.io/leakuser/app:1", "nowhere.invalid/x:1"]) {
    await call(tokenApi, "POST", `${base()}/registries/resolve`, { data: { image } });
  }
  for (const format of ["dockerconfigjson", "kubernetes", "docker-login", "secret-data"]) {
    const ps = await call(tokenApi, "POST", `${base()}/registries/pull-secret`, { data: { registryIds: Object.values(ids).filter((id) => id !== ids.public), format }, designed: "pull secret" });
    expect.soft(ps.status, `${format}: ${ps.text.slice(0, 300)}`).toBe(200);
    // Positive control: the scanner finds the canaries where they are by design.
    expect.soft(scanner.contains(ps.text, S.ghcr), `the scanner finds a canary in a ${format} pull secret`).toBe(true);
  }
  const psBad = await call(tokenApi, "POST", `${base()}/registries/pull-secret`, { data: { registryIds: [randomUUID()], format: "dockerconfigjson" } });
  expect.soft(psBad.status).toBe(404);

  // Import a Docker config with canary credentials (dry run and for real), and a broken one.
  const dockerConfig = { auths: { [`${reg.host}`]: { auth: Buffer.from(`importer:${S.importAuth.value}`).toString("base64") }, "leak.example.invalid": { username: "u", password: S.importAuth.value } } };
  for (const dryRun of [true, false]) {
    const imp = await call(tokenApi, "POST", `${base()}/registries/import`, { data: { dockerconfigjson: JSON.stringify(dockerConfig), dryRun } });
    expect.soft(imp.status, imp.text).toBe(200);
  }
  expect.soft((await call(tokenApi, "POST", `${base()}/registries/import`, { data: { dockerconfigjson: `{"auths": {"x": {"auth": "${S.importAuth.value}"` } })).status).toBe(400);

  // Company endpoints (session), health settings, audit, openapi, me.
  for (let round = 0; round < REPEAT; round += 1) {
    for (const p of ["/health-checks", "/audit-events?limit=100", "/members", "/invites", "/tokens", "/webhooks"]) await call(cookieApi, "GET", `${base()}${p}`);
    await call(tokenApi, "GET", `${base()}/audit-events?limit=100`);
    await call(cookieApi, "GET", "/api/v1/me");
    await call(tokenApi, "GET", "/api/v1/me");
    await call(cookieApi, "GET", "/api/v1/openapi.json");
    await call(cookieApi, "GET", "/api/health");
    await call(cookieApi, "GET", "/api/ready");
  }
  expect.soft((await call(cookieApi, "PATCH", `${base()}/health-checks`, { data: { intervalMinutes: 15 }, headers: { Origin: berth.url } })).status).toBe(200);
  expect.soft((await call(cookieApi, "PATCH", `${base()}/health-checks`, { data: { intervalMinutes: null }, headers: { Origin: berth.url } })).status).toBe(200);
}

async function exerciseCompany() {
  const origin = { Origin: berth.url };
  const wh = await call(cookieApi, "POST", `${base()}/webhooks`, {
    data: { url: receiver.url, events: ["registry.check_failed", "registry.recovered", "registry.created", "registry.updated", "registry.deleted", "registry.pull_secret_issued", "registry.expiring"], description: "leaks" },
    headers: origin,
    designed: "webhook signing secret (creation answer)",
  });
  expect.soft(wh.status, wh.text).toBe(201);
  webhookId = wh.json().webhook?.id ?? wh.json().id;
  const secret: string = wh.json().secret;
  expect.soft(secret.length).toBeGreaterThanOrEqual(16);
  scanner.add(generatedSecret("webhook-secret", secret, /^[a-z]+_/i));
  await call(cookieApi, "GET", `${base()}/webhooks/${webhookId}`);
  expect.soft((await call(cookieApi, "PATCH", `${base()}/webhooks/${webhookId}`, { data: { description: "leaks (edited)" }, headers: origin })).status).toBe(200);
  expect.soft((await call(cookieApi, "POST", `${base()}/webhooks/${webhookId}/test`, { headers: origin })).status).toBeLessThan(300);
  const badHook = await call(cookieApi, "POST", `${base()}/webhooks`, { data: { url: `http://user:${S.badInput.value}@127.0.0.1:9/x`, events: ["nope"], secret: S.badInput.value }, headers: origin });
  expect.soft(badHook.status).toBe(400);

  // Events for the webhook: a registry created, updated, used in a pull secret, deleted.
  const tmp = await call(tokenApi, "POST", `${base()}/registries`, { data: { name: "Leak temporary", type: "custom", credentials: { url: `http://${echo.host}/tmp`, username: "tmp", password: S.customEcho.value } } });
  expect.soft(tmp.status, tmp.text).toBe(201);
  const tmpId = tmp.json().id;
  expect.soft((await call(tokenApi, "PATCH", `${base()}/registries/${tmpId}`, { data: { credentials: { password: S.rotated.value } } })).status).toBe(200);
  await call(tokenApi, "POST", `${base()}/registries/pull-secret`, { data: { registryIds: [tmpId], format: "dockerconfigjson" }, designed: "pull secret" });
  expect.soft((await call(tokenApi, "DELETE", `${base()}/registries/${tmpId}?force=true`)).status).toBe(204);

  // Tokens: another one (its creation answer is by design), list, revoke.
  const t2 = await call(cookieApi, "POST", `${base()}/tokens`, { data: { name: "leaks-2", scopes: ["registries:read"], cidrAllowlist: ["127.0.0.1/32"] }, headers: origin, designed: "API token (creation answer)" });
  expect.soft(t2.status, t2.text).toBe(201);
  scanner.add(apiTokenCanary("api-token-2", t2.json().token));
  const t2api = await playwrightRequest.newContext({ baseURL: berth.url, extraHTTPHeaders: { Authorization: `Bearer ${t2.json().token}` } });
  await call(t2api, "GET", `${base()}/registries`);
  expect.soft((await call(t2api, "POST", `${base()}/registries`, { data: registryBodies().dockerhub })).status).toBe(403);
  await call(cookieApi, "GET", `${base()}/tokens`);
  expect.soft((await call(cookieApi, "DELETE", `${base()}/tokens/${t2.json().id}`, { headers: origin })).status).toBe(204);
  expect.soft((await call(t2api, "GET", `${base()}/registries`)).status).toBe(401);
  await t2api.dispose();
  // (A token's fields are not secret: an error may quote them.)
  const badToken = await call(cookieApi, "POST", `${base()}/tokens`, { data: { name: "x".repeat(200), scopes: ["nope"], cidrAllowlist: ["not-a-cidr"] }, headers: origin });
  expect.soft(badToken.status).toBe(400);
  expect.soft((await tokenApi.get(`${base()}/registries`, { headers: { Authorization: `Bearer brt_${S.notFound.random}${S.notFound.random}` } })).status()).toBe(401);

  // An invite (its link is a secret), a member joining through it in the browser later.
  const inv = await call(cookieApi, "POST", `${base()}/invites`, { data: { email: "leaks-member@berth.test", role: "member" }, headers: origin, designed: "invite link (creation answer)" });
  expect.soft(inv.status, inv.text).toBe(201);
  const invitePath: string = inv.json().invitePath;
  scanner.add(generatedSecret("invite-token", invitePath.replace("/invite/", ""), /^$/));
  ids.invitePath = invitePath;
  await call(cookieApi, "GET", `${base()}/invites`);
  await call(cookieApi, "GET", `${base()}/members`);
}

/**
 * A browser context whose every response is kept and searched at the end (when every canary,
 * including the ones created on the way, is known). While `state.designed` is set (two-factor
 * enrolment, a reset link being made), the server-action answers (POST) show a secret by design:
 * they are checked for no-store instead.
 */
async function scannedContext(browser: Browser) {
  const context = await browser.newContext({ baseURL: berth.url });
  const state = { designed: "" };
  const kept: Promise<{ label: string; place: string; body: string; headers: string } | undefined>[] = [];
  context.on("response", (res) => {
    const url = new URL(res.url());
    const label = `${res.request().method()} ${url.pathname}${url.search} → ${res.status()}`;
    if (state.designed && res.request().method() === "POST") {
      byDesign.push({ what: state.designed, path: label, status: res.status(), cacheControl: res.headers()["cache-control"] ?? "" });
      return;
    }
    const place = url.pathname.startsWith("/_next/static") ? "browser: static" : "browser: responses";
    const headers = Object.entries(res.headers()).map(([k, v]) => `${k}: ${v}`).join("\n");
    kept.push(
      res
        .body()
        .then((body) => ({ label, place, body: body.toString("utf8"), headers }))
        .catch(() => undefined),
    );
  });
  const scanAll = async () => {
    for (const r of await Promise.all(kept)) {
      if (!r) continue;
      scannedResponses += 1;
      scanner.scan(r.place, r.label, r.body);
      scanner.scan("response headers", r.label, r.headers);
    }
  };
  return { context, state, scanAll };
}

async function visit(page: Page, pathname: string) {
  const res = await page.goto(pathname);
  expect.soft(res?.status() ?? 0, pathname).toBeLessThan(500);
  await page.waitForLoadState("networkidle").catch(() => undefined);
  pages.push(pathname);
  scanner.scan("pages (rendered)", pathname, await page.content());
}

/**
 * The page of an invite or reset link holds the link's token (its form posts it back): that is the
 * token the visitor already has, so it is masked before the search (the rest of the page is
 * searched) and the page is checked like the other by-design answers: not cached.
 */
async function linkPage(page: Page, pathname: string, what: string) {
  const res = await page.goto(pathname);
  const linkToken = pathname.split("/").pop()!;
  byDesign.push({ what, path: `GET ${pathname.replace(linkToken, "…")}`, status: res?.status() ?? 0, cacheControl: (await res?.allHeaders())?.["cache-control"] ?? "" });
  pages.push(pathname.replace(linkToken, "…"));
  scanner.scan("pages (rendered)", pathname.replace(linkToken, "…"), (await page.content()).split(linkToken).join("[the link's own token]"));
}

async function exercisePages(browser: Browser) {
  const { context, state, scanAll } = await scannedContext(browser);
  const page = await context.newPage();
  await visit(page, "/login");
  await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
  await page.getByLabel("Password", { exact: true }).fill(ownerPassword.value);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/settings\//);
  const settings = `/${OWNER.slug}/settings`;
  const all = [
    "/",
    `${settings}/registries`,
    `${settings}/registries?health=failing`,
    `${settings}/registries/new`,
    ...Object.entries(ids)
      .filter(([k]) => k !== "invitePath")
      .map(([, id]) => `${settings}/registries/${id}`),
    `${settings}/audit`,
    `${settings}/integrations`,
    `${settings}/members`,
    `${settings}/notifications`,
    `${settings}/security`,
    `${settings}/tokens`,
    "/account",
    "/docs/api",
    "/companies/new",
  ];
  for (let round = 0; round < REPEAT; round += 1) for (const p of all) await visit(page, p);
  // The client helpers as downloaded (the page would start a download).
  for (const p of ["/downloads/docker-credential-berth", "/downloads/berth-credential-provider"]) {
    const res = await page.request.get(p);
    expect.soft(res.status(), p).toBe(200);
    scanAnswer("downloads", p, res, await res.text());
  }

  // The edit form's own Test Connection, on the echo registry (server action).
  await page.goto(`${settings}/registries/${ids.customEcho}`);
  const testButton = page.getByRole("button", { name: /test connection/i }).first();
  if (await testButton.isVisible().catch(() => false)) {
    await testButton.click();
    await page.getByRole("status", { name: "Connection test result" }).waitFor({ timeout: 20_000 }).catch(() => undefined);
    scanner.scan("pages (rendered)", "edit form after Test Connection", await page.content());
  }

  // A reset link for a member (the invited member, once joined), through the members page.
  const memberPage = await (await browser.newContext({ baseURL: berth.url })).newPage();
  await linkPage(memberPage, ids.invitePath!, "invite link page");
  const pw = memberPage.getByLabel(/password/i).first();
  if (await pw.isVisible().catch(() => false)) {
    await memberPage.getByLabel(/name/i).first().fill("Leak Member").catch(() => undefined);
    for (const input of await memberPage.getByLabel(/password/i).all()) await input.fill(memberPassword.value);
    await memberPage.getByRole("button", { name: /accept|join|create/i }).first().click();
    await expect.soft(memberPage, "the invited member joined (and landed on the registries)").toHaveURL(/\/settings\/registries/, { timeout: 20_000 });
    await memberPage.waitForLoadState("networkidle").catch(() => undefined);
    pages.push("after accepting the invite");
    const linkToken = ids.invitePath!.split("/").pop()!;
    scanner.scan("pages (rendered)", `after accepting the invite (${new URL(memberPage.url()).pathname.replace(linkToken, "…")})`, (await memberPage.content()).split(linkToken).join("[the link's own token]"));
  } else notes.push("The invite page showed no password form: the invite was not accepted in the browser.");
  await memberPage.context().close();

  // Two-factor enrolment: the secret and the recovery codes are shown once, by design.
  await page.goto("/account");
  state.designed = "two-factor enrolment (server action)";
  await page.getByRole("button", { name: "Set up two-factor" }).click();
  const key = page.getByLabel("Manual key");
  await expect.soft(key).toBeVisible();
  const totp = (await key.textContent())!.replace(/\s+/g, "");
  scanner.add(generatedSecret("totp-secret", totp, /^$/));
  await page.getByLabel("Authentication code", { exact: true }).fill(totpCodeAt(totp, Date.now()));
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  const list = page.getByRole("list", { name: "Recovery codes" });
  await expect.soft(list.getByRole("listitem")).toHaveCount(10);
  const codes = (await list.getByRole("listitem").allTextContents()).map((c) => c.trim());
  codes.forEach((code, i) => scanner.add(generatedSecret(`recovery-code-${i}`, code.replace(/[^a-z0-9]/gi, "").length >= 8 ? code : code, /^$/)));
  await page.getByRole("button", { name: "I have saved my recovery codes" }).click();
  await expect.soft(page.getByText("10 of 10 recovery codes left")).toBeVisible();
  state.designed = "";
  for (const p of ["/account", `${settings}/security`, `${settings}/members`]) await visit(page, p);

  // A password reset link from the members page (shown once to the admin, by design).
  await page.goto(`${settings}/members`);
  const reset = page.getByRole("button", { name: /reset password/i }).first();
  if (await reset.isVisible().catch(() => false)) {
    state.designed = "reset link (server action)";
    await reset.click();
    const link = page.getByText(/\/reset-password\//).first();
    await link.waitFor({ timeout: 10_000 }).catch(() => undefined);
    const text = (await link.textContent().catch(() => "")) ?? "";
    const tokenMatch = /\/reset-password\/([A-Za-z0-9_-]{16,})/.exec(text) ?? /\/reset-password\/([A-Za-z0-9_-]{16,})/.exec(await page.content());
    state.designed = "";
    if (tokenMatch) {
      scanner.add(generatedSecret("reset-token", tokenMatch[1]!, /^$/));
      const resetPage = await (await browser.newContext({ baseURL: berth.url })).newPage();
      await linkPage(resetPage, `/reset-password/${tokenMatch[1]}`, "reset link page");
      await resetPage.context().close();
    } else notes.push("No reset link was found on the members page.");
    await visit(page, `${settings}/members`);
  } else notes.push("The members page offered no password reset (no member who may be reset).");
  await scanAll();
  await context.close();
}

async function exerciseJobsAndCli() {
  // Due now: the schedule task made one job per checked registry; run them at once.
  const deadline = Date.now() + 150_000;
  for (;;) {
    const jobs = await sql`select count(*)::int as n from jobs where kind = 'registry.check'`;
    if (jobs[0]!.n >= TESTABLE.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  await sql`update jobs set run_at = now() where kind = 'registry.check'`;
  for (;;) {
    const checked = await sql`select count(distinct registry_id)::int as n from registry_checks where trigger = 'schedule'`;
    if (checked[0]!.n >= TESTABLE.length - 1 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  // Twice, so failing registries send check_failed (it fires on the second failure in a row).
  await sql`update jobs set run_at = now() where kind = 'registry.check'`;
  await new Promise((r) => setTimeout(r, 15_000));
  const checks = await sql`select count(*)::int as n from registry_checks`;
  figures.scheduledChecks = checks[0]!.n;

  await receiver.waitFor(3, 30_000).catch(() => undefined);
  figures.webhookRequests = receiver.received.length;
  for (const r of receiver.received) scanner.scan("webhook receiver", `${r.method} ${r.path}`, `${JSON.stringify(r.headers)}\n${r.body}`);
  for (let page = 0; page < REPEAT; page += 1) await call(cookieApi, "GET", `${base()}/webhooks/${webhookId}/deliveries?limit=100`);

  // CLI: user create, token create (the token on stdout is by design), reset-password, keys rotate (a new key in front), db migrate.
  const env = { DATABASE_URL: db.url, ENCRYPTION_KEYS: `ka:${keyA.value}`, AUTH_SECRET: authSecret.value, LOG_LEVEL: "debug" };
  const runs: { args: string[]; stdin?: string; stdoutIsSecret?: boolean; env?: Record<string, string> }[] = [
    { args: ["user", "create", "--email", "leaks-cli@berth.test", "--company", OWNER.slug, "--role", "viewer"], stdin: `${cliUserPassword.value}\n` },
    { args: ["user", "create", "--email", "leaks-cli2@berth.test", "--company", OWNER.slug, "--role", "viewer"], stdin: `short\n` },
    { args: ["user", "reset-password", "--email", "leaks-cli@berth.test"], stdin: `${cliUserPassword2.value}\n` },
    { args: ["token", "create", "--company", OWNER.slug, "--email", OWNER.email, "--scopes", "registries:read", "--name", "cli"], stdoutIsSecret: true },
    { args: ["token", "create", "--company", OWNER.slug, "--email", OWNER.email, "--scopes", "nope", "--allow", "not-a-cidr"] },
    { args: ["keys", "rotate"], env: { ENCRYPTION_KEYS: `kb:${keyB.value},ka:${keyA.value}` } },
    { args: ["keys", "rotate"], env: { ENCRYPTION_KEYS: `kc:${randomBytes(32).toString("base64")}` } },
    { args: ["db", "migrate"] },
  ];
  let cliRuns = 0;
  for (const run of runs) {
    const res = await runCli(run.args, cliEnv({ ...env, ...run.env }), run.stdin);
    cliRuns += 1;
    const label = `berth ${run.args.slice(0, 2).join(" ")} (exit ${res.code})`;
    if (run.stdoutIsSecret) {
      expect.soft(res.code, res.stderr).toBe(0);
      scanner.add(apiTokenCanary("cli-token", res.stdout.trim()));
    } else scanner.scan("CLI output", `${label} stdout`, res.stdout);
    scanner.scan("CLI output", `${label} stderr`, res.stderr);
  }
  figures.cliRuns = cliRuns;

  // Metrics (the scrape token is a secret too), members, and deletes on both paths.
  const anon = await playwrightRequest.newContext({ baseURL: berth.url });
  expect.soft((await call(anon, "GET", "/api/metrics", { headers: { Authorization: `Bearer ${metricsToken.value}` } })).status).toBe(200);
  expect.soft((await call(anon, "GET", "/api/metrics", { headers: { Authorization: `Bearer ${metricsToken.value.slice(0, -1)}x` } })).status).toBeGreaterThanOrEqual(400);
  await anon.dispose();
  const origin = { Origin: berth.url };
  const members = (await call(cookieApi, "GET", `${base()}/members`)).json().items as { userId: string; email: string }[];
  const joined = members.find((m) => m.email === "leaks-member@berth.test");
  expect.soft(joined, "the invited member is a member").toBeDefined();
  if (joined) {
    expect.soft((await call(cookieApi, "PATCH", `${base()}/members/${joined.userId}`, { data: { manageRegistries: true }, headers: origin })).status).toBe(200);
    expect.soft((await call(cookieApi, "PATCH", `${base()}/members/${joined.userId}`, { data: { role: "king" }, headers: origin })).status).toBe(400);
  }
  expect.soft((await call(cookieApi, "PATCH", `${base()}/members/${randomUUID()}`, { data: { role: "viewer" }, headers: origin })).status).toBe(404);
  expect.soft((await call(tokenApi, "DELETE", `/api/${companyId}/containerRegistryConfig/${ids.public}`)).status).toBe(204);
  expect.soft((await call(tokenApi, "DELETE", `${base()}/registries/${ids.artifactory}`, { headers: { "If-Match": '"99"' } })).status).toBe(412);
  expect.soft((await call(cookieApi, "DELETE", `${base()}/webhooks/${webhookId}`, { headers: origin })).status).toBe(204);
  // After the rotation the server must still read its secrets with the new key in front.
  const after = await call(tokenApi, "POST", `${base()}/registries/${ids.customReal}/test`);
  expect.soft([200, 500]).toContain(after.status);
}

async function searchEverything() {
  // Every JS chunk of the build, fetched through the server.
  const staticDir = path.join(__dirname, "..", "..", process.env.BERTH_DIST_DIR || ".next", "static");
  const chunks: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".js")) chunks.push(path.relative(staticDir, p).split(path.sep).join("/"));
    }
  };
  walk(staticDir);
  const anon = await playwrightRequest.newContext({ baseURL: berth.url });
  let chunkBytes = 0;
  for (const c of chunks) {
    const res = await anon.get(`/_next/static/${c}`);
    expect(res.status(), c).toBe(200);
    const body = await res.text();
    chunkBytes += body.length;
    scanner.scan("JS chunks", c, body);
  }
  // Pages without a session, and with it (the HTML as served, not as rendered).
  for (const p of ["/login", "/setup", "/", "/docs/api", `/invite/${randomUUID()}`, `/reset-password/${randomUUID()}`]) {
    const res = await anon.get(p, { maxRedirects: 0 });
    scanAnswer("pages (served)", `${p} → ${res.status()}`, res, await res.text());
  }
  for (const p of ["/account", `/${OWNER.slug}/settings/registries`, `/${OWNER.slug}/settings/tokens`, `/${OWNER.slug}/settings/notifications`, `/${OWNER.slug}/settings/audit`]) {
    const res = await cookieApi.get(p, { maxRedirects: 0 });
    scanAnswer("pages (served)", `${p} → ${res.status()}`, res, await res.text());
  }
  await anon.dispose();

  // The pull-secret answers: no-store, and each audited.
  const audited = await sql`select count(*)::int as n from audit_events where action = 'registry.pull_secret_issued'`;
  const pullSecrets = byDesign.filter((d) => d.what === "pull secret" && d.status === 200).length;

  // The server log.
  const log = berth.output();
  const logLines = log.split("\n").filter(Boolean);
  for (const [i, line] of logLines.entries()) scanner.scan("server log", `line ${i + 1}`, line);
  expect(log, "the server logged at debug level").toMatch(/"level":20|DEBUG|debug/);

  // Every column of every table, but the ciphertext and hash columns (named, and that list exact).
  const CIPHERTEXT = [
    "api_tokens.token_hash",
    "app_settings.value",
    "invites.token_hash",
    "password_resets.token_hash",
    "recovery_codes.code_hash",
    "registries.secret_blob",
    "registry_tokens.blob",
    "user_totp.secret_blob",
    "users.password_hash",
    "webhooks.secret_blob",
  ];
  const columns = await sql<{ table_schema: string; table_name: string; column_name: string }[]>`
    select table_schema, table_name, column_name from information_schema.columns
    where table_schema not in ('pg_catalog', 'information_schema') order by table_schema, table_name, ordinal_position`;
  const names = columns.map((c) => `${c.table_name}.${c.column_name}`);
  const skippedPresent = CIPHERTEXT.filter((c) => names.includes(c));
  let rows = 0;
  let cells = 0;
  const tables = [...new Set(columns.map((c) => `${c.table_schema}.${c.table_name}`))];
  for (const t of tables) {
    const [schema, table] = t.split(".") as [string, string];
    const cols = columns.filter((c) => c.table_schema === schema && c.table_name === table && !CIPHERTEXT.includes(`${table}.${c.column_name}`)).map((c) => c.column_name);
    if (cols.length === 0) continue;
    const place = ["audit_events"].includes(table) ? "audit table" : ["registry_checks"].includes(table) ? "history table" : table.startsWith("webhook_") ? "webhook deliveries (table)" : "database";
    const result = await sql.unsafe(`select ${cols.map((c) => `"${c}"::text as "${c}"`).join(", ")} from "${schema}"."${table}"`);
    for (const row of result) {
      rows += 1;
      for (const c of cols) {
        cells += 1;
        const v = row[c];
        if (v !== null && v !== undefined) scanner.scan(place, `${table}.${c}`, String(v));
      }
    }
  }

  // Figures first (also when the assertions below fail).
  const byPlace = [...scanner.byPlace.entries()].map(([place, s]) => [place, s.items, s.bytes, s.hits] as (string | number)[]);
  const hitsByPlace = Object.fromEntries([...scanner.byPlace.entries()].map(([p, s]) => [p, s.hits]));
  const totalBytes = [...scanner.byPlace.values()].reduce((a, s) => a + s.bytes, 0);
  const passed =
    scanner.hits.length === 0 && skippedPresent.length === CIPHERTEXT.length && byDesign.every((d) => d.status >= 400 || /no-store/.test(d.cacheControl)) && audited[0]!.n >= pullSecrets;
  recordFigures({
    suite: "leaks",
    title: `canary secrets in a registry of every type, the server's keys and every generated secret; every page, endpoint, error path, webhook, check job and CLI command (${mode})`,
    passed,
    figures: {
      canaries: scanner.canaries.length,
      responsesScanned: scannedResponses,
      bytesScanned: totalBytes,
      pages: pages.length,
      chunks: chunks.length,
      chunkBytes,
      logLines: logLines.length,
      tables: tables.length,
      columnsScanned: names.length - skippedPresent.length,
      columnsSkipped: skippedPresent.length,
      rowsScanned: rows,
      cellsScanned: cells,
      pullSecretAnswers: pullSecrets,
      pullSecretsAudited: audited[0]!.n,
      byDesignAnswers: byDesign.length,
      webhookRequests: figures.webhookRequests ?? 0,
      scheduledChecks: figures.scheduledChecks ?? 0,
      cliRuns: figures.cliRuns ?? 0,
      hits: scanner.hits.length,
      ...Object.fromEntries(Object.entries(hitsByPlace).map(([p, n]) => [`hits: ${p}`, n])),
    },
    tables: [
      { title: "Scanned, by place", columns: ["place", "items", "bytes", "hits"], rows: byPlace },
      ...(scanner.hits.length ? [{ title: "Hits", columns: ["place", "canary", "form", "context"], rows: scanner.hits.slice(0, 200).map((h) => [h.place, h.canary, h.form, h.context]) }] : []),
      { title: "Answers that carry a secret by design (not searched)", columns: ["what", "request", "status", "Cache-Control"], rows: byDesign.map((d) => [d.what, d.path, d.status, d.cacheControl]) },
    ],
    notes: [`Skipped ciphertext/hash columns: ${CIPHERTEXT.join(", ")}.`, ...notes],
  });

  expect(skippedPresent, "every skipped column exists (the list is exact)").toEqual(CIPHERTEXT);
  for (const d of byDesign.filter((d) => d.status < 400)) expect(d.cacheControl, `${d.what}: ${d.path}`).toMatch(/no-store/);
  expect(audited[0]!.n, "every pull secret is audited").toBeGreaterThanOrEqual(pullSecrets);
  expect(scanner.hits, JSON.stringify(scanner.hits.slice(0, 20), null, 2)).toEqual([]);
}

test("secret leaks: 0 hits anywhere", async ({ browser }) => {
  // One test: a failed step still leaves the later steps and the search to run (expect.soft in the
  // steps; an exception is noted and counted as a failure), and the figures are written before the
  // final assertions.
  const steps: [string, () => Promise<void>][] = [
    ["the API: every registry type, every endpoint, the error paths", exerciseApi],
    ["webhook, tokens, invites and members", exerciseCompany],
    ["every page, two-factor, a reset link and an invite in the browser", () => exercisePages(browser)],
    ["the scheduled check job, the webhook deliveries and the CLI", exerciseJobsAndCli],
  ];
  for (const [title, run] of steps) {
    await test.step(title, async () => {
      try {
        await run();
      } catch (err) {
        notes.push(`Step "${title}" stopped early: ${String(err).slice(0, 300)}`);
        expect.soft(String(err), `step "${title}"`).toBe("");
      }
    });
  }
  await test.step("search every JS chunk, the log and the database", searchEverything);
});
