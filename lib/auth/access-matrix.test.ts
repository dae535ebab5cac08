/**
 * The access matrix: every route handler export under /api/v1, the seed-compatible
 * /api/{companyId}/containerRegistryConfig paths and /downloads, and every server action, ×
 * every kind of caller × own company / another company, with the exact status of each cell.
 *
 * The route files and the "use server" files are enumerated at test time: a route or action that
 * is in neither the table nor the list of what lies outside it fails the test. The expected cells
 * are written out below from the permission table of the specification (section 4), not computed
 * with lib/auth/permissions.ts. Operations whose outcome depends on the network (validate, test,
 * the webhook test) point at the closed loopback port 127.0.0.1:9 and answer 200 with a failed
 * result.
 *
 * Company A requires two-factor: every one of its role users has it, except `noTwoFactor`. Company
 * B is "another company": its path, and its ids on A's path, are 404 to every authenticated caller
 * that gets that far, and nothing of B changes.
 */
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { companies, invites, memberships, registries, sessions } from "@/db/schema";
import { recordFigures, reliabilityMode } from "@/e2e/support/figures";
import { createInvite } from "@/lib/companies/service";
import { resetEnvCache } from "@/lib/env";
import { createWebhook } from "@/lib/notifications/webhooks";
import { createRecorder, NIL_UUID, type Answer, type Auth } from "@/lib/registries/registries.testkit";
import { sealRegistrySecrets } from "@/lib/registries/secrets";
import { actionExports, inlineActionFiles, paramsOf, routeExports, type RouteHandler, type ServerAction } from "@/lib/testing/app-surface";
import { apiRequest, signedInSession } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { contextFor, enrolTwoFactor, seedTeam, spoilToken, tokenFor, tokenRow, type Team } from "@/lib/testing/identity";

// Server actions read the request through next/headers; here, the cell's request.
const current = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => current.headers, cookies: async () => ({ get: () => undefined }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
// Auth.js' own endpoints and sign-in are outside the matrix (their own suites test them).
vi.mock("@/lib/auth/auth", () => ({ signOut: async () => {}, signIn: async () => {}, handlers: { GET: async () => new Response(null), POST: async () => new Response(null) } }));

// Test Connection is rate limited per user; the matrix tests far more than a user would.
process.env.BERTH_TEST_RATE_LIMIT = "10000";
resetEnvCache();

// ------------------------------------------------------------------ callers

const CALLERS = [
  "owner",
  "admin",
  "member",
  "memberMr",
  "viewer",
  "anonymous",
  "endedSession",
  "expiredToken",
  "revokedToken",
  "unknownToken",
  "readToken",
  "writeToken",
  "pullToken",
  "outsideCidr",
  "noTwoFactor",
  "limitedToken",
  "viewerToken",
  "memberMrToken",
] as const;
type CallerKey = (typeof CALLERS)[number];

interface Caller {
  key: CallerKey;
  auth: Auth;
  /** The user a session caller is (tokens: the token's user). */
  userId: string | null;
}

/**
 * What each caller is. Every token is the owner's (so only its scopes, state or address limit
 * it); the expired, revoked, outside-CIDR and limited ones carry every scope. The limited token
 * covers one registry that no cell targets, so the registries the cells name are outside it.
 */
const CALLER_NOTES: Record<CallerKey, string> = {
  owner: "owner, session",
  admin:     "admin, session 401    403 403",
  member: "member, session",
  memberMr: "member with manageRegistries, session",
  viewer: "viewer, session",
  anonymous: "no session, no token",
  endedSession: "owner's cookie of a session that was signed out on the server",
  expiredToken: "owner's token, every scope, expired",
  revokedToken: "owner's token, every scope, revoked",
  unknownToken: "a well-formed brt_ token Berth never issued",
  readToken: "owner's token, registries:read",
  writeToken: "owner's token, registries:write",
  pullToken: "owner's token, registries:pull",
  outsideCidr: "owner's token, every scope, used from outside its CIDR allowlist",
  noTwoFactor: "member without two-factor, session, under the company's require-two-factor policy",
  limitedToken: "owner's token, every scope, limited to one other registry",
  viewerToken: "viewer's token, every scope (a token never goes beyond its user's role)",
  memberMrToken: "token of a member with manageRegistries, every scope",
};

// ------------------------------------------------------------------ the expected cells

/**
 * A cell: `ok` is the operation's own answer once access is granted (the endpoint's `ok`);
 * `2fa` is 403 two-factor-required; `own` is 403 because the registry is someone else's (delete
 * by a member with manageRegistries); numbers are exact statuses.
 */
type Cell = "ok" | "own" | "2fa" | "401" | "403" | "404";

const ROWS = {
  //           owner admin member mMR viewer anon ended expired revoked unknown read write pull cidr no2fa limited vTok mrTok
  read:      "ok    ok    ok     ok  ok     401  401   401     401     401     ok   403   ok   403  2fa   ok      ok   ok",
  readOne:   "ok    ok    ok     ok  ok     401  401   401     401     401     ok   403   ok   403  2fa   404     ok   ok",
  test:      "ok    ok    ok     ok  403    401  401   401     401     401     ok   403   ok   403  2fa   404     403  ok",
  validate:  "ok    ok    ok     ok  403    401  401   401     401     401     403  ok    403  403  2fa   ok      403  ok",
  create:    "ok    ok    403    ok  403    401  401   401     401     401     403  ok    403  403  2fa   403     403  ok",
  update:    "ok    ok    403    ok  403    401  401   401     401     401     403  ok    403  403  2fa   404     403  ok",
  delete:    "ok    ok    403    own 403    401  401   401     401     401     403  ok    403  403  2fa   404     403  own",
  pull:      "ok    ok    403    403 403    401  401   401     401     401     403  403   ok   403  2fa   404     403  403",
  admin:     "ok    ok    403    403 403    401  401   401     401     401     403  403   403  403  2fa   403     403  403",
  ownTokens: "ok    ok    ok     ok  403    401  401   401     401     401     403  403   403  403  2fa   403     403  403",
  // not about a company: who the caller is; the policy binds a company's pages and API only
  me:        "ok    ok    ok     ok  ok     401  401   401     401     401     ok   ok    ok   403  ok    ok      ok   ok",
  public:    "ok    ok    ok     ok  ok     ok   ok    ok      ok      ok      ok   ok    ok   ok   ok    ok      ok   ok",
  // the user's own account (and enrolment): sessions only; actions never read a bearer token here
  account:   "ok    ok    ok     ok  ok     401  401   401     401     401     401  401   401  401  ok    401     401  401",
  // another company's path: 404 to everyone who gets past authentication
  otherPath: "404   404   404    404 404    401  401   401     401     401     404  404   404  403  404   404     404  404",
} as const;
type RowName = keyof typeof ROWS;

function row(name: RowName): Record<CallerKey, Cell> {
  const cells = ROWS[name].trim().split(/\s+/) as Cell[];
  if (cells.length !== CALLERS.length) throw new Error(`row ${name} has ${cells.length} cells`);
  return Object.fromEntries(CALLERS.map((c, i) => [c, cells[i]])) as Record<CallerKey, Cell>;
}

/**
 * Another company's id on one's own path: 404 wherever access was granted (or depended on the
 * resource); an answer given before any resource is read (401, a role's or a scope's 403) stays.
 */
function otherIdCell(own: Cell): Cell {
  return own === "ok" || own === "own" || own === "404" ? "404" : own;
}

const PROBLEM: Record<string, { status: number; type: string }> = {
  "401": { status: 401, type: "unauthenticated" },
  "403": { status: 403, type: "forbidden" },
  own: { status: 403, type: "forbidden" },
  "2fa": { status: 403, type: "two-factor-required" },
  "404": { status: 404, type: "not-found" },
};

// ------------------------------------------------------------------ the scenes

/** A company and the resources the cells name: fixed ones, and fresh ones for cells that consume theirs. */
interface Scene {
  team: Team;
  id: string;
  slug: string;
  registry: string; // read, tested, updated (URL 127.0.0.1:9, plain HTTP)
  pullable: string; // has a stored secret; pull secrets are asked for it
  webhook: string;
  member: string; // a viewer whom PATCH sets to viewer again, and reset links name
  token: string; // one of the owner's tokens
  invite: string; // a pending invite
  image: string; // an image only this company's `registry` matches
  fresh: {
    registry: () => Promise<string>;
    webhook: () => Promise<string>;
    member: () => Promise<string>;
    token: (userId: string) => Promise<string>;
    invite: () => Promise<string>;
  };
}

let t: TestDb;
let A: Scene;
let B: Scene;
const callers = new Map<CallerKey, Caller>();
const rec = createRecorder();
let seq = 0;

const LOCAL_REGISTRY = { type: "custom", credentials: { url: "http://127.0.0.1:9", username: "matrix", password: "matrix-local-password-01" } } as const;

async function insertRegistry(companyId: string, by: string, url: string, name = `matrix ${seq++}`): Promise<string> {
  const [r] = await t.db
    .insert(registries)
    .values({ companyId, type: "custom", name, url, plainHttp: true, credentials: { url: `http://${url}`, username: "matrix" }, createdBy: by, modifiedBy: by })
    .returning();
  return r!.id;
}

async function scene(team: Team, host: string): Promise<Scene> {
  const companyId = team.company.id;
  const owner = team.owner.id;
  const registry = await insertRegistry(companyId, owner, host, "matrix shared");
  const pullable = await insertRegistry(companyId, owner, `${host}/pull`, "matrix pullable");
  for (const id of [registry, pullable]) {
    const sealed = sealRegistrySecrets({ password: `stored-${id.slice(0, 8)}-password` }, { companyId, registryId: id });
    await t.db.update(registries).set({ secretBlob: sealed.blob, keyId: sealed.keyId, secretFields: ["password"] }).where(eq(registries.id, id));
  }
  const ownerCtx = () => contextFor(companyId, { cookie: team.users.owner.cookie });
  const webhook = async () => (await createWebhook(await ownerCtx(), { url: "http://127.0.0.1:9/hook", events: ["registry.expired"] })).webhook.id;
  const token = async (userId: string) => (await tokenFor(t.db, companyId, userId, { name: `matrix ${seq++}` })).id;
  const invite = async () => (await createInvite(await ownerCtx(), { email: `invited-${seq++}@example.test`, role: "viewer" })).invite.id;
  return {
    team,
    id: companyId,
    slug: team.company.slug,
    registry,
    pullable,
    webhook: await webhook(),
    member: (await team.addUser("viewer")).id,
    token: await token(owner),
    invite: await invite(),
    image: `${host}/matrix/app:1`,
    fresh: {
      registry: () => insertRegistry(companyId, owner, `fresh-${seq++}.invalid`),
      webhook,
      member: async () => (await team.addUser("member")).id,
      token,
      invite,
    },
  };
}

/** Every row of every table with a company_id column, for one company (times of last use left out). */
let companyTables: string[] = [];
async function snapshot(companyId: string, opts: { audit: boolean }): Promise<string> {
  const parts: unknown[] = [await t.db.select().from(companies).where(eq(companies.id, companyId))];
  for (const table of companyTables) {
    if (!opts.audit && table === "audit_events") continue;
    const res = await t.db.execute(sql`select * from ${sql.identifier(table)} where company_id = ${companyId} order by 1`);
    const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Record<string, unknown>[];
    parts.push(table, rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== "last_used_at" && k !== "last_seen_at"))));
  }
  return JSON.stringify(parts);
}

// ------------------------------------------------------------------ the endpoints

/** One cell's circumstances: who calls, on whose path, naming whose resources. */
interface Circumstances {
  c: Caller;
  at: Scene; // the company in the path
  res: Scene; // the company whose resources the request names
  own: boolean; // at === res === A: fresh resources for cells that consume them
  n: number;
}

interface EndpointSpec {
  row: RowName;
  /** The answer once access is granted (200, 201, 204…). */
  ok: number;
  /** Cells that differ for a reason other than access (e.g. the state of the caller's account). */
  overrides?: Partial<Record<CallerKey, number>>;
  /** Names a resource (an id, an image, a registry id) that can be another company's. */
  ids?: boolean;
  /** Not company-scoped: the own / another company dimension does not apply. */
  global?: boolean;
  request: (x: Circumstances) => Promise<{ path: string; body?: unknown }> | { path: string; body?: unknown };
  /** For a granted cell: what the answer must hold besides its status (null when it does). */
  check?: (a: Answer, x: Circumstances) => string | null;
}

/** A Test Connection answer for the closed port: 200 with a failed result, never cached. */
const failedTest = (a: Answer) =>
  a.body?.ok === false && a.body?.status === "unreachable" && a.headers.get("cache-control") === "no-store" ? null : `not a failed, uncached result: ${a.text.slice(0, 120)}`;

const v1 = (x: Circumstances) => `/api/v1/companies/${x.at.id}`;
// the seed paths by slug (the v1 paths by id): a company reference may be either
const seedBase = (x: Circumstances) => `/api/${x.at.slug}/containerRegistryConfig`;
const mine = (x: Circumstances) => x.c.userId ?? A.team.owner.id;

const registryBody = (n: number) => ({ name: `matrix created ${n}`, type: "custom", credentials: { url: `created-${n}.invalid`, token: `matrix-created-token-${n}` } });
const replaceBody = (n: number) => ({ name: `matrix replaced ${n}`, ...LOCAL_REGISTRY });
const validateBody = { name: "matrix validate", ...LOCAL_REGISTRY };
const importBody = (n: number) => ({ dryRun: true, dockerconfigjson: { auths: { [`127.0.0.1:9/imported-${n}`]: { username: "matrix", password: `matrix-import-password-${n}` } } } });
const webhookBody = { url: "http://127.0.0.1:9/hook", events: ["registry.expired"] };

/** The registry endpoints, on the v1 path or the seed path. */
function registryEndpoints(prefix: string, base: (x: Circumstances) => string, seed: boolean): Record<string, EndpointSpec> {
  const item = `${prefix}/[id]`;
  const out: Record<string, EndpointSpec> = {
    [`GET ${prefix}`]: {
      row: "read",
      ok: 200,
      request: (x) => ({ path: base(x) }),
      // a limited token lists only its registry; nobody lists the other company's
      check: (a, x) => {
        const ids: string[] = (a.body?.items ?? []).map((i: { id: string }) => i.id);
        if (ids.includes(B.registry)) return "listed the other company's registry";
        if (x.c.key === "limitedToken") return ids.length === 1 && ids[0] === limitedOnly ? null : `a limited token listed ${ids.length} registries`;
        return ids.includes(A.registry) ? null : "the company's registry is missing";
      },
    },
    [`POST ${prefix}`]: { row: "create", ok: 201, request: (x) => ({ path: base(x), body: registryBody(x.n) }) },
    [`GET ${item}`]: { row: "readOne", ok: 200, ids: true, request: (x) => ({ path: `${base(x)}/${x.res.registry}` }), check: (a) => (a.body?.id === A.registry && a.headers.get("etag") ? null : "not the registry with an ETag") },
    [`PUT ${item}`]: { row: "update", ok: 200, ids: true, request: (x) => ({ path: `${base(x)}/${x.res.registry}`, body: replaceBody(x.n) }) },
    [`PATCH ${item}`]: { row: "update", ok: 200, ids: true, request: (x) => ({ path: `${base(x)}/${x.res.registry}`, body: { isActive: true } }) },
    [`DELETE ${item}`]: { row: "delete", ok: 204, ids: true, request: async (x) => ({ path: `${base(x)}/${x.own ? await A.fresh.registry() : x.res.registry}` }) },
    [`POST ${prefix}/validate`]: { row: "validate", ok: 200, request: (x) => ({ path: `${base(x)}/validate`, body: validateBody }), check: failedTest },
  };
  if (seed) return out;
  return {
    ...out,
    [`POST ${item}/test`]: { row: "test", ok: 200, ids: true, request: (x) => ({ path: `${base(x)}/${x.res.registry}/test` }), check: failedTest },
    [`GET ${item}/checks`]: { row: "readOne", ok: 200, ids: true, request: (x) => ({ path: `${base(x)}/${x.res.registry}/checks` }) },
    [`GET ${item}/uses`]: { row: "readOne", ok: 200, ids: true, request: (x) => ({ path: `${base(x)}/${x.res.registry}/uses` }) },
    [`POST ${prefix}/resolve`]: {
      row: "readOne",
      ok: 200,
      ids: true,
      request: (x) => ({ path: `${base(x)}/resolve`, body: { image: x.res.image } }),
      check: (a) => (a.body?.registry?.id === A.registry ? null : `resolved to ${a.body?.registry?.id}`),
    },
    [`POST ${prefix}/pull-secret`]: {
      row: "pull",
      ok: 200,
      ids: true,
      request: (x) => ({ path: `${base(x)}/pull-secret`, body: { registryIds: [x.res.pullable], format: "dockerconfigjson" } }),
      check: (a) => (a.headers.get("cache-control") === "no-store" && Object.keys(a.body?.content?.auths ?? {}).join() === "127.0.0.1:9/pull" ? null : "not the one registry's uncached pull secret"),
    },
    [`POST ${prefix}/import`]: { row: "create", ok: 200, request: (x) => ({ path: `${base(x)}/import`, body: importBody(x.n) }) },
  };
}

const CO = "/api/v1/companies/[companyId]";
const ENDPOINTS: Record<string, EndpointSpec> = {
  ...registryEndpoints(`${CO}/registries`, (x) => `${v1(x)}/registries`, false),
  ...registryEndpoints("/api/[companyId]/containerRegistryConfig", seedBase, true),
  [`GET ${CO}/audit-events`]: { row: "admin", ok: 200, request: (x) => ({ path: `${v1(x)}/audit-events` }) },
  [`GET ${CO}/health-checks`]: { row: "admin", ok: 200, request: (x) => ({ path: `${v1(x)}/health-checks` }) },
  [`PATCH ${CO}/health-checks`]: { row: "admin", ok: 200, request: (x) => ({ path: `${v1(x)}/health-checks`, body: { intervalMinutes: null } }) },
  [`GET ${CO}/invites`]: { row: "admin", ok: 200, request: (x) => ({ path: `${v1(x)}/invites` }) },
  [`POST ${CO}/invites`]: { row: "admin", ok: 201, request: (x) => ({ path: `${v1(x)}/invites`, body: { email: `invite-${x.n}@example.test`, role: "viewer" } }) },
  [`GET ${CO}/members`]: { row: "admin", ok: 200, request: (x) => ({ path: `${v1(x)}/members` }) },
  [`PATCH ${CO}/members/[userId]`]: { row: "admin", ok: 200, ids: true, request: (x) => ({ path: `${v1(x)}/members/${x.res.member}`, body: { role: "viewer" } }) },
  [`DELETE ${CO}/members/[userId]`]: { row: "admin", ok: 204, ids: true, request: async (x) => ({ path: `${v1(x)}/members/${x.own ? await A.fresh.member() : x.res.member}` }) },
  [`GET ${CO}/tokens`]: { row: "ownTokens", ok: 200, request: (x) => ({ path: `${v1(x)}/tokens` }) },
  [`POST ${CO}/tokens`]: { row: "ownTokens", ok: 201, request: (x) => ({ path: `${v1(x)}/tokens`, body: { name: `matrix ${x.n}`, scopes: ["registries:read"] } }) },
  [`DELETE ${CO}/tokens/[tokenId]`]: { row: "ownTokens", ok: 204, ids: true, request: async (x) => ({ path: `${v1(x)}/tokens/${x.own ? await A.fresh.token(mine(x)) : x.res.token}` }) },
  [`GET ${CO}/webhooks`]: { row: "admin", ok: 200, request: (x) => ({ path: `${v1(x)}/webhooks` }) },
  [`POST ${CO}/webhooks`]: { row: "admin", ok: 201, request: (x) => ({ path: `${v1(x)}/webhooks`, body: webhookBody }) },
  [`GET ${CO}/webhooks/[id]`]: { row: "admin", ok: 200, ids: true, request: (x) => ({ path: `${v1(x)}/webhooks/${x.res.webhook}` }) },
  [`PATCH ${CO}/webhooks/[id]`]: { row: "admin", ok: 200, ids: true, request: (x) => ({ path: `${v1(x)}/webhooks/${x.res.webhook}`, body: { description: `matrix ${x.n}` } }) },
  [`DELETE ${CO}/webhooks/[id]`]: { row: "admin", ok: 204, ids: true, request: async (x) => ({ path: `${v1(x)}/webhooks/${x.own ? await A.fresh.webhook() : x.res.webhook}` }) },
  [`POST ${CO}/webhooks/[id]/test`]: {
    row: "admin",
    ok: 200,
    ids: true,
    request: (x) => ({ path: `${v1(x)}/webhooks/${x.res.webhook}/test` }),
    // the closed port refuses the ping: a delivery that did not succeed
    check: (a) => (a.body?.eventType === "ping" && a.body?.webhookId === A.webhook && a.body?.status !== "succeeded" && a.body?.attempts === 1 ? null : `not a refused ping: ${a.text.slice(0, 120)}`),
  },
  [`GET ${CO}/webhooks/[id]/deliveries`]: { row: "admin", ok: 200, ids: true, request: (x) => ({ path: `${v1(x)}/webhooks/${x.res.webhook}/deliveries` }) },
  "GET /api/v1/me": {
    row: "me",
    ok: 200,
    global: true,
    request: () => ({ path: "/api/v1/me" }),
    check: (a, x) => (a.body?.user?.id && (a.body.token === null) === ("cookie" in x.c.auth) ? null : "not the caller"),
  },
  "GET /api/v1/openapi.json": { row: "public", ok: 200, global: true, request: () => ({ path: "/api/v1/openapi.json" }) },
  "GET /downloads/docker-credential-berth": { row: "public", ok: 200, global: true, request: () => ({ path: "/downloads/docker-credential-berth" }) },
  "HEAD /downloads/docker-credential-berth": { row: "public", ok: 200, global: true, request: () => ({ path: "/downloads/docker-credential-berth" }) },
  "GET /downloads/berth-credential-provider": { row: "public", ok: 200, global: true, request: () => ({ path: "/downloads/berth-credential-provider" }) },
  "HEAD /downloads/berth-credential-provider": { row: "public", ok: 200, global: true, request: () => ({ path: "/downloads/berth-credential-provider" }) },
};

/** Route exports outside the matrix, and why. */
const OUTSIDE_ROUTES: Record<string, string> = {
  "GET /api/auth/[...nextauth]": "Auth.js' own endpoints (sign-in, session, CSRF): tested by the sign-in suites",
  "POST /api/auth/[...nextauth]": "Auth.js' own endpoints (sign-in, session, CSRF): tested by the sign-in suites",
  "GET /api/health": "liveness: no authentication by design, nothing about a company",
  "GET /api/ready": "readiness: no authentication by design, nothing about a company",
  "GET /api/metrics": "Prometheus scrape: its own bearer token (BERTH_METRICS_TOKEN), tested in lib/server",
};

// ------------------------------------------------------------------ the server actions

interface ActionSpec {
  row: RowName;
  ok: number;
  overrides?: Partial<Record<CallerKey, number>>;
  ids?: boolean;
  global?: boolean;
  /** Ends the caller's sessions: run after every other cell. */
  last?: boolean;
  args: (x: Circumstances) => Promise<unknown[]> | unknown[];
  /** For a granted cell: what the result's data must hold (null when it does). */
  check?: (data: unknown) => string | null;
}

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

const SETTINGS = "[company]/settings";
const ACTIONS: Record<string, ActionSpec> = {
  [`${SETTINGS}/integrations/actions.ts#createPullTokenAction`]: { row: "ownTokens", ok: 200, args: (x) => [x.at.slug, { name: `pull ${x.n}` }] },
  [`${SETTINGS}/members/actions.ts#inviteMemberAction`]: { row: "admin", ok: 200, args: (x) => [x.at.slug, { email: `action-invite-${x.n}@example.test`, role: "viewer", manageRegistries: false }] },
  [`${SETTINGS}/members/actions.ts#updateMemberAction`]: { row: "admin", ok: 200, ids: true, args: (x) => [x.at.slug, x.res.member, { role: "viewer" }] },
  [`${SETTINGS}/members/actions.ts#removeMemberAction`]: { row: "admin", ok: 200, ids: true, args: async (x) => [x.at.slug, x.own ? await A.fresh.member() : x.res.member] },
  [`${SETTINGS}/members/actions.ts#revokeInviteAction`]: { row: "admin", ok: 200, ids: true, args: async (x) => [x.at.slug, x.own ? await A.fresh.invite() : x.res.invite] },
  [`${SETTINGS}/members/actions.ts#createPasswordResetLinkAction`]: { row: "admin", ok: 200, ids: true, args: (x) => [x.at.slug, x.res.member] },
  [`${SETTINGS}/notifications/actions.ts#createWebhookAction`]: { row: "admin", ok: 200, args: (x) => [x.at.slug, webhookBody] },
  [`${SETTINGS}/notifications/actions.ts#updateWebhookAction`]: { row: "admin", ok: 200, ids: true, args: (x) => [x.at.slug, x.res.webhook, { description: `action ${x.n}` }] },
  [`${SETTINGS}/notifications/actions.ts#deleteWebhookAction`]: { row: "admin", ok: 200, ids: true, args: async (x) => [x.at.slug, x.own ? await A.fresh.webhook() : x.res.webhook] },
  [`${SETTINGS}/notifications/actions.ts#sendTestEventAction`]: {
    row: "admin",
    ok: 200,
    ids: true,
    args: (x) => [x.at.slug, x.res.webhook],
    check: (d) => ((d as { eventType?: string; status?: string }).eventType === "ping" && (d as { status?: string }).status !== "succeeded" ? null : "not a refused ping"),
  },
  [`${SETTINGS}/notifications/actions.ts#listDeliveriesAction`]: { row: "admin", ok: 200, ids: true, args: (x) => [x.at.slug, x.res.webhook] },
  [`${SETTINGS}/registries/actions.ts#createRegistryAction`]: { row: "create", ok: 200, args: (x) => [x.at.slug, registryBody(x.n)] },
  [`${SETTINGS}/registries/actions.ts#updateRegistryAction`]: { row: "update", ok: 200, ids: true, args: (x) => [x.at.slug, x.res.registry, replaceBody(x.n)] },
  [`${SETTINGS}/registries/actions.ts#setRegistryActiveAction`]: { row: "update", ok: 200, ids: true, args: (x) => [x.at.slug, x.res.registry, true] },
  [`${SETTINGS}/registries/actions.ts#deleteRegistryAction`]: { row: "delete", ok: 200, ids: true, args: async (x) => [x.at.slug, x.own ? await A.fresh.registry() : x.res.registry] },
  [`${SETTINGS}/registries/actions.ts#revealPullSecretAction`]: {
    row: "pull",
    ok: 200,
    ids: true,
    args: (x) => [x.at.slug, x.res.pullable, "dockerconfigjson", {}],
    check: (d) => (JSON.stringify(d).includes("127.0.0.1:9/pull") ? null : "not the registry's pull secret"),
  },
  [`${SETTINGS}/security/actions.ts#setTwoFactorPolicyAction`]: { row: "admin", ok: 200, args: (x) => [x.at.slug, true] },
  [`${SETTINGS}/security/actions.ts#revokeTokensWithoutTwoFactorAction`]: { row: "admin", ok: 200, args: (x) => [x.at.slug] },
  [`${SETTINGS}/tokens/actions.ts#createTokenAction`]: { row: "ownTokens", ok: 200, args: (x) => [x.at.slug, { name: `action ${x.n}`, scopes: ["registries:read"] }] },
  [`${SETTINGS}/tokens/actions.ts#revokeTokenAction`]: { row: "ownTokens", ok: 200, ids: true, args: async (x) => [x.at.slug, x.own ? await A.fresh.token(mine(x)) : x.res.token] },
  // The account's own settings: past authentication, these inputs are refused for what they are.
  "account/actions.ts#changePasswordAction": { row: "account", ok: 400, global: true, args: () => [null, form({ currentPassword: "", newPassword: "" })] },
  "account/actions.ts#signOutSessionAction": { row: "account", ok: 404, global: true, args: () => [NIL_UUID] },
  "account/actions.ts#signOutEverywhereAction": { row: "account", ok: 200, global: true, last: true, args: () => [] },
  // Enrolment stays open under the policy: the one caller without two-factor may begin it.
  "account/two-factor-actions.ts#beginTwoFactorAction": { row: "account", ok: 409, overrides: { noTwoFactor: 200 }, global: true, args: () => [] },
  "account/two-factor-actions.ts#confirmTwoFactorAction": { row: "account", ok: 400, global: true, args: () => ["not a code"] },
  "account/two-factor-actions.ts#disableTwoFactorAction": { row: "account", ok: 400, global: true, args: () => [{ password: "", code: "" }] },
  "companies/actions.ts#createCompanyAction": { row: "account", ok: 400, global: true, args: () => [null, form({ companyName: "" })] },
  "companies/actions.ts#acceptInviteAction": { row: "account", ok: 404, global: true, args: () => [null, form({ token: "not-an-invite" })] },
};

/** Server actions outside the matrix, and why. */
const OUTSIDE_ACTIONS: Record<string, string> = {
  "(auth)/actions.ts#signInAction": "signing in: no caller yet (Auth.js' credentials provider, tested by the sign-in suites)",
  "(auth)/actions.ts#setupAction": "first-run setup: guarded by the one-time setup code, not a session",
  "(auth)/actions.ts#signOutAction": "Auth.js sign-out of whoever calls",
  "(auth)/actions.ts#oidcSignInAction": "signing in with OIDC: no caller yet",
  "(auth)/reset-password/actions.ts#resetPasswordAction": "guarded by the one-time reset link, not a session",
  "companies/actions.ts#registerWithInviteAction": "guarded by the one-time invite link, not a session",
};

// ------------------------------------------------------------------ running cells

interface Outcome {
  target: string; // endpoint or action key
  kind: "endpoint" | "action";
  caller: CallerKey;
  where: "own" | "otherIds" | "otherPath";
  expected: number;
  expectedType: string | null;
  got: number;
  gotType: string | null;
  detail: string;
}
const outcomes: Outcome[] = [];

function expectedOf(spec: { row: RowName; ok: number; overrides?: Partial<Record<CallerKey, number>> }, caller: CallerKey, where: Outcome["where"]) {
  const own = row(spec.row)[caller];
  const cell = where === "own" ? own : where === "otherIds" ? otherIdCell(own) : row("otherPath")[caller];
  if (cell === "ok") return { status: spec.overrides?.[caller] ?? spec.ok, type: null };
  return { status: PROBLEM[cell]!.status, type: PROBLEM[cell]!.type };
}

const WHERES: readonly Outcome["where"][] = ["own", "otherIds", "otherPath"];

function cellsOf(spec: { ids?: boolean; global?: boolean }): { c: Caller; where: Outcome["where"] }[] {
  const wheres = spec.global ? (["own"] as const) : WHERES.filter((w) => w !== "otherIds" || spec.ids);
  return wheres.flatMap((where) => CALLERS.map((key) => ({ c: callers.get(key)!, where })));
}

function circumstances(c: Caller, where: Outcome["where"]): Circumstances {
  return { c, at: where === "otherPath" ? B : A, res: where === "own" ? A : B, own: where === "own", n: seq++ };
}
const whereOf = (x: Circumstances): Outcome["where"] => (x.at === B ? "otherPath" : x.res === B ? "otherIds" : "own");

let handlers: Map<string, RouteHandler>;
let actions: Map<string, ServerAction>;

/** Prepares one cell (creating what it consumes) and returns the call that performs it. */
async function endpointCell(key: string, c: Caller, where: Outcome["where"]): Promise<() => Promise<void>> {
  const spec = ENDPOINTS[key]!;
  const [method, pattern] = key.split(" ") as [string, string];
  const x = circumstances(c, where);
  const { path, body } = await spec.request(x);
  return () => runEndpoint(key, spec, method, pattern, x, path, body);
}

async function runEndpoint(key: string, spec: EndpointSpec, method: string, pattern: string, x: Circumstances, path: string, body: unknown): Promise<void> {
  const { c } = x;
  const where = whereOf(x);
  const want = expectedOf(spec, c.key, where);
  const a: Answer = await rec.send(handlers.get(key)!, method, path, c.auth, paramsOf(pattern, path), body);
  const problem = a.headers.get("content-type")?.startsWith("application/problem+json") ? String(a.body?.type ?? "").replace(/^.*\/problems\//, "") : null;
  let detail = a.status >= 400 ? String(a.body?.detail ?? a.text.slice(0, 200)) : "";
  // A 401 tells the client how to authenticate; a problem answer carries the request id.
  if (a.status === 401 && !/^Bearer/.test(a.headers.get("www-authenticate") ?? "")) detail += " [no WWW-Authenticate: Bearer]";
  if (a.status >= 400 && (problem === null || a.body?.requestId !== a.headers.get("x-request-id"))) detail += " [not a problem+json answer with its request id]";
  const wrong = a.status === want.status && a.status < 400 ? (spec.check?.(a, x) ?? null) : null;
  if (wrong) detail += ` [${wrong}]`;
  outcomes.push({ target: key, kind: "endpoint", caller: c.key, where, expected: want.status, expectedType: want.type, got: a.status, gotType: a.status >= 400 ? problem : null, detail });
}

async function actionCell(key: string, c: Caller, where: Outcome["where"]): Promise<() => Promise<void>> {
  const args = await ACTIONS[key]!.args(circumstances(c, where));
  return () => runAction(key, c, where, args);
}

async function runAction(key: string, c: Caller, where: Outcome["where"], args: unknown[]): Promise<void> {
  const spec = ACTIONS[key]!;
  current.headers = apiRequest("POST", "/", c.auth).headers;
  let got: number;
  let gotType: string | null = null;
  let detail = "";
  try {
    const r = (await actions.get(key)!(...args)) as { ok: boolean; status?: number; error?: string } | null | undefined;
    if (r && r.ok === false) {
      got = r.status ?? 0;
      detail = r.error ?? "";
      gotType = got === 401 ? "unauthenticated" : got === 404 ? "not-found" : got === 403 ? (/two-factor/i.test(detail) ? "two-factor-required" : "forbidden") : null;
    } else {
      got = 200;
      const wrong = spec.check?.((r as { data?: unknown } | null)?.data) ?? null;
      if (wrong) detail = ` [${wrong}]`;
    }
  } catch (err) {
    // redirect() after success (create a company, accept an invite) is Next's control flow, not an error
    const digest = (err as { digest?: unknown }).digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT")) got = 303;
    else {
      got = 500;
      detail = String(err);
    }
  }
  const want = expectedOf(spec, c.key, where);
  outcomes.push({ target: key, kind: "action", caller: c.key, where, expected: want.status, expectedType: want.type, got, gotType: got >= 400 ? gotType : null, detail });
}

const mismatch = (o: Outcome) => o.got !== o.expected || (o.expectedType !== null && o.gotType !== o.expectedType) || o.detail.includes(" [");
const describeOutcome = (o: Outcome) =>
  `${o.target} as ${o.caller} (${o.where}): expected ${o.expected}${o.expectedType ? ` ${o.expectedType}` : ""}, got ${o.got}${o.gotType ? ` ${o.gotType}` : ""} ${o.detail}`.trim();

/**
 * Runs every cell of one endpoint or action: first the cells that must be refused, checking that
 * they changed nothing of company A (the audit log aside), then those that succeed.
 */
async function runAll(kind: "endpoint" | "action", key: string): Promise<Outcome[]> {
  const spec = kind === "endpoint" ? ENDPOINTS[key]! : ACTIONS[key]!;
  const prepare = kind === "endpoint" ? endpointCell : actionCell;
  const cells = cellsOf(spec);
  const granted = (cell: { c: Caller; where: Outcome["where"] }) => expectedOf(spec, cell.c.key, cell.where).status < 400;
  const from = outcomes.length;
  const refused: (() => Promise<void>)[] = [];
  for (const cell of cells.filter((cl) => !granted(cl))) refused.push(await prepare(key, cell.c, cell.where));
  const before = await snapshot(A.id, { audit: false });
  for (const perform of refused) await perform();
  const after = await snapshot(A.id, { audit: false });
  for (const cell of cells.filter(granted)) await (await prepare(key, cell.c, cell.where))();
  if (after !== before) {
    // only possible if a refused cell wrote something: a mismatch of its own
    outcomes.push({ target: key, kind, caller: "anonymous", where: "own", expected: 0, expectedType: null, got: -1, gotType: null, detail: "a refused cell changed company A's rows [changed]" });
  }
  return outcomes.slice(from);
}

// ------------------------------------------------------------------ setup

let bBefore = "";
let limitedOnly = "";
const started = Date.now();

beforeAll(async () => {
  t = await useTestDb();
  const res = await t.db.execute(sql`select table_name from information_schema.columns where column_name = 'company_id' and table_schema = current_schema() order by table_name`);
  companyTables = ((Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as { table_name: string }[]).map((r) => r.table_name);
  const teamA = await seedTeam(t.db);
  const teamB = await seedTeam(t.db);
  A = await scene(teamA, "127.0.0.1:9");
  B = await scene(teamB, "foreign-only.invalid");

  // A requires two-factor; each role user has it, except the one caller who must not.
  for (const u of Object.values(teamA.users)) await enrolTwoFactor(t.db, u.id);
  const noTwoFactor = await teamA.addUser("member");
  await t.db.update(companies).set({ requireTwoFactor: true }).where(eq(companies.id, A.id));

  const owner = teamA.owner.id;
  const tok = async (opts: Parameters<typeof tokenFor>[3]) => tokenFor(t.db, A.id, owner, { name: `matrix ${seq++}`, ...opts });
  const expired = await tok({});
  await spoilToken(t.db, expired.id, "expired");
  const revoked = await tok({});
  await spoilToken(t.db, revoked.id, "revoked");
  const ended = await signedInSession(owner, { db: t.db });
  await t.db.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.id, ended.sessionId));
  limitedOnly = await insertRegistry(A.id, owner, "127.0.0.1:9/limited", "matrix limited");
  const auths: Record<CallerKey, { auth: Auth; userId: string | null }> = {
    owner: { auth: { cookie: teamA.users.owner.cookie }, userId: owner },
    admin: { auth: { cookie: teamA.users.admin.cookie }, userId: teamA.users.admin.id },
    member: { auth: { cookie: teamA.users.member.cookie }, userId: teamA.users.member.id },
    memberMr: { auth: { cookie: teamA.users.memberMr.cookie }, userId: teamA.users.memberMr.id },
    viewer: { auth: { cookie: teamA.users.viewer.cookie }, userId: teamA.users.viewer.id },
    anonymous: { auth: {}, userId: null },
    endedSession: { auth: { cookie: ended.cookie }, userId: null },
    expiredToken: { auth: { token: expired.token }, userId: null },
    revokedToken: { auth: { token: revoked.token }, userId: null },
    unknownToken: { auth: { token: `brt_${randomBytes(32).toString("base64url")}` }, userId: null },
    readToken: { auth: { token: (await tok({ scopes: ["registries:read"] })).token }, userId: null },
    writeToken: { auth: { token: (await tok({ scopes: ["registries:write"] })).token }, userId: null },
    pullToken: { auth: { token: (await tok({ scopes: ["registries:pull"] })).token }, userId: null },
    // the requests come from 127.0.0.1 (the peer apiRequest sets); the allowlist names another loopback address
    outsideCidr: { auth: { token: (await tok({ cidrAllowlist: ["127.0.0.2/32"] })).token }, userId: null },
    noTwoFactor: { auth: { cookie: noTwoFactor.cookie }, userId: noTwoFactor.id },
    limitedToken: { auth: { token: (await tok({ registryIds: [limitedOnly] })).token }, userId: null },
    viewerToken: { auth: { token: (await tokenFor(t.db, A.id, teamA.users.viewer.id, { name: "viewer's" })).token }, userId: null },
    memberMrToken: { auth: { token: (await tokenFor(t.db, A.id, teamA.users.memberMr.id, { name: "memberMr's" })).token }, userId: null },
  };
  for (const key of CALLERS) callers.set(key, { key, ...auths[key] });

  handlers = await routeExports();
  actions = await actionExports();
  bBefore = await snapshot(B.id, { audit: true });
}, 120_000);

afterAll(async () => {
  const cells = outcomes.filter((o) => o.expected !== 0);
  const bad = outcomes.filter(mismatch);
  const byTarget = new Map<string, Outcome[]>();
  for (const o of cells) byTarget.set(o.target, [...(byTarget.get(o.target) ?? []), o]);
  try {
    // a run filtered down to no cell (vitest -t) leaves the last figures alone
    if (cells.length > 0 || bad.length > 0) recordFigures({
      suite: "matrix",
      part: t?.kind ?? "none",
      title: `every route handler export and server action × ${CALLERS.length} callers × own company, another company's ids and another company's path (in-process, ${t?.kind ?? "no database"})`,
      passed: bad.length === 0 && cells.length > 0,
      figures: {
        endpoints: Object.keys(ENDPOINTS).length,
        actions: Object.keys(ACTIONS).length,
        callers: CALLERS.length,
        cells: cells.length,
        mismatches: bad.length,
        database: t?.kind ?? "none",
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
      tables: [
        {
          title: "Cells per endpoint and server action",
          columns: ["endpoint or action", "row", "cells", "mismatches", "statuses seen"],
          rows: [...byTarget].map(([target, os]) => {
            const spec = (ENDPOINTS[target] ?? ACTIONS[target])!;
            const seen = [...new Set(os.map((o) => o.got))].sort().join(" ");
            return [target, spec.row, os.length, os.filter(mismatch).length, seen];
          }),
        },
        { title: "Callers", columns: ["caller", "what it is"], rows: CALLERS.map((c) => [c, CALLER_NOTES[c]]) },
      ],
      notes: [
        `mode ${reliabilityMode()} (the matrix is the same in both modes)`,
        ...bad.slice(0, 50).map(describeOutcome),
      ],
    });
  } finally {
    await t?.close();
  }
});

// ------------------------------------------------------------------ the tests

describe("the table covers the app", () => {
  it("every route handler export is in the matrix or listed outside it, and nothing else is", () => {
    const found = [...handlers.keys()].sort();
    expect(found.filter((k) => !(k in ENDPOINTS) && !(k in OUTSIDE_ROUTES)), "routes missing from the matrix").toEqual([]);
    expect([...Object.keys(ENDPOINTS), ...Object.keys(OUTSIDE_ROUTES)].filter((k) => !handlers.has(k)), "matrix rows naming no route").toEqual([]);
    expect(found.length).toBeGreaterThan(40);
  });

  it("every server action is in the matrix or listed outside it, and nothing else is", () => {
    const found = [...actions.keys()].sort();
    expect(found.filter((k) => !(k in ACTIONS) && !(k in OUTSIDE_ACTIONS)), "actions missing from the matrix").toEqual([]);
    expect([...Object.keys(ACTIONS), ...Object.keys(OUTSIDE_ACTIONS)].filter((k) => !actions.has(k)), "matrix rows naming no action").toEqual([]);
    expect(found.length).toBeGreaterThan(25);
    // an action declared inside a component could not be listed: keep them in "use server" files
    expect(inlineActionFiles()).toEqual([]);
  });
});

/** One request to a route export by its matrix key. */
function send(key: string, auth: Auth, path: string, body?: unknown): Promise<Answer> {
  const [method, pattern] = key.split(" ") as [string, string];
  return rec.send(handlers.get(key)!, method, path, auth, paramsOf(pattern, path), body);
}

describe("cells the table cannot name", () => {
  it("someone else's API token in one's own company is 404 to revoke, by the API and by the action, and keeps working", async () => {
    const theirs = await tokenFor(t.db, A.id, A.team.users.member.id, { name: "not yours", scopes: ["registries:read"] });
    for (const key of ["owner", "admin", "memberMr"] as const) {
      const c = callers.get(key)!;
      expect((await send(`DELETE ${CO}/tokens/[tokenId]`, c.auth, `/api/v1/companies/${A.id}/tokens/${theirs.id}`)).status, key).toBe(404);
      current.headers = apiRequest("POST", "/", c.auth).headers;
      expect(await actions.get(`${SETTINGS}/tokens/actions.ts#revokeTokenAction`)!(A.slug, theirs.id), key).toMatchObject({ ok: false, status: 404 });
      const listed = await send(`GET ${CO}/tokens`, c.auth, `/api/v1/companies/${A.id}/tokens`);
      expect(listed.body.items.map((i: { id: string }) => i.id), key).not.toContain(theirs.id);
    }
    expect((await tokenRow(t.db, theirs.id)).revokedAt).toBeNull();
    expect((await send(`GET ${CO}/registries`, { token: theirs.token }, `/api/v1/companies/${A.id}/registries`)).status).toBe(200);
  });

  it("a member of two companies: a token of one is 404 on the other's path; a session acts with each company's own role", async () => {
    const C = await seedTeam(t.db);
    const both = await A.team.addUser("admin");
    await enrolTwoFactor(t.db, both.id);
    await t.db.insert(memberships).values({ companyId: C.company.id, userId: both.id, role: "viewer" });
    const { token } = await tokenFor(t.db, A.id, both.id, { name: "A only" });
    const list = `GET ${CO}/registries`;
    const create = `POST ${CO}/registries`;
    const onA = `/api/v1/companies/${A.id}/registries`;
    const onC = `/api/v1/companies/${C.company.id}/registries`;
    expect((await send(list, { token }, onA)).status).toBe(200);
    expect((await send(list, { token }, onC)).status).toBe(404);
    expect((await send(create, { token }, onC, registryBody(seq++))).status).toBe(404);
    expect((await send(create, { cookie: both.cookie }, onA, registryBody(seq++))).status).toBe(201);
    expect((await send(list, { cookie: both.cookie }, onC)).status).toBe(200);
    expect((await send(create, { cookie: both.cookie }, onC, registryBody(seq++))).status).toBe(403);
    expect(await t.db.$count(registries, eq(registries.companyId, C.company.id))).toBe(0);
  });

  it("a token limited to one registry reads, resolves and lists that one", async () => {
    const auth = callers.get("limitedToken")!.auth;
    const base = `/api/v1/companies/${A.id}/registries`;
    const got = await send(`GET ${CO}/registries/[id]`, auth, `${base}/${limitedOnly}`);
    expect([got.status, got.body?.id]).toEqual([200, limitedOnly]);
    expect((await send(`GET ${CO}/registries/[id]/checks`, auth, `${base}/${limitedOnly}/checks`)).status).toBe(200);
    expect((await send(`GET ${CO}/registries/[id]/uses`, auth, `${base}/${limitedOnly}/uses`)).status).toBe(200);
    const resolved = await send(`POST ${CO}/registries/resolve`, auth, `${base}/resolve`, { image: "127.0.0.1:9/limited/app:1" });
    expect([resolved.status, resolved.body?.registry?.id]).toEqual([200, limitedOnly]);
  });
});

describe("every endpoint × caller × company", () => {
  for (const key of Object.keys(ENDPOINTS)) {
    it(key, async () => {
      const os = await runAll("endpoint", key);
      expect(os.length).toBeGreaterThanOrEqual(CALLERS.length);
      expect(os.filter(mismatch).map(describeOutcome)).toEqual([]);
    });
  }
});

describe("every server action × caller × company", () => {
  const order = [...Object.keys(ACTIONS).filter((k) => !ACTIONS[k]!.last), ...Object.keys(ACTIONS).filter((k) => ACTIONS[k]!.last)];
  for (const key of order) {
    it(key, async () => {
      const os = await runAll("action", key);
      expect(os.length).toBeGreaterThanOrEqual(CALLERS.length);
      expect(os.filter(mismatch).map(describeOutcome)).toEqual([]);
    });
  }
});

describe("afterwards", () => {
  it("nothing of the other company changed, its audit log included", async () => {
    expect(await snapshot(B.id, { audit: true })).toBe(bBefore);
    // and the invites made for its revoke cells are still pending
    const pending = await t.db.select().from(invites).where(eq(invites.companyId, B.id));
    expect(pending.every((i) => i.revokedAt === null)).toBe(true);
  });

  it("no answer carried a secret sent in a request", () => {
    rec.assertNoSecretLeaked(500, 5);
  });

  it("every cell ran", () => {
    expect(outcomes.filter((o) => o.expected !== 0).length).toBeGreaterThan(1500);
  });
});
