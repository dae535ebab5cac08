import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { assertJsonOrNoBody } from "@/lib/api-route";
import { AppError } from "@/lib/errors";
import { resetEnvCache } from "@/lib/env";
import { proxy } from "@/proxy";
import { stampedPeer } from "@/lib/server/peer-stamp.mjs";
import { HSTS_VALUE, NON_PAGE_CSP, isJsonContentType, newNonce, pageCsp, refusesCrossSite, sameOriginVerdict, servedOverHttps } from "./security-headers";

const h = (init: Record<string, string>) => new Headers(init);

/** The directives of a policy, by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe("the pages' Content-Security-Policy", () => {
  it("scripts need the nonce; nothing inline or eval'd runs, nothing frames the page", () => {
    const d = directives(pageCsp("abc123=="));
    expect(d.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(d.get("default-src")).toEqual(["'self'"]);
    expect(d.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    expect(d.get("connect-src")).toEqual(["'self'"]);
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    expect(d.get("base-uri")).toEqual(["'self'"]);
    expect(d.get("form-action")).toEqual(["'self'"]);
    expect(d.get("object-src")).toEqual(["'none'"]);
    // 'unsafe-inline' in style-src only: a nonce there would switch it off.
    expect(d.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(pageCsp("x")).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    expect(pageCsp("x", { dev: true })).toMatch(/script-src[^;]*'unsafe-eval'/);
  });

  it("nonces are 128 random bits, a new one each time", () => {
    const seen = new Set(Array.from({ length: 200 }, () => newNonce()));
    expect(seen.size).toBe(200);
    for (const n of seen) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });
});

describe("HSTS only over https, as said by a trusted proxy", () => {
  const proxies = ["10.0.0.0/8", "::1/128"];
  it.each([
    ["no trusted proxies configured", { "x-berth-peer": stampedPeer("10.1.2.3"), "x-forwarded-proto": "https" }, [], false],
    ["plain http from a trusted proxy", { "x-berth-peer": stampedPeer("10.1.2.3"), "x-forwarded-proto": "http" }, proxies, false],
    ["https from a trusted proxy", { "x-berth-peer": stampedPeer("10.1.2.3"), "x-forwarded-proto": "https" }, proxies, true],
    ["https from an IPv4-mapped trusted proxy", { "x-berth-peer": stampedPeer("::ffff:10.1.2.3"), "x-forwarded-proto": "HTTPS" }, proxies, true],
    ["https from a trusted IPv6 proxy", { "x-berth-peer": stampedPeer("::1"), "x-forwarded-proto": "https" }, proxies, true],
    ["https claimed by a client that is not a proxy", { "x-berth-peer": stampedPeer("192.0.2.7"), "x-forwarded-proto": "https" }, proxies, false],
    ["no peer address", { "x-forwarded-proto": "https" }, proxies, false],
    ["a trusted proxy's address sent unstamped by a client", { "x-berth-peer": "10.1.2.3", "x-forwarded-proto": "https" }, proxies, false],
    ["no X-Forwarded-Proto", { "x-berth-peer": stampedPeer("10.1.2.3") }, proxies, false],
    ["a client's https before our proxy's http", { "x-berth-peer": stampedPeer("10.1.2.3"), "x-forwarded-proto": "https, http" }, proxies, false],
    ["our proxy's https last", { "x-berth-peer": stampedPeer("10.1.2.3"), "x-forwarded-proto": "http,https" }, proxies, true],
  ] as const)("%s", (_name, headers, trusted, expected) => {
    expect(servedOverHttps(h(headers), trusted)).toBe(expected);
  });
});

describe("same origin", () => {
  const host = { host: "berth.local:3000" };
  it.each([
    ["the same origin", { ...host, origin: "http://berth.local:3000" }, "same"],
    ["behind a proxy: X-Forwarded-Host", { host: "10.0.0.5:3000", "x-forwarded-host": "berth.example", origin: "https://berth.example" }, "same"],
    ["no Origin", { ...host }, "absent"],
    ["Origin: null", { ...host, origin: "null" }, "foreign"],
    ["another host", { ...host, origin: "http://attacker.invalid" }, "foreign"],
    ["another port", { ...host, origin: "http://berth.local:3001" }, "foreign"],
    ["a host with the same prefix", { ...host, origin: "http://berth.local:3000.attacker.invalid" }, "foreign"],
    ["a non-web scheme", { ...host, origin: "file://berth.local:3000" }, "foreign"],
    ["not a URL", { ...host, origin: "berth.local:3000" }, "foreign"],
    ["Sec-Fetch-Site: cross-site with a matching Origin", { ...host, origin: "http://berth.local:3000", "sec-fetch-site": "cross-site" }, "foreign"],
    ["Sec-Fetch-Site: same-site (a sibling subdomain)", { ...host, origin: "http://berth.local:3000", "sec-fetch-site": "same-site" }, "foreign"],
    ["Sec-Fetch-Site: same-origin", { ...host, origin: "http://berth.local:3000", "sec-fetch-site": "same-origin" }, "same"],
    ["no Host", { origin: "http://berth.local:3000" }, "foreign"],
  ] as const)("%s", (_name, headers, expected) => {
    expect(sameOriginVerdict(h(headers))).toBe(expected);
  });

  it("the proxy refuses cross-site state changes everywhere but a provider's OIDC callback", () => {
    const foreign = h({ host: "berth.local", origin: "http://attacker.invalid" });
    for (const path of ["/api/v1/companies/x/registries", "/api/auth/callback/credentials", "/api/auth/signout", "/acme/settings/registries", "/login"]) {
      expect(refusesCrossSite("POST", path, foreign), path).toBe(true);
    }
    for (const method of ["PUT", "PATCH", "DELETE"]) expect(refusesCrossSite(method, "/api/v1/me", foreign)).toBe(true);
    expect(refusesCrossSite("GET", "/api/v1/me", foreign)).toBe(false);
    expect(refusesCrossSite("POST", "/api/auth/callback/oidc", foreign)).toBe(false);
    // Scripts send no Origin: the route wrapper decides (a cookie without Origin is refused there).
    expect(refusesCrossSite("POST", "/api/auth/callback/credentials", h({ host: "berth.local" }))).toBe(false);
  });
});

describe("bodies are JSON or nothing", () => {
  const status = (method: string, headers: Record<string, string>) => {
    try {
      assertJsonOrNoBody(new Request("http://berth.local/api/v1/x", { method, headers }));
      return "ok";
    } catch (err) {
      return err instanceof AppError ? err.status : "thrown";
    }
  };
  it.each([
    ["POST", { "content-type": "application/json" }, "ok"],
    ["POST", { "content-type": "application/json; charset=utf-8" }, "ok"],
    ["PATCH", { "content-type": "application/merge-patch+json" }, "ok"],
    ["POST", {}, "ok"],
    ["DELETE", { "content-length": "0" }, "ok"],
    ["POST", { "content-type": "text/plain" }, 415],
    ["POST", { "content-type": "application/x-www-form-urlencoded" }, 415],
    ["POST", { "content-type": "multipart/form-data; boundary=x" }, 415],
    ["POST", { "content-type": "application/jsonp" }, 415],
    ["POST", { "content-type": "" }, 415],
    ["DELETE", { "content-length": "12" }, 415],
    ["POST", { "transfer-encoding": "chunked" }, 415],
    ["GET", { "content-type": "text/plain" }, "ok"],
  ] as const)("%s %j → %s", (method, headers, expected) => {
    expect(status(method, headers)).toBe(expected);
  });

  it("JSON types", () => {
    expect(isJsonContentType("application/json")).toBe(true);
    expect(isJsonContentType("application/problem+json")).toBe(true);
    expect(isJsonContentType("application/json-seq")).toBe(false);
    expect(isJsonContentType("text/json")).toBe(false);
  });
});

describe("proxy.ts", () => {
  afterEach(() => {
    delete process.env.BERTH_TRUSTED_PROXIES;
    resetEnvCache();
  });
  const run = (path: string, init: { method?: string; headers?: Record<string, string>; body?: BodyInit } = {}) =>
    proxy(new NextRequest(new URL(path, "http://berth.local"), { method: init.method ?? "GET", headers: { host: "berth.local", ...init.headers }, body: init.body }));

  it("a page gets a fresh nonce, in its answer and in the request Next renders from", async () => {
    const a = await run("/login");
    const b = await run("/login");
    const csp = a.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
    expect(b.headers.get("content-security-policy")).not.toBe(csp);
    // NextResponse.next({ request: { headers } }) passes overridden request headers this way.
    expect(a.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(a.headers.get("strict-transport-security")).toBeNull();
  });

  it("API answers get a policy that loads nothing", async () => {
    for (const path of ["/api/v1/me", "/api/health", "/downloads/docker-credential-berth"]) {
      const res = await run(path);
      expect(res.headers.get("content-security-policy"), path).toBe(NON_PAGE_CSP);
      expect(res.headers.get("x-middleware-request-content-security-policy"), path).toBeNull();
    }
  });

  it("HSTS when a trusted proxy forwarded https, never from a client's claim", async () => {
    process.env.BERTH_TRUSTED_PROXIES = "10.0.0.0/8";
    resetEnvCache();
    expect((await run("/login", { headers: { "x-berth-peer": stampedPeer("10.0.0.2"), "x-forwarded-proto": "https" } })).headers.get("strict-transport-security")).toBe(HSTS_VALUE);
    expect((await run("/api/v1/me", { headers: { "x-berth-peer": stampedPeer("10.0.0.2"), "x-forwarded-proto": "https" } })).headers.get("strict-transport-security")).toBe(HSTS_VALUE);
    expect((await run("/login", { headers: { "x-berth-peer": stampedPeer("203.0.113.9"), "x-forwarded-proto": "https" } })).headers.get("strict-transport-security")).toBeNull();
    expect((await run("/login", { headers: { "x-berth-peer": stampedPeer("10.0.0.2"), "x-forwarded-proto": "http" } })).headers.get("strict-transport-security")).toBeNull();
  });

  it("a cross-site POST is a 403 problem before any route, action or Auth.js runs", async () => {
    const res = await run("/api/auth/callback/credentials", { method: "POST", headers: { origin: "http://attacker.invalid" } });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.headers.get("x-middleware-next")).toBeNull();
    expect((await res.json()).type).toBe("https://berth.dev/problems/forbidden");
    expect(res.headers.get("content-security-policy")).toBe(NON_PAGE_CSP);
    const action = await run("/acme/settings/registries", { method: "POST", headers: { origin: "null", "next-action": "0123abcd" } });
    expect(action.status).toBe(403);
    expect((await run("/login", { method: "POST", headers: { origin: "http://berth.local" } })).headers.get("x-middleware-next")).toBe("1");
  });

  it("a multipart POST to a page whose body does not parse is a 400 problem, not Next's 500", async () => {
    const bad = await run("/login", { method: "POST", headers: { origin: "http://berth.local", "content-type": "multipart/form-data; boundary=x" }, body: '{"a":1}' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    expect(bad.headers.get("x-middleware-next")).toBeNull();
    const form = new FormData();
    form.set("email", "owner@example.test");
    const good = await run("/login", { method: "POST", headers: { origin: "http://berth.local" }, body: form });
    expect(good.headers.get("x-middleware-next")).toBe("1");
  });
});
