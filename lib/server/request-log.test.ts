import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import { matchRoute, normalizePath, pathOf, routeTableFrom, UNMATCHED } from "./route-pattern";
import { requestLogLine } from "./request-log";

// The shape of `<distDir>/routes-manifest.json` (Next.js 16), trimmed to a few routes.
const table = routeTableFrom({
  staticRoutes: [{ page: "/api/ready" }, { page: "/login" }],
  dynamicRoutes: [
    { page: "/api/v1/companies/[companyId]/registries", regex: "^/api/v1/companies/([^/]+?)/registries(?:/)?$" },
    { page: "/api/v1/companies/[companyId]/registries/[registryId]", regex: "^/api/v1/companies/([^/]+?)/registries/([^/]+?)(?:/)?$" },
    { page: "/invite/[code]", regex: "^/invite/([^/]+?)(?:/)?$" },
    { page: "/broken", regex: "(" },
  ],
});

const COMPANY = "4b3f6a2e-8f1d-4c1e-9a55-0f3b8f2d9c11";

describe("route patterns", () => {
  it("maps paths to the build's route patterns, without the query string", () => {
    expect(matchRoute(table, "/api/ready?x=1").route).toBe("/api/ready");
    expect(matchRoute(table, `/api/v1/companies/${COMPANY}/registries?cursor=abc`).route).toBe("/api/v1/companies/[companyId]/registries");
    expect(matchRoute(table, `/api/v1/companies/${COMPANY}/registries/xyz/`).route).toBe("/api/v1/companies/[companyId]/registries/[registryId]");
    expect(matchRoute(table, "/invite/SECRETCODE123").route).toBe("/invite/[code]");
  });

  it("reports unmatched paths as one label, and logs them with ids replaced", () => {
    const m = matchRoute(table, `/nope/${COMPANY}/12345/brt_abcdefghijklmnop1234?token=brt_secret`);
    expect(m.route).toBe(UNMATCHED);
    expect(m.logRoute).toBe("/nope/:id/:id/:id");
  });

  it("sets static assets apart", () => {
    expect(matchRoute(table, "/_next/static/chunks/app-123.js")).toMatchObject({ route: "/_next/static", staticAsset: true });
  });

  it("reads absolute-form targets and keeps ordinary words", () => {
    expect(pathOf("http://127.0.0.1:3000/api/ready?x")).toBe("/api/ready");
    expect(normalizePath("/acme/settings/registries")).toBe("/acme/settings/registries");
    expect(normalizePath(`/x/${"a".repeat(70)}`)).toBe("/x/:id");
  });
});

describe("request log line", () => {
  it("has the documented fields", () => {
    expect(
      requestLogLine({ requestId: "req-12345678", method: "GET", route: "/api/v1/companies/[companyId]/registries", status: 200, durationMs: 12.3456, companyId: COMPANY, client: "127.0.0.1" }),
    ).toEqual({ requestId: "req-12345678", method: "GET", route: "/api/v1/companies/[companyId]/registries", status: 200, durationMs: 12.3, companyId: COMPANY, client: "127.0.0.1" });
  });

  it("never carries a query string or a token from a raw URL, nor a malformed request id", () => {
    const line = requestLogLine({ requestId: "bad id\n{", method: "get\n", route: "/api/x/brt_abcdefghijklmnop1234?access_token=SECRET1", status: 401, durationMs: 1, client: null });
    const text = JSON.stringify(line);
    expect(text).not.toContain("SECRET1");
    expect(text).not.toContain("brt_abcdefghijklmnop1234");
    expect(line).toEqual({ method: "other", route: "/api/x/:id", status: 401, durationMs: 1 });
  });

  it("goes through the logger without any header or secret", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger({ level: "info", destination });
    const line = requestLogLine({ requestId: "req-12345678", method: "POST", route: "/api/v1/companies/[companyId]/registries", status: 201, durationMs: 5, companyId: COMPANY, client: "::1" });
    // A caller that adds headers by mistake still gets them redacted.
    logger.info({ ...line, headers: { authorization: "Bearer brt_SECRET2", cookie: "s=SECRET3" } }, "request");
    const out = JSON.parse(lines.join(""));
    expect(out).toMatchObject({ msg: "request", ...line, level: "info" });
    expect(lines.join("")).not.toMatch(/SECRET2|SECRET3/);
  });
});
