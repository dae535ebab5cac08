/**
 * Cross-origin and non-JSON refusal, table-driven over every state-changing export of every
 * `app/**\/route.ts` (the files are enumerated, so a new route cannot be left out of the table):
 * a session-cookie request × {no Origin, foreign Origin, `Origin: null`, same Origin,
 * same Origin but `Sec-Fetch-Site: cross-site`} × {JSON, text/plain, form, multipart, no body}.
 * Every refusal has its exact status (403, then 415) and no effect: a fingerprint of every table
 * of the database is the same after it. The allowed cells reach the handler (ghost ids, `{}`
 * bodies: the handler's own exact answer).
 */
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/db";
import { createWebhook } from "@/lib/notifications/webhooks";
import { contextFor, seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { TEST_ORIGIN } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { recordFigures } from "@/e2e/support/figures";
import { isRefusalHandler } from "@/lib/http";

const ROOT = path.resolve(__dirname, "..");
const STATE_CHANGING = ["POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof STATE_CHANGING)[number];

/** Every route file under app/, relative to the repository root. */
function routeFiles(dir = path.join(ROOT, "app")): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...routeFiles(full));
    else if (/^route\.(ts|tsx|js|mjs)$/.test(entry.name)) out.push(path.relative(ROOT, full));
  }
  return out.sort();
}

/**
 * What the handler itself answers once past the guards, for a same-origin session request of
 * the owner with ghost ids: with `{}` as JSON, and with no body at all. Auth.js' own handler is
 * not behind the route wrapper (its CSRF token and the proxy's Origin check guard it; see
 * e2e/reliability/hardening.spec.ts), so it is listed apart.
 */
const ALLOWED: Record<string, { json: number; none: number }> = {
  "app/api/[companyId]/containerRegistryConfig/[id]/route.ts DELETE": { json: 404, none: 404 },
  "app/api/[companyId]/containerRegistryConfig/[id]/route.ts PATCH": { json: 404, none: 415 },
  "app/api/[companyId]/containerRegistryConfig/[id]/route.ts PUT": { json: 400, none: 415 },
  "app/api/[companyId]/containerRegistryConfig/route.ts POST": { json: 400, none: 415 },
  "app/api/[companyId]/containerRegistryConfig/validate/route.ts POST": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/health-checks/route.ts PATCH": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/invites/route.ts POST": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/members/[userId]/route.ts DELETE": { json: 404, none: 404 },
  "app/api/v1/companies/[companyId]/members/[userId]/route.ts PATCH": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/registries/[id]/route.ts DELETE": { json: 404, none: 404 },
  "app/api/v1/companies/[companyId]/registries/[id]/route.ts PATCH": { json: 404, none: 415 },
  "app/api/v1/companies/[companyId]/registries/[id]/route.ts PUT": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/registries/[id]/test/route.ts POST": { json: 404, none: 404 },
  "app/api/v1/companies/[companyId]/registries/import/route.ts POST": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/registries/pull-secret/route.ts POST": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/registries/resolve/route.ts POST": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/registries/route.ts POST": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/registries/validate/route.ts POST": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/tokens/[tokenId]/route.ts DELETE": { json: 404, none: 404 },
  "app/api/v1/companies/[companyId]/tokens/route.ts POST": { json: 400, none: 415 },
  "app/api/v1/companies/[companyId]/webhooks/[id]/route.ts DELETE": { json: 404, none: 404 },
  "app/api/v1/companies/[companyId]/webhooks/[id]/route.ts PATCH": { json: 404, none: 415 },
  "app/api/v1/companies/[companyId]/webhooks/[id]/test/route.ts POST": { json: 404, none: 404 },
  "app/api/v1/companies/[companyId]/webhooks/route.ts POST": { json: 400, none: 415 },
};
const OUTSIDE_THE_WRAPPER = new Set(["app/api/auth/[...nextauth]/route.ts POST"]);

const ORIGINS = {
  none: { origin: null },
  foreign: { origin: "http://attacker.invalid" },
  null: { origin: "null" },
  same: { origin: TEST_ORIGIN },
  sameButCrossSite: { origin: TEST_ORIGIN, fetchSite: "cross-site" },
} as const satisfies Record<string, { origin: string | null; fetchSite?: string }>;
type OriginCase = keyof typeof ORIGINS;

const BODIES = ["json", "text", "form", "multipart", "none"] as const;
type BodyCase = (typeof BODIES)[number];

function bodyOf(kind: BodyCase): { body?: BodyInit; type?: string } {
  switch (kind) {
    case "json":
      return { body: "{}", type: "application/json" };
    case "text":
      // What a cross-site <form enctype="text/plain"> sends: JSON-looking, but not declared JSON.
      return { body: '{"name":"csrf","x":"="}', type: "text/plain" };
    case "form":
      return { body: "name=csrf&isActive=false", type: "application/x-www-form-urlencoded" };
    case "multipart": {
      const form = new FormData();
      form.set("name", "csrf");
      return { body: form }; // the Request sets multipart/form-data with its boundary
    }
    case "none":
      return {};
  }
}

type Handler = (req: NextRequest, seg: { params: Promise<Record<string, string>> }) => Promise<Response>;

let t: TestDb;
let team: Team;
let real: Record<string, string>;
const ghost = { id: crypto.randomUUID(), webhookId: crypto.randomUUID(), userId: crypto.randomUUID(), tokenId: crypto.randomUUID() };

/** The request path and params of a route file, for the given segment values. */
function target(file: string, values: Record<string, string>): { url: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const segments = file
    .replace(/^app/, "")
    .replace(/\/route\.\w+$/, "")
    .split("/")
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .map((s) => {
      const m = /^\[(\w+)\]$/.exec(s);
      if (!m) return s;
      const value = values[m[1]!];
      if (!value) throw new Error(`no value for [${m[1]}] of ${file}`);
      params[m[1]!] = value;
      return value;
    });
  return { url: `/${segments.join("/")}`, params };
}

function request(method: Method, url: string, cookie: string, originCase: OriginCase, bodyCase: BodyCase): NextRequest {
  const o: { origin: string | null; fetchSite?: string } = ORIGINS[originCase];
  const headers = new Headers({ host: "localhost:3000", "x-berth-peer": "127.0.0.1", cookie });
  if (o.origin !== null) headers.set("origin", o.origin);
  if (o.fetchSite) headers.set("sec-fetch-site", o.fetchSite);
  const { body, type } = bodyOf(bodyCase);
  if (type) headers.set("content-type", type);
  // NextRequest as Next builds it; the import is lazy so the module graph matches the handlers'.
  return new NextRequestCtor(new URL(url, TEST_ORIGIN), { method, headers, body }) as NextRequest;
}
let NextRequestCtor: typeof import("next/server").NextRequest;

/** Every row of every table, as one hash per table: an effect of any kind changes one of them. */
async function fingerprint(): Promise<Record<string, string>> {
  const tables = rowsOf<{ table_name: string }>(
    await t.db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`),
  ).map((r) => r.table_name);
  const parts = tables.map((name) => `select '${name}' as t, count(*)::text || ':' || md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${name}" x`);
  const rows = rowsOf<{ t: string; h: string }>(await t.db.execute(sql.raw(parts.join(" union all "))));
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
}

interface Exported {
  key: string;
  file: string;
  method: Method;
  handler: Handler;
}
const exported: Exported[] = [];
const cells: { kind: "refused" | "allowed"; key: string; origin: OriginCase; body: BodyCase; expected: number; got: number; effect: boolean }[] = [];

beforeAll(async () => {
  ({ NextRequest: NextRequestCtor } = await import("next/server"));
  t = await useTestDb();
  team = await seedTeam(t.db);
  const ownerCtx = await contextFor(team.company.id, { cookie: team.users.owner.cookie });
  const { createRegistry } = await import("@/lib/registries/service");
  // Loopback only: a refusal that failed would otherwise send traffic somewhere.
  const registry = await createRegistry(ownerCtx, { name: "csrf target", type: "custom", credentials: { url: "127.0.0.1:9", username: "deploy", password: "csrf-target-password" } });
  const { webhook } = await createWebhook(ownerCtx, { url: "http://127.0.0.1:9/hook", events: ["registry.created"] });
  const token = await tokenFor(t.db, team.company.id, team.users.owner.id, { name: "csrf target" });
  real = { companyId: team.company.id, id: registry.id, webhookId: webhook.id, userId: team.users.viewer.id, tokenId: token.id };
  for (const file of routeFiles()) {
    const mod = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    for (const method of STATE_CHANGING) {
      // A method the route does not serve answers 405 and touches nothing (lib/http.ts otherMethods).
      if (typeof mod[method] === "function" && !isRefusalHandler(mod[method])) exported.push({ key: `${file} ${method}`, file, method, handler: mod[method] as Handler });
    }
  }
});

afterAll(async () => {
  const refused = cells.filter((c) => c.kind === "refused");
  recordFigures({
    suite: "hardening",
    part: "routes",
    title: "cross-origin and non-JSON refusal over every state-changing route handler export (session cookie)",
    passed: cells.length > 0 && cells.every((c) => c.got === c.expected && !c.effect),
    figures: {
    stateChangingExports: exported.length,
    wrapped: exported.filter((e) => !OUTSIDE_THE_WRAPPER.has(e.key)).length,
    cells: cells.length,
    allowedCells: cells.length - refused.length,
    refusalsExpected: refused.length,
    refusalsSeen: refused.filter((c) => c.got === c.expected).length,
    refusalsWithEffect: refused.filter((c) => c.effect).length,
    mismatches: cells.filter((c) => c.got !== c.expected).length,
    },
    notes: [`origins: ${Object.keys(ORIGINS).join(", ")}; bodies: ${BODIES.join(", ")}`],
  });
  await t?.close();
});

/** `[id]` is a registry's id, except under webhooks/. */
function valuesFor(file: string, ids: Record<string, string>): Record<string, string> {
  return file.includes("/webhooks/[id]") ? { ...ids, id: ids.webhookId! } : ids;
}

describe("every state-changing route handler refuses cross-origin and non-JSON requests", () => {
  it("the table names exactly the state-changing exports of app/**/route.ts", () => {
    expect(exported.length).toBeGreaterThan(20);
    expect(exported.map((e) => e.key).sort()).toEqual([...Object.keys(ALLOWED), ...OUTSIDE_THE_WRAPPER].sort());
  });

  it("refusals: exact status, problem+json, and no effect on any table", async () => {
    const cookie = team.users.owner.cookie;
    const failures: string[] = [];
    for (const e of exported.filter((x) => !OUTSIDE_THE_WRAPPER.has(x.key))) {
      const { url, params } = target(e.file, valuesFor(e.file, real));
      for (const origin of Object.keys(ORIGINS) as OriginCase[]) {
        for (const body of BODIES) {
          const expected = origin !== "same" ? 403 : body === "json" || body === "none" ? null : 415;
          if (expected === null) continue;
          const before = await fingerprint();
          const res = await e.handler(request(e.method, url, cookie, origin, body), { params: Promise.resolve(params) });
          const after = await fingerprint();
          const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
          cells.push({ kind: "refused", key: e.key, origin, body, expected, got: res.status, effect: changed.length > 0 });
          const type = res.headers.get("content-type") ?? "";
          if (res.status !== expected || !type.startsWith("application/problem+json") || changed.length > 0) {
            failures.push(`${e.key} origin=${origin} body=${body}: ${res.status} (${type}) want ${expected}${changed.length ? `; changed ${changed.join(", ")}` : ""}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("allowed: a same-origin JSON (or bodiless) request reaches the handler", async () => {
    const cookie = team.users.owner.cookie;
    const failures: string[] = [];
    for (const e of exported.filter((x) => !OUTSIDE_THE_WRAPPER.has(x.key))) {
      const { url, params } = target(e.file, valuesFor(e.file, { companyId: team.company.id, ...ghost }));
      for (const body of ["json", "none"] as const) {
        const expected = ALLOWED[e.key]![body];
        const res = await e.handler(request(e.method, url, cookie, "same", body), { params: Promise.resolve(params) });
        cells.push({ kind: "allowed", key: e.key, origin: "same", body, expected, got: res.status, effect: false });
        if (res.status !== expected) failures.push(`${e.key} body=${body}: ${res.status} want ${expected}: ${await res.text()}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("a bearer token is not a cross-site risk, but its bodies must be JSON too", async () => {
    const { token } = await tokenFor(t.db, team.company.id, team.users.owner.id, { name: "api client" });
    const e = exported.find((x) => x.key === "app/api/v1/companies/[companyId]/registries/route.ts POST")!;
    const { url, params } = target(e.file, { companyId: team.company.id });
    const send = (type: string, origin?: string) =>
      e.handler(
        new NextRequestCtor(new URL(url, TEST_ORIGIN), {
          method: "POST",
          headers: { host: "localhost:3000", "x-berth-peer": "127.0.0.1", authorization: `Bearer ${token}`, "content-type": type, ...(origin ? { origin } : {}) },
          body: "{}",
        }) as NextRequest,
        { params: Promise.resolve(params) },
      );
    expect((await send("application/json")).status).toBe(400);
    expect((await send("application/json", "http://attacker.invalid")).status).toBe(400);
    expect((await send("text/plain")).status).toBe(415);
    expect((await send("application/x-www-form-urlencoded")).status).toBe(415);
  });
});
