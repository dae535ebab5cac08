import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import { spawnSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import { expect, request as playwrightRequest, test } from "@playwright/test";
import fc from "fast-check";
import { SCOPE_VALUES } from "@/lib/auth/schemas";
import { freshDatabase } from "../support/database";
import { assertOutboundSafe, SAFE_IMAGES, safeUrl, sanitize, URLISH } from "../support/outbound-safety";
import { recordFigures, reliabilityMode } from "../support/figures";
import { startBerth, type BerthServer } from "../support/server";
import { ADMIN, bootstrapOwner } from "../support/session";

/**
 * Suite 4 of issue 16: generated requests against every endpoint of the production build.
 * Pass: no answer ≥ 500, none slower than 5 s, the server alive (ready, same process) at the end,
 * and every 4xx under /api and /downloads a problem+json whose type, title and status agree
 * (400s for a bad body field name the field). The endpoint list comes from the OpenAPI document the
 * app serves plus the routes outside it, and must equal the app's route files.
 *
 * Short (npm test): 200 cases; full (BERTH_RELIABILITY=full): 2 000. BERTH_FUZZ_SEED replays a run
 * (the seed is printed and recorded), BERTH_FUZZ_CASES overrides the count.
 *
 * Outbound traffic: URL values are only ever 127.0.0.0/8 or `.invalid` names (safeUrl), every
 * other generated string is stripped of anything host-like (sanitize), the registry types are
 * those whose host the body names (no provider default host), the job runner is off and the ECR
 * endpoint is a closed loopback port. assertOutboundSafe checks every generated case.
 */

const ROOT = path.resolve(__dirname, "../..");
const MODE = reliabilityMode();
const CASES = Number(process.env.BERTH_FUZZ_CASES) || (MODE === "full" ? 2000 : 200);
const SEED = process.env.BERTH_FUZZ_SEED ? Number(process.env.BERTH_FUZZ_SEED) : Number.parseInt(randomBytes(4).toString("hex"), 16) >>> 1;
const SLOW_MS = 5000;
const CLIENT_TIMEOUT_MS = 15_000;
const CONCURRENCY = 4;
const PROBLEM_BASE = "https://berth.dev/problems/";
/** Registry types whose host comes from the body (no provider default host to reach). */
const SAFE_TYPES = ["custom", "harbor", "artifactory"];
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

// ---------------------------------------------------------------------------------------------
// Payload generators.

const lone = fc.constantFrom("\ud800", "\udfff", "a\ud83d", "\ud83dz", "\udc00\ud800");
const controls = fc.array(fc.integer({ min: 0, max: 0x1f }), { minLength: 1, maxLength: 8 }).map((cs) => String.fromCharCode(...cs));
const nasty = fc.constantFrom(
  "' OR '1'='1",
  "'; DROP TABLE registries; --",
  "\" OR 1=1 --",
  "1; SELECT pg_sleep(10); --",
  "$$; select 1; $$",
  "\\x00",
  "<script>alert(1)</script>",
  "\"><img src=x onerror=alert(1)>",
  "javascript:alert(1)",
  "{{7*7}}",
  "${jndi:ldap://x.invalid/a}",
  "%00",
  "../../../../etc/passwd",
  "\u202e\u0000\u2028\u2029",
  "\ufeff",
  "ﷺ🦀\u{10ffff}",
  "NaN",
  "__proto__",
  "constructor",
);
const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  lone,
  controls,
  nasty,
  fc.constant("\u0000"),
  fc.constant(""),
  fc.constant(" ".repeat(5000)),
  fc.integer({ min: 1, max: 1024 * 1024 }).map((n) => "x".repeat(n)),
  fc.integer({ min: 100, max: 70_000 }).map((n) => "\t \n".repeat(n)),
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant(1e308),
  fc.constant(-0),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
);
const deep = (n: number, kind: "array" | "object") => (kind === "array" ? "[".repeat(n) + "]".repeat(n) : '{"a":'.repeat(n) + "1" + "}".repeat(n));

// ---------------------------------------------------------------------------------------------
// A JSON-Schema sampler for the OpenAPI request bodies (enough of 2020-12 for Berth's schemas).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function sampler(doc: Json) {
  const resolve = (s: Json): Json => {
    let cur = s;
    for (let i = 0; cur && cur.$ref && i < 20; i++) cur = cur.$ref.replace("#/", "").split("/").reduce((o: Json, k: string) => o?.[k.replace(/~1/g, "/")], doc);
    return cur ?? {};
  };
  const branchAllowed = (b: Json) => {
    const t = resolve(b)?.properties?.type;
    const values: string[] = t?.const !== undefined ? [t.const] : (t?.enum ?? []);
    return values.length === 0 || values.some((v) => SAFE_TYPES.includes(v));
  };
  const sample = (s0: Json, key: string, depth: number): Json => {
    const s = resolve(s0);
    if (depth > 6) return null;
    if (s.const !== undefined) return s.const;
    if (s.enum) return key === "type" ? (s.enum.find((v: string) => SAFE_TYPES.includes(v)) ?? s.enum[0]) : s.enum[0];
    for (const k of ["oneOf", "anyOf"]) {
      if (Array.isArray(s[k])) {
        const ok = s[k].filter(branchAllowed);
        return sample(ok[0] ?? s[k][0], key, depth + 1);
      }
    }
    if (Array.isArray(s.allOf)) return Object.assign({}, ...s.allOf.map((x: Json) => sample(x, key, depth + 1)));
    const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== "null") : s.type;
    if (type === "object" || s.properties) {
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries<Json>(s.properties ?? {})) {
        if (k === "type" && v.enum) out[k] = v.enum.find((x: string) => SAFE_TYPES.includes(x)) ?? v.enum[0];
        else out[k] = sample(v, k, depth + 1);
      }
      return out;
    }
    if (type === "array") return [sample(s.items ?? {}, key, depth + 1)];
    if (type === "integer" || type === "number") return s.minimum ?? 1;
    if (type === "boolean") return false;
    if (type === "string") {
      if (/^image/i.test(key)) return "team/app";
      if (URLISH.test(key)) return "http://127.0.0.1:9";
      if (s.format === "uuid") return randomUUID();
      if (s.format === "email" || /email/i.test(key)) return "fuzz@example.invalid";
      if (/image/i.test(key)) return "team/app";
      if (/cidr|allow/i.test(key)) return "127.0.0.0/8";
      const min = s.minLength ?? 1;
      return "fuzz".padEnd(Math.max(min, 4), "z").slice(0, s.maxLength ?? 64);
    }
    return "fuzz";
  };
  /** Dotted paths of a sample's leaves and objects, for field mutations. */
  const pathsOf = (v: Json, at: string[] = []): string[][] => {
    if (v && typeof v === "object" && !Array.isArray(v)) return [...(at.length ? [at] : []), ...Object.entries(v).flatMap(([k, x]) => pathsOf(x, [...at, k]))];
    return at.length ? [at] : [];
  };
  return { sample: (s: Json) => sample(s, "", 0), pathsOf, resolve };
}

// ---------------------------------------------------------------------------------------------
// Endpoints.

interface Endpoint {
  /** `/api/v1/companies/{companyId}/registries/{id}` */
  template: string;
  source: "openapi" | "extra" | "page";
  methods: string[];
  bodies: Record<string, Json>;
  query: Record<string, string[]>;
}

/** Routes outside the OpenAPI document, with the methods they serve. */
const EXTRA_ROUTES: { template: string; methods: string[] }[] = [
  { template: "/api", methods: [] },
  { template: "/api/{companyId}/{...rest}", methods: [] },
  { template: "/api/health", methods: ["GET"] },
  { template: "/api/ready", methods: ["GET"] },
  { template: "/api/metrics", methods: ["GET"] },
  { template: "/api/v1/openapi.json", methods: ["GET"] },
  { template: "/api/auth/{...nextauth}", methods: ["GET", "POST"] },
  { template: "/downloads/docker-credential-berth", methods: ["GET", "HEAD"] },
  { template: "/downloads/berth-credential-provider", methods: ["GET", "HEAD"] },
  { template: "/downloads/{...rest}", methods: [] },
];
const AUTH_ACTIONS = ["csrf", "session", "providers", "signin", "signout", "callback/credentials", "error", "signin/credentials", "callback/oidc", "verify-request", "nope", ""];

/** `app/**​/route.ts` as templates with parameters normalised to `{}` and catch-alls to `{*}`. */
function routeTemplates(): string[] {
  const out: string[] = [];
  const walk = (dir: string, segs: string[]) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name), /^\(.*\)$/.test(e.name) ? segs : [...segs, e.name]);
      else if (e.name === "route.ts") out.push(normalise("/" + segs.join("/")));
    }
  };
  walk(path.join(ROOT, "app"), []);
  return out.sort();
}
function normalise(t: string): string {
  return t.replace(/\[\[?\.\.\.[^\]]+\]\]?|\{\.\.\.[^}]+\}/g, "{*}").replace(/\[[^\]]+\]|\{[^}*]+\}/g, "{}");
}
function pageTemplates(): string[] {
  const out: string[] = [];
  const walk = (dir: string, segs: string[]) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name), /^\(.*\)$/.test(e.name) ? segs : [...segs, e.name]);
      else if (e.name === "page.tsx") out.push("/" + segs.join("/"));
    }
  };
  walk(path.join(ROOT, "app"), []);
  return out.map((p) => p.replace(/\[([^\]]+)\]/g, "{$1}")).sort();
}

// ---------------------------------------------------------------------------------------------
// Cases.

type Auth = "cookie" | "cookie-cross-site" | "bearer" | "bearer-foreign" | "bearer-junk" | "basic" | "none";
type BodyKind = "none" | "valid" | "field" | "malformed" | "truncated" | "deep" | "huge" | "scalar" | "binary";

interface Case {
  n: number;
  endpoint: Endpoint;
  method: string;
  path: string;
  auth: Auth;
  bodyKind: BodyKind;
  field?: string;
  body?: string | Buffer;
  contentType?: string;
  headers: Record<string, string>;
  raw?: RawTrick;
}
type RawTrick = "dup-content-type" | "cl-short" | "cl-long" | "cl-bad" | "te-and-cl" | "bad-chunk" | "nul-header" | "huge-header" | "dup-auth" | "http10" | "absolute-uri" | "bad-method" | "charset-utf16" | "bad-utf8";

interface World {
  url: string;
  companyId: string;
  foreignCompanyId: string;
  registryId: string;
  foreignRegistryId: string;
  webhookId: string;
  tokenId: string;
  ownerId: string;
  foreignOwnerId: string;
  token: string;
  foreignToken: string;
  cookie: string;
}

function paramValues(w: World, name: string, template: string): fc.Arbitrary<string> {
  const own: Record<string, string> = { companyId: w.companyId, id: template.includes("/webhooks/") ? w.webhookId : w.registryId, userId: w.ownerId, tokenId: w.tokenId, company: ADMIN.slug };
  const foreign: Record<string, string> = { companyId: w.foreignCompanyId, id: w.foreignRegistryId, userId: w.foreignOwnerId, tokenId: randomUUID(), company: "other" };
  const junk = fc.constantFrom(
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "..",
    "%2e%2e",
    "%00",
    "%2F",
    "%252e",
    "' OR 1=1--",
    "%3Cscript%3E",
    "%F0%9F%A6%80",
    "%ED%A0%80",
    "%C0%AF",
    "a".repeat(5000),
    "-1",
    "1e999",
    "null",
    "undefined",
    "__proto__",
  );
  return fc.oneof(
    { arbitrary: fc.constant(own[name] || randomUUID()), weight: 6 },
    { arbitrary: fc.constant(foreign[name] ?? randomUUID()), weight: 2 },
    { arbitrary: fc.uuid().map((u) => u), weight: 1 },
    { arbitrary: fc.constant((own[name] || randomUUID()).toUpperCase()), weight: 1 },
    { arbitrary: junk, weight: 3 },
  );
}

const pathTrick = fc.oneof(
  { arbitrary: fc.constant((p: string) => p), weight: 10 },
  { arbitrary: fc.constant((p: string) => p + "/"), weight: 1 },
  { arbitrary: fc.constant((p: string) => p.replace(/\//g, "//")), weight: 1 },
  { arbitrary: fc.constant((p: string) => "/" + p), weight: 1 },
  { arbitrary: fc.constant((p: string) => p + "/.."), weight: 1 },
  { arbitrary: fc.constant((p: string) => p + "/%2e%2e/%2e%2e"), weight: 1 },
  { arbitrary: fc.constant((p: string) => p + "%00"), weight: 1 },
  { arbitrary: fc.constant((p: string) => p + ";x=1"), weight: 1 },
  { arbitrary: fc.constant((p: string) => p + "/" + "x".repeat(6000)), weight: 1 },
  { arbitrary: fc.constant((p: string) => p.replace("/api/", "/api/./")), weight: 1 },
  { arbitrary: fc.constant((p: string) => p.replace("/api/", "/API/")), weight: 1 },
  { arbitrary: fc.constant((p: string) => p + "/extra/segments"), weight: 1 },
);

function queryArb(ep: Endpoint): fc.Arbitrary<string> {
  const names = Object.keys(ep.query);
  const known = names.length ? fc.constantFrom(...names) : fc.constant("limit");
  const value = fc.oneof(
    fc.constantFrom("1", "0", "-1", "100", "101", "1e3", "abc", "", "%", "%zz", "%00", "%ED%A0%80", "null", "[]", "true", "9".repeat(400), "x".repeat(3000)),
    ...(names.length ? [fc.constantFrom(...Object.values(ep.query).flat(), "").map((v) => encodePart(sanitize(v)))] : []),
    fc.string({ maxLength: 20 }).map((s) => encodePart(sanitize(s))),
  );
  const pair = fc.tuple(fc.oneof(known, fc.constantFrom("cursor", "limit", "q", "a[b]", "__proto__", "%00", "", "since", "until")), value).map(([k, v]) => `${k}=${v}`);
  return fc.oneof({ arbitrary: fc.constant(""), weight: 3 }, { arbitrary: fc.array(pair, { minLength: 1, maxLength: 4 }).map((ps) => "?" + ps.join("&")), weight: 2 }, fc.constantFrom("?", "?&&", "?=x", "?limit=1&limit=2", "?" + "a=1&".repeat(500)));
}

function setAt(obj: Json, at: string[], value: Json): Json {
  const copy = structuredClone(obj);
  let cur = copy;
  for (const k of at.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== "object") cur[k] = {};
    cur = cur[k];
  }
  if (value === undefined) delete cur[at[at.length - 1]!];
  else cur[at[at.length - 1]!] = value;
  return copy;
}

/** Every string and key through sanitize, URL-ish fields a safe URL or a sanitized string. */
function sanitizeJson(v: Json): Json {
  if (typeof v === "string") return sanitize(v);
  if (Array.isArray(v)) return v.map(sanitizeJson);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [sanitize(k), sanitizeJson(x)]));
  return v;
}

function caseArb(w: World, endpoints: Endpoint[], s: ReturnType<typeof sampler>): fc.Arbitrary<Omit<Case, "n">> {
  return fc.constantFrom(...endpoints).chain((ep) => {
    const params = [...ep.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const paramArbs = params.map((p) =>
      p === "...rest" ? fc.constantFrom("nope", "v2/x", "registries", "x/y/z/" + "q".repeat(200), "%2e%2e/v1/me", "..%2f..%2f", "%00", ".env", "_next/static/x") : p === "...nextauth" ? fc.constantFrom(...AUTH_ACTIONS) : paramValues(w, p, ep.template),
    );
    const methodArb = fc.oneof(
      { arbitrary: ep.methods.length ? fc.constantFrom(...ep.methods) : fc.constantFrom(...METHODS), weight: 5 },
      { arbitrary: fc.constantFrom(...METHODS), weight: 1 },
    );
    return fc.record({
      ep: fc.constant(ep),
      values: fc.tuple(...paramArbs.map((a) => a as fc.Arbitrary<string>), fc.constant("")),
      trick: pathTrick,
      query: queryArb(ep),
      method: methodArb,
      auth: fc.oneof(
        { arbitrary: fc.constantFrom<Auth>("bearer", "cookie"), weight: 8 },
        { arbitrary: fc.constantFrom<Auth>("none", "cookie-cross-site", "bearer-foreign", "bearer-junk", "basic"), weight: 3 },
      ),
      bodyKind: fc.oneof(
        { arbitrary: fc.constantFrom<BodyKind>("valid", "field"), weight: 6 },
        { arbitrary: fc.constantFrom<BodyKind>("none", "malformed", "truncated", "deep", "huge", "scalar", "binary"), weight: 4 },
      ),
      fieldPick: fc.nat(),
      fieldValue: fc.oneof({ arbitrary: weirdString, weight: 3 }, { arbitrary: wrongType, weight: 2 }, { arbitrary: safeUrl, weight: 1 }, fc.constant(undefined)),
      safeUrl,
      cut: fc.double({ min: 0, max: 1, noNaN: true }),
      deepKind: fc.constantFrom<"array" | "object">("array", "object"),
      deepN: fc.constantFrom(65, 1000, 10_000, 40_000),
      scalar: fc.constantFrom("null", "[]", '"x"', "1", "true", "{}", "\ufeff{}", "{\"a\":1,\"a\":2}", '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', " ", "\n\n"),
      malformed: fc.oneof(fc.constantFrom("{", "}", "{'a':1}", "{a:1}", "[1,]", '{"a":1,}', "NaN", "undefined", "{\"a\":\"\\u12\"}", '{"a":"\\ud800"}', "\u0000", "{\"a\":1}{}", "0x10", "1e99999"), fc.string({ maxLength: 60 }).map(sanitize)),
      contentType: fc.oneof(
        { arbitrary: fc.constant("application/json"), weight: 8 },
        {
          arbitrary: fc.constantFrom(
            "application/json; charset=utf-8",
            "application/json; charset=latin1",
            "APPLICATION/JSON",
            "application/merge-patch+json",
            "application/vnd.berth+json; v=1",
            "text/plain",
            "text/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
            "",
            "application/json, text/html",
            "*/*",
          ),
          weight: 3,
        },
      ),
      extraHeaders: fc.oneof(
        { arbitrary: fc.constant({} as Record<string, string>), weight: 6 },
        fc.constantFrom<Record<string, string>>(
          { "If-Match": '"junk"' },
          { "If-Match": "*" },
          { "If-Match": "W/\"1\", \"2\"" },
          { "If-None-Match": "*" },
          { "X-Request-Id": "'; drop table x; --" },
          { "X-Request-Id": "a".repeat(2000) },
          { "X-Forwarded-For": "not-an-ip, 999.1.1.1, ::ffff:zz" },
          { "X-Forwarded-Host": "evil.invalid" },
          { "X-Forwarded-Proto": "gopher" },
          { Accept: "text/html" },
          { Accept: "application/x-nonsense;q=abc" },
          { "Accept-Encoding": "gzip;q=2, br, zstd, x" },
          { Range: "bytes=0-1,5-" },
          { "X-Fuzz": "v".repeat(8000) },
          { Cookie: "authjs.session-token=" + "A".repeat(3000) },
          { Cookie: "a=b; ; ;=; __Host-x=1" },
          { Origin: "null" },
          { "Next-Action": "0".repeat(40) },
          { "Next-Router-State-Tree": "%7B%7D" },
          { RSC: "1" },
          { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
          { "x-nextjs-data": "1" },
          { "x-invoke-path": "/api/v1/me" },
        ),
      ),
      raw: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 8 },
        {
          arbitrary: fc.constantFrom<RawTrick>("dup-content-type", "cl-short", "cl-long", "cl-bad", "te-and-cl", "bad-chunk", "nul-header", "huge-header", "dup-auth", "http10", "absolute-uri", "bad-method", "charset-utf16", "bad-utf8"),
          weight: 2,
        },
      ),
    });
  }).map((r) => {
    const ep = r.ep;
    let p = ep.template;
    const params = [...ep.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    params.forEach((name, i) => (p = p.replace(`{${name}}`, r.values[i]!)));
    const fullPath = r.trick(p) + r.query;
    const schema = ep.bodies[r.method] ?? Object.values(ep.bodies)[0];
    let body: string | Buffer | undefined;
    let field: string | undefined;
    const valid = sanitizeJson(schema ? s.sample(schema) : { name: "fuzz" });
    switch (r.bodyKind) {
      case "none":
        body = undefined;
        break;
      case "valid":
        body = JSON.stringify(valid);
        break;
      case "field": {
        const paths = s.pathsOf(valid);
        const at = paths.length ? paths[r.fieldPick % paths.length]! : ["name"];
        field = at.join(".");
        const last = at[at.length - 1]!;
        // A URL-ish field's string is a safe URL (with a fuzzed tail) or a host-less image: never a fuzzed host.
        const v =
          typeof r.fieldValue !== "string"
            ? // A wrong type under a URL-ish field (an object, an array) holds only safe URLs too.
              URLISH.test(last)
              ? withStrings(sanitizeJson(r.fieldValue), r.safeUrl)
              : sanitizeJson(r.fieldValue)
            : /^image/i.test(last)
              ? SAFE_IMAGES[r.fieldPick % SAFE_IMAGES.length]!
              : URLISH.test(last)
                ? r.safeUrl + (r.fieldPick % 3 === 0 ? "/" + encodePart(r.fieldValue.slice(0, 2000)) : "")
                : sanitize(r.fieldValue);
        body = JSON.stringify(setAt(valid, at, v));
        break;
      }
      case "malformed":
        body = r.malformed;
        break;
      case "truncated": {
        const t = JSON.stringify(valid);
        body = t.slice(0, Math.max(1, Math.floor(t.length * r.cut)) - (t.length > 1 ? 1 : 0));
        break;
      }
      case "deep":
        body = r.cut < 0.5 ? deep(r.deepN, r.deepKind) : JSON.stringify(valid).replace(/}$/, `,"nested":${deep(r.deepN, r.deepKind)}}`);
        break;
      case "huge":
        body = JSON.stringify(setAt(valid, ["name"], "x".repeat(r.cut < 0.3 ? 64 * 1024 - 20 : r.cut < 0.6 ? 64 * 1024 + 1 : 1024 * 1024)));
        break;
      case "scalar":
        body = r.scalar;
        break;
      case "binary":
        body = Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x22, 0x7d]);
        break;
    }
    const headers: Record<string, string> = { ...r.extraHeaders };
    return { endpoint: ep, method: r.method, path: fullPath, auth: r.auth, bodyKind: r.bodyKind, field, body, contentType: body === undefined ? undefined : r.contentType, headers, raw: r.raw };
  });
}

// ---------------------------------------------------------------------------------------------
// Sending.

interface Answer {
  status: number;
  ms: number;
  headers: Record<string, string>;
  body: string;
  /** The request never got an HTTP answer (the HTTP layer closed the connection). */
  closed?: boolean;
  fromApp: boolean;
}

function authHeaders(w: World, auth: Auth): Record<string, string> {
  switch (auth) {
    case "cookie":
      return { Cookie: w.cookie, Origin: w.url };
    case "cookie-cross-site":
      return { Cookie: w.cookie, Origin: "https://evil.invalid" };
    case "bearer":
      return { Authorization: `Bearer ${w.token}` };
    case "bearer-foreign":
      return { Authorization: `Bearer ${w.foreignToken}` };
    case "bearer-junk":
      return { Authorization: `Bearer brt_${"x".repeat(40)}` };
    case "basic":
      return { Authorization: `Basic ${Buffer.from("admin@berth.test:admin-password-123").toString("base64")}` };
    case "none":
      return {};
  }
}

async function sendFetch(w: World, c: Case): Promise<Answer> {
  const headers: Record<string, string> = { ...authHeaders(w, c.auth), ...c.headers };
  if (c.contentType) headers["Content-Type"] = c.contentType;
  const started = performance.now();
  const res = await fetch(w.url + c.path, {
    method: c.method,
    headers,
    body: c.method === "GET" || c.method === "HEAD" || c.body === undefined ? undefined : typeof c.body === "string" ? c.body : new Uint8Array(c.body),
    redirect: "manual",
    signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
  });
  const body = c.method === "HEAD" ? "" : await res.text();
  const ms = performance.now() - started;
  const h: Record<string, string> = {};
  res.headers.forEach((v, k) => (h[k] = v));
  return { status: res.status, ms, headers: h, body, fromApp: "x-berth-instance" in h };
}

/** Requests fetch refuses to send: written byte by byte on a socket. */
function sendRaw(w: World, c: Case): Promise<Answer> {
  const u = new URL(w.url);
  const body = c.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, "utf8");
  const lines: string[] = [];
  const method = c.raw === "bad-method" ? "FROB" : c.method;
  const target = c.raw === "absolute-uri" ? `http://evil.invalid${c.path}` : c.path;
  lines.push(`${method} ${target} ${c.raw === "http10" ? "HTTP/1.0" : "HTTP/1.1"}`);
  lines.push(`Host: ${u.host}`, "Connection: close");
  for (const [k, v] of Object.entries({ ...authHeaders(w, c.auth), ...c.headers })) lines.push(`${k}: ${v}`);
  if (c.raw === "dup-auth") lines.push(`Authorization: Bearer ${w.foreignToken}`);
  const type = c.raw === "charset-utf16" ? "application/json; charset=utf-16" : (c.contentType ?? "application/json");
  lines.push(`Content-Type: ${type}`);
  if (c.raw === "dup-content-type") lines.push("Content-Type: text/html");
  let payload = c.raw === "charset-utf16" ? Buffer.from(body.toString("utf8"), "utf16le") : c.raw === "bad-utf8" ? Buffer.concat([body, Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc])]) : body;
  switch (c.raw) {
    case "cl-short":
      lines.push(`Content-Length: ${Math.max(0, payload.length - 3)}`);
      break;
    case "cl-long":
      lines.push(`Content-Length: ${payload.length + 50}`);
      break;
    case "cl-bad":
      lines.push("Content-Length: 12abc");
      break;
    case "te-and-cl":
      lines.push("Transfer-Encoding: chunked", `Content-Length: ${payload.length}`);
      payload = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from("\r\n0\r\n\r\n")]);
      break;
    case "bad-chunk":
      lines.push("Transfer-Encoding: chunked");
      payload = Buffer.concat([Buffer.from("zz\r\n"), payload, Buffer.from("\r\n0\r\n\r\n")]);
      break;
    case "nul-header":
      lines.push("X-Fuzz: a\u0000b\u0001c");
      lines.push(`Content-Length: ${payload.length}`);
      break;
    case "huge-header":
      lines.push(`X-Fuzz: ${"h".repeat(20_000)}`);
      lines.push(`Content-Length: ${payload.length}`);
      break;
    default:
      lines.push(`Content-Length: ${payload.length}`);
  }
  const head = Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1");
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer within ${CLIENT_TIMEOUT_MS} ms`));
    }, CLIENT_TIMEOUT_MS);
    sock.on("connect", () => {
      sock.write(head);
      sock.write(payload);
      // A body shorter than its Content-Length: the client gives up writing (half-close).
      if (c.raw === "cl-long") sock.end();
    });
    sock.on("data", (d) => chunks.push(d));
    sock.on("error", () => {});
    sock.on("close", () => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const text = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!m) return resolve({ status: 0, ms, headers: {}, body: "", closed: true, fromApp: false });
      const [rawHead, ...rest] = text.split("\r\n\r\n");
      const headers: Record<string, string> = {};
      for (const line of rawHead!.split("\r\n").slice(1)) {
        const i = line.indexOf(":");
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let bodyText = rest.join("\r\n\r\n");
      if (/chunked/i.test(headers["transfer-encoding"] ?? "")) bodyText = dechunk(bodyText);
      // A request that accepts gzip or br gets a compressed answer (Next compresses): decoded as
      // fetch would; one that does not decode stays as it is, and then fails the checks.
      resolve({ status: Number(m[1]), ms, headers, body: decoded(Buffer.from(bodyText, "latin1"), headers["content-encoding"]).toString("utf8"), fromApp: "x-berth-instance" in headers });
    });
  });
}

function decoded(body: Buffer, encoding: string | undefined): Buffer {
  try {
    switch ((encoding ?? "").trim().toLowerCase()) {
      case "gzip":
        return zlib.gunzipSync(body);
      case "br":
        return zlib.brotliDecompressSync(body);
      case "deflate":
        return zlib.inflateSync(body);
      default:
        return body;
    }
  } catch {
    return body;
  }
}

/** `v` with every string in it (not the keys) replaced by `url`. */
function withStrings(v: unknown, url: string): unknown {
  if (typeof v === "string") return url;
  if (Array.isArray(v)) return v.map((x) => withStrings(x, url));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withStrings(x, url)]));
  return v;
}

/**
 * encodeURIComponent for generated text: a lone surrogate (a generated string, or one cut in the
 * middle of a pair) becomes U+FFFD instead of throwing URIError in the generator.
 */
function encodePart(s: string): string {
  return encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD"));
}

function dechunk(s: string): string {
  let out = "";
  let i = 0;
  for (;;) {
    const nl = s.indexOf("\r\n", i);
    if (nl < 0) break;
    const size = Number.parseInt(s.slice(i, nl), 16);
    if (!size) break;
    out += s.slice(nl + 2, nl + 2 + size);
    i = nl + 2 + size + 2;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking.

const PROBLEM_CODE_BY_STATUS: Record<number, string[]> = {
  400: ["validation", "bad-request"],
  401: ["unauthenticated"],
  403: ["forbidden", "two-factor-required"],
  404: ["not-found"],
  405: ["method-not-allowed"],
  409: ["conflict", "registry-in-use"],
  412: ["precondition-failed"],
  413: ["payload-too-large"],
  415: ["unsupported-media-type"],
  429: ["rate-limited"],
};

/** What is wrong with an answer, or null. */
/**
 * Whether the server sees an API path: after the dot segments are resolved as every URL parser
 * does (`/api/%2e%2e/x` is `/x`, a page). Paths are case-sensitive: `/API/…` is a page too.
 */
function isApiPath(path: string): boolean {
  let resolved = path;
  try {
    resolved = new URL(path.replace(/^\/+/, "/"), "http://127.0.0.1").pathname;
  } catch {
    // not a URL path: judged as sent
  }
  return /^\/+api(\/|$|\?)|^\/+downloads\//.test(resolved);
}

/** A path the proxy refuses before any body is read (its percent-encoding is not UTF-8): a 400 without field paths. */
function malformedPath(path: string): boolean {
  try {
    decodeURIComponent(path.split("?")[0]!);
    return false;
  } catch {
    return true;
  }
}

function verdict(c: Case, a: Answer): string | null {
  if (a.status >= 500) return `status ${a.status}`;
  if (a.ms > SLOW_MS) return `slow: ${Math.round(a.ms)} ms`;
  if (a.closed || !a.fromApp) return null; // refused by Node's HTTP parser before the app (400/413/431 or a closed connection)
  // Paths are case-sensitive: `/API/…` is not an API path (it falls to the pages).
  const apiPath = isApiPath(c.path);
  if (a.status < 400 || a.status >= 500 || !apiPath) return null;
  const type = a.headers["content-type"] ?? "";
  if (!type.startsWith("application/problem+json")) return `${a.status} with content-type ${JSON.stringify(type)}, not problem+json`;
  if (c.method === "HEAD") return null;
  let p: Json;
  try {
    p = JSON.parse(a.body);
  } catch {
    return `${a.status} problem+json that does not parse`;
  }
  if (p.status !== a.status) return `problem status ${p.status} ≠ HTTP ${a.status}`;
  if (typeof p.title !== "string" || !p.title) return "problem without a title";
  if (typeof p.type !== "string" || !p.type.startsWith(PROBLEM_BASE)) return `problem type ${JSON.stringify(p.type)}`;
  const codes = PROBLEM_CODE_BY_STATUS[a.status];
  if (codes && !codes.includes(p.type.slice(PROBLEM_BASE.length))) return `problem type ${p.type} for ${a.status}`;
  if (p.type === PROBLEM_BASE + "validation") {
    if (!Array.isArray(p.errors) || p.errors.length === 0 || p.errors.some((e: Json) => typeof e?.path !== "string" || typeof e?.message !== "string")) return "validation problem without field paths";
  }
  // (Not when a raw trick re-encoded or cut the body: the server then never sees the field.)
  if (c.bodyKind === "field" && !c.raw && c.endpoint.source === "openapi" && !malformedPath(c.path) && a.status === 400 && p.type !== PROBLEM_BASE + "validation" && c.contentType === "application/json") return `400 for a bad field (${c.field}) without field paths: ${p.type}`;
  return null;
}

/** A path's query values (names such as `pagination.token` are the API's own, not hosts). */
function queryValues(p: string): string[] {
  const i = p.indexOf("?");
  if (i < 0) return [];
  return p
    .slice(i + 1)
    .split("&")
    .map((pair) => pair.slice(pair.indexOf("=") + 1));
}

/** The JSON a body holds (so URL-ish fields are checked by name), else its text. */
function parsedOr(text: string): unknown {
  // Deeply nested bodies stay text: the check's walk recurses.
  let depth = 0;
  for (const ch of text) if ((ch === "[" || ch === "{" ? ++depth : ch === "]" || ch === "}" ? --depth : depth) > 200) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function describeCase(c: Case): string {
  const len = c.body === undefined ? 0 : Buffer.byteLength(c.body);
  const p = c.path.length > 120 ? c.path.slice(0, 120) + `…(${c.path.length})` : c.path;
  return `#${c.n} ${c.method} ${p} auth=${c.auth} body=${c.bodyKind}${c.field ? `(${c.field})` : ""}/${len}B${c.contentType !== undefined ? ` type=${JSON.stringify(c.contentType)}` : ""}${c.raw ? ` raw=${c.raw}` : ""}${Object.keys(c.headers).length ? ` headers=${Object.keys(c.headers).join(",")}` : ""}`;
}

/** `npm run berth -- …` (lib/testing/cli.ts is ESM-only: Playwright loads this file as CommonJS). */
function berthCli(args: string[], env: Record<string, string>, stdin = ""): { code: number | null; stdout: string; stderr: string } {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !["DATABASE_URL", "ENCRYPTION_KEYS", "AUTH_SECRET", "BERTH_DATA_DIR", "NODE_OPTIONS"].includes(k)) base[k] = v;
  const r = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["--conditions=react-server", "lib/cli/main.ts", ...args], { cwd: ROOT, env: { ...base, ...env } as NodeJS.ProcessEnv, input: stdin, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------------------------------------


let server: BerthServer;
let dropDb: (() => Promise<void>) | undefined;
let world: World;
let openapi: Json;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const db = await freshDatabase("fuzz");
  dropDb = db.drop;
  const keys = { ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`, AUTH_SECRET: randomBytes(33).toString("base64") };
  server = await startBerth({
    DATABASE_URL: db.url,
    ...keys,
    BERTH_ADMIN_EMAIL: ADMIN.email,
    BERTH_ADMIN_PASSWORD: ADMIN.password,
    BERTH_COMPANY_NAME: ADMIN.company,
    // Enough budget that the rate limits answer rarely (429 is still checked as a problem).
    BERTH_TEST_RATE_LIMIT: "10000",
    BERTH_PULL_RATE_LIMIT: "100000",
    BERTH_TEST_TIMEOUT_MS: "2000",
    // No background work: nothing is checked or delivered behind the suite's back.
    BERTH_JOBS: "off",
    AWS_ENDPOINT_URL_ECR: "http://127.0.0.1:9",
    BERTH_METRICS_TOKEN: randomBytes(16).toString("hex"),
    LOG_LEVEL: "warn",
  });
  const api = await playwrightRequest.newContext({ baseURL: server.url });
  const { companyId, token } = await bootstrapOwner(api, [...SCOPE_VALUES]);
  const cookie = (await api.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const bearer = { Authorization: `Bearer ${token}` };
  const me = await (await api.get("/api/v1/me")).json();
  // A second company (via the CLI, as an operator would) so that foreign ids exist.
  const cliEnv = { DATABASE_URL: db.url, ...keys };
  const created = berthCli(["user", "create", "--email", "other@example.invalid", "--company", "other", "--role", "owner"], cliEnv, "other-password-123456\n");
  expect(created.code, created.stderr).toBe(0);
  const foreignToken = berthCli(["token", "create", "--company", "other", "--email", "other@example.invalid", "--scopes", SCOPE_VALUES.join(",")], cliEnv).stdout.trim();
  expect(foreignToken).toMatch(/\S{20,}/);
  const foreignMe = await (await api.get("/api/v1/me", { headers: { Authorization: `Bearer ${foreignToken}` } })).json();
  const foreignCompanyId = foreignMe.companies[0].id as string;
  const reg = (company: string, auth: Record<string, string>, name: string) =>
    api.post(`/api/v1/companies/${company}/registries`, { headers: auth, data: { name, type: "custom", credentials: { url: "http://127.0.0.1:9", username: "robot", password: `pw-${randomUUID()}` } } });
  const own = await reg(companyId, bearer, "fuzz-own");
  expect(own.status(), await own.text()).toBe(201);
  const foreign = await reg(foreignCompanyId, { Authorization: `Bearer ${foreignToken}` }, "fuzz-foreign");
  expect(foreign.status(), await foreign.text()).toBe(201);
  const hook = await api.post(`/api/v1/companies/${companyId}/webhooks`, { headers: { Origin: server.url }, data: { url: "http://127.0.0.1:9/hook", events: ["registry.created"] } });
  const spare = await api.post(`/api/v1/companies/${companyId}/tokens`, { headers: { Origin: server.url }, data: { name: "fuzz-spare", scopes: ["registries:read"] } });
  expect(spare.status()).toBe(201);
  world = {
    url: server.url,
    companyId,
    foreignCompanyId,
    registryId: (await own.json()).id,
    foreignRegistryId: (await foreign.json()).id,
    webhookId: hook.ok() ? (await hook.json()).id : randomUUID(),
    tokenId: (await spare.json()).id,
    ownerId: me.user.id,
    foreignOwnerId: foreignMe.user.id,
    token,
    foreignToken,
    cookie,
  };
  openapi = await (await api.get("/api/v1/openapi.json")).json();
  await api.dispose();
});

test.afterAll(async () => {
  await server?.stop();
  await dropDb?.();
});

function endpointsOf(doc: Json): Endpoint[] {
  const out: Endpoint[] = [];
  for (const [template, item] of Object.entries<Json>(doc.paths)) {
    const methods = METHODS.filter((m) => item[m.toLowerCase()]).map(String);
    const bodies: Record<string, Json> = {};
    const query: Record<string, string[]> = {};
    for (const m of methods) {
      const op = item[m.toLowerCase()];
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      if (schema) bodies[m] = schema;
      for (const prm of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        const p = prm.$ref ? prm.$ref.replace("#/", "").split("/").reduce((o: Json, k: string) => o?.[k], doc) : prm;
        if (p?.in === "query") query[p.name] = (p.schema?.enum ?? p.schema?.examples ?? []).map(String);
      }
    }
    out.push({ template, source: "openapi", methods, bodies, query });
  }
  for (const r of EXTRA_ROUTES) out.push({ template: r.template, source: "extra", methods: r.methods, bodies: {}, query: {} });
  for (const p of pageTemplates()) out.push({ template: p, source: "page", methods: ["GET", "POST"], bodies: {}, query: { callbackUrl: ["/", "https://evil.invalid/", "//evil.invalid"], error: ["CredentialsSignin"] } });
  return out;
}

test("the endpoint list is every route the app has", () => {
  const endpoints = endpointsOf(openapi);
  const listed = new Set(endpoints.filter((e) => e.source !== "page").map((e) => normalise(e.template)));
  expect([...listed].sort()).toEqual(routeTemplates());
  expect(endpoints.filter((e) => e.source === "page").length).toBeGreaterThan(10);
});

test("the URL generator only produces loopback and .invalid hosts", () => {
  const urls = fc.sample(safeUrl, { seed: SEED, numRuns: 5000 });
  for (const u of urls) assertOutboundSafe(u, "safeUrl");
  // The check itself refuses what it should (it can fail).
  for (const bad of ["http://10.0.0.1", "https://example.com/x", "registry-1.docker.io", "http://user@8.8.8.8:80", "169.254.169.254", "2130706433x", "16843009", "http://0x7f.1", "localhost:5000", "fuzz"]) expect(() => assertOutboundSafe({ url: bad }, "probe"), bad).toThrow(/unsafe/);
  expect(() => assertOutboundSafe({ credentials: { image: "example.com/team/app" } }, "probe")).toThrow(/unsafe/);
  for (const ok of SAFE_IMAGES) assertOutboundSafe({ image: ok }, "probe");
  expect(sanitize("x https://example.com/a 127.0.0.1 b.invalid 1.0")).toBe("x https://example_com/a 127.0.0.1 b.invalid 1_0");
});

test("API errors outside the fuzz's luck: 405 and unknown /api paths are problem+json", async () => {
  const check = async (method: string, p: string, status: number) => {
    const res = await fetch(server.url + p, { method, headers: { Authorization: `Bearer ${world.token}` } });
    expect([res.status, res.headers.get("content-type")], `${method} ${p}`).toEqual([status, "application/problem+json"]);
    return res;
  };
  const r405 = await check("PUT", "/api/v1/me", 405);
  expect(r405.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  expect(await r405.json()).toMatchObject({ status: 405, type: PROBLEM_BASE + "method-not-allowed" });
  await check("DELETE", `/api/v1/companies/${world.companyId}/registries`, 405);
  await check("GET", `/api/v1/companies/${world.companyId}/registries/validate`, 405);
  await check("GET", "/api/nope", 404);
  await check("POST", "/api", 404);
  await check("GET", "/api/v1/nope/deeper", 404);
  await check("GET", `/api/v1/companies/${world.companyId}/nope`, 404);
  // Percent-encoding that is not UTF-8 in a dynamic segment made Next's matcher throw: a bare 500.
  await check("GET", "/api/v1/companies/%ED%A0%80/registries", 400);
  await check("GET", `/api/v1/companies/${world.companyId}/registries/%C0%AF`, 400);
  // Auth.js's own refusal of an unknown action was a bare JSON string.
  await check("GET", "/api/auth/nope", 400);
  await check("POST", "/api/auth/nope", 400);
  // A multipart POST to a page is decoded by Next as a form action: a body that is not multipart
  // was its bare 500 ("Failed to parse body as FormData").
  for (const p of ["/", "/login", `/${ADMIN.slug}/settings/registries`]) {
    const res = await fetch(server.url + p, { method: "POST", headers: { Origin: server.url, "Content-Type": "multipart/form-data; boundary=x" }, body: '{"a":1}' });
    expect([res.status, res.headers.get("content-type")], `POST ${p}`).toEqual([400, "application/problem+json"]);
  }
  // A deep body is a 400 with the body's path, not a stack overflow.
  const deepRes = await fetch(`${server.url}/api/v1/companies/${world.companyId}/registries`, { method: "POST", headers: { Authorization: `Bearer ${world.token}`, "Content-Type": "application/json" }, body: deep(10_000, "array") });
  expect(deepRes.status).toBe(400);
  expect((await deepRes.json()).errors).toEqual([{ path: "", message: "Must not be nested deeper than 64 levels" }]);
});

test(`fuzz: ${CASES} generated requests across every endpoint`, async () => {
  const endpoints = endpointsOf(openapi);
  const s = sampler(openapi);
  const genStarted = Date.now();
  console.log(`fuzz: seed ${SEED} (replay: BERTH_FUZZ_SEED=${SEED})`);
  const generated = fc.sample(caseArb(world, endpoints, s), { seed: SEED, numRuns: CASES });
  const cases: Case[] = generated.map((c, n) => ({ ...c, n }));
  for (const c of cases) assertOutboundSafe({ query: queryValues(c.path), body: typeof c.body === "string" ? parsedOr(c.body) : undefined }, describeCase(c));
  console.log(`fuzz: ${cases.length} cases generated in ${Date.now() - genStarted} ms`);

  const results: { c: Case; a?: Answer; error?: string; problem: string | null }[] = [];
  let next = 0;
  let resent = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      try {
        const a = c.raw ? await sendRaw(world, c) : await sendFetch(world, c).catch((err: unknown) => {
          // An answer whose headers pass fetch's 16 KiB limit (Next's 308 for `//` + a 9 KB path
          // repeats the path in Location and Refresh) is an answer: read it on a raw socket.
          const code = (err as { cause?: { code?: string } }).cause?.code;
          if (code === "UND_ERR_HEADERS_OVERFLOW") return sendRaw(world, c);
          // A keep-alive connection the server closed while idle (its 5 s keep-alive timeout,
          // e.g. while the cases were generated) fails the next request on it: sent once more,
          // on a new connection, and counted. A server that died answers nothing either time.
          if (code === "UND_ERR_SOCKET" || code === "ECONNRESET") {
            resent++;
            return sendFetch(world, c);
          }
          throw err;
        });
        results.push({ c, a, problem: verdict(c, a) });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = `${String(err)}${cause ? ` (${cause.code ?? ""} ${cause.message ?? ""})` : ""}`;
        results.push({ c, error: why, problem: `no answer: ${why.slice(0, 200)}` });
      }
    }
  };
  const startedAt = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallMs = Date.now() - startedAt;

  // The server is alive, ready, and the same process.
  const ready = await fetch(`${server.url}/api/ready`).then((r) => r.status, () => 0);
  const exited = await Promise.race([server.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
  const unhandled = (server.output().match(/unhandled error/g) ?? []).length;

  const answered = results.filter((r) => r.a);
  const times = answered.map((r) => r.a!.ms).sort((a, b) => a - b);
  const byStatus = new Map<string, number>();
  for (const r of results) {
    const k = r.a ? (r.a.closed ? "closed" : String(r.a.status)) : "error";
    byStatus.set(k, (byStatus.get(k) ?? 0) + 1);
  }
  const byEndpoint = new Map<string, { n: number; statuses: Map<number, number> }>();
  for (const r of results) {
    const e = byEndpoint.get(r.c.endpoint.template) ?? { n: 0, statuses: new Map() };
    e.n++;
    if (r.a) e.statuses.set(r.a.status, (e.statuses.get(r.a.status) ?? 0) + 1);
    byEndpoint.set(r.c.endpoint.template, e);
  }
  const byKind = new Map<string, number>();
  for (const r of results) byKind.set(r.c.raw ? `raw:${r.c.raw}` : r.c.bodyKind, (byKind.get(r.c.raw ? `raw:${r.c.raw}` : r.c.bodyKind) ?? 0) + 1);
  const failures = results.filter((r) => r.problem);
  const slowest = answered.reduce<(typeof answered)[number] | undefined>((m, r) => (!m || r.a!.ms > m.a!.ms ? r : m), undefined);
  const parserRefused = answered.filter((r) => !r.a!.fromApp).length;
  const covered = endpoints.filter((e) => byEndpoint.has(e.template)).length;
  const passed = failures.length === 0 && ready === 200 && !exited && unhandled === 0;

  recordFigures({
    suite: "fuzz",
    title: `${cases.length} generated requests (fast-check, seed ${SEED}) across ${endpoints.length} endpoints and pages, ${CONCURRENCY} at a time`,
    passed,
    figures: {
      cases: cases.length,
      seed: SEED,
      endpoints: endpoints.length,
      "endpoints covered": covered,
      "route files": routeTemplates().length,
      failures: failures.length,
      "responses >= 500": answered.filter((r) => r.a!.status >= 500).length,
      "slower than 5 s": answered.filter((r) => r.a!.ms > SLOW_MS).length,
      "no answer": results.filter((r) => !r.a).length,
      "sent again after a closed keep-alive connection": resent,
      "refused by the HTTP parser": parserRefused,
      "p50 ms": Math.round(percentile(times, 0.5)),
      "p99 ms": Math.round(percentile(times, 0.99)),
      "slowest ms": Math.round(slowest?.a?.ms ?? 0),
      "slowest case": slowest ? describeCase(slowest.c) : "",
      "wall s": Math.round(wallMs / 100) / 10,
      "ready at the end": ready,
      "server restarted": exited ? "yes" : "no",
      "unhandled errors logged": unhandled,
    },
    tables: [
      { title: "By status", columns: ["status", "responses"], rows: [...byStatus.entries()].sort().map(([k, v]) => [k, v]) },
      { title: "By generator", columns: ["kind", "cases"], rows: [...byKind.entries()].sort().map(([k, v]) => [k, v]) },
      {
        title: "By endpoint",
        columns: ["endpoint", "cases", "statuses"],
        rows: [...byEndpoint.entries()].sort().map(([k, v]) => [k, v.n, [...v.statuses.entries()].sort().map(([s, n]) => `${s}×${n}`).join(" ")]),
      },
      ...(failures.length ? [{ title: "Failures (first 50)", columns: ["case", "problem"], rows: failures.slice(0, 50).map((f) => [describeCase(f.c), f.problem!]) }] : []),
    ],
    notes: [
      `Replay: BERTH_FUZZ_SEED=${SEED}${process.env.BERTH_FUZZ_CASES ? ` BERTH_FUZZ_CASES=${CASES}` : ""}.`,
      "Answers without X-Berth-Instance come from Node's HTTP parser (malformed framing, oversized headers) before the app: counted, checked for < 500 and speed only.",
      "Pages (HTML) are checked for < 500 and speed; every 4xx under /api and /downloads must be problem+json.",
    ],
  });
  for (const f of failures.slice(0, 30)) console.log(`FAIL ${describeCase(f.c)} → ${f.problem}\n   ${(f.a?.body ?? f.error ?? "").slice(0, 300)}`);
  expect(failures.map((f) => `${describeCase(f.c)} → ${f.problem}`).slice(0, 30)).toEqual([]);
  for (const line of server.output().split("\n").filter((l) => /unhandled error|database unavailable/.test(l)).slice(0, 6)) console.log(`server: ${line.slice(0, 1500)}`);
  expect(unhandled, "unhandled errors in the server log").toBe(0);
  expect(ready).toBe(200);
  expect(exited).toBe(false);
});
