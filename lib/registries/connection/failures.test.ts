import { afterEach, describe, expect, it } from "vitest";
import { closedPort, startHttpServer, startSilentServer, type Handler, type LoopbackServer } from "@/lib/testing/registry-servers";
import { createOutboundPolicy } from "./policy";
import { testConnection } from "./test-connection";
import type { ConnectionInput, LookupFunction } from "./types";

const PASSWORD = "failure-Distinctive-Secret-6650";
const policy = createOutboundPolicy({ allowCidrs: ["127.0.0.1/32"] });
const servers: LoopbackServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(handler: Handler): Promise<LoopbackServer> {
  const server = await startHttpServer(handler);
  servers.push(server);
  return server;
}

const input = (host: string, overrides: Partial<ConnectionInput> = {}): ConnectionInput => ({
  type: "custom",
  host,
  plainHttp: true,
  username: "frank",
  password: PASSWORD,
  ...overrides,
});

function json(res: Parameters<Handler>[1], status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

describe("Test Connection failures", () => {
  it("is dns_error for a name that does not resolve (.invalid)", async () => {
    const result = await testConnection(input("registry.berth-test.invalid"), { policy });
    expect(result).toMatchObject({ ok: false, status: "dns_error", stage: "dns" });
    expect(result.message).toContain("registry.berth-test.invalid");
  });

  it("is dns_error when the injected resolver fails with EAI_AGAIN", async () => {
    const lookup: LookupFunction = async () => {
      throw Object.assign(new Error("temporary failure"), { code: "EAI_AGAIN" });
    };
    const result = await testConnection(input("flaky.invalid"), { policy, lookup });
    expect(result).toMatchObject({ status: "dns_error", stage: "dns", details: { networkCode: "EAI_AGAIN" } });
  });

  it("is unreachable for a closed port", async () => {
    const port = await closedPort();
    const result = await testConnection(input(`127.0.0.1:${port}`), { policy });
    expect(result).toMatchObject({ status: "unreachable", stage: "tcp", details: { networkCode: "ECONNREFUSED" } });
  });

  it("is timeout within the limit for a server that accepts and never answers", async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const plain = await testConnection(input(silent.host, { plainHttp: true }), { policy, timeoutMs: 300 });
    expect(plain).toMatchObject({ status: "timeout", stage: "ping", details: { networkCode: "ETIMEDOUT" } });
    expect(plain.latencyMs).toBeLessThan(1000);
    const tls = await testConnection(input(silent.host, { plainHttp: false }), { policy, timeoutMs: 300 });
    expect(tls).toMatchObject({ status: "timeout", stage: "tls" });
    expect(tls.latencyMs).toBeLessThan(1000);
  });

  it("stops when the caller aborts (client disconnect)", async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await testConnection(input(silent.host), { policy, signal: controller.signal, timeoutMs: 5000 });
    expect(result).toMatchObject({ status: "timeout", details: { cancelled: true } });
    expect(result.latencyMs).toBeLessThan(1000);
  });

  it("is not_a_registry for an HTTP server answering 404 on /v2/", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404, { "Content-Type": "text/html" });
      res.end("<h1>Not found</h1>");
    });
    const result = await testConnection(input(server.host), { policy });
    expect(result).toMatchObject({ status: "not_a_registry", stage: "ping", details: { httpStatus: 404 } });
  });

  it("is not_a_registry for a web page answering 200", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<!doctype html><title>Welcome</title>");
    });
    const result = await testConnection(input(server.host), { policy });
    expect(result).toMatchObject({ status: "not_a_registry", stage: "ping" });
  });

  it("is not_a_registry for 401 without a challenge", async () => {
    const server = await serve((_req, res) => json(res, 401, {}));
    const result = await testConnection(input(server.host), { policy });
    expect(result).toMatchObject({ status: "not_a_registry", stage: "challenge" });
  });

  it("is rate_limited for 429 with Retry-After", async () => {
    const server = await serve((_req, res) => json(res, 429, { errors: [{ code: "TOOMANYREQUESTS", message: "slow down" }] }, { "Retry-After": "30" }));
    const result = await testConnection(input(server.host), { policy });
    expect(result).toMatchObject({ status: "rate_limited", stage: "ping", details: { retryAfter: 30, httpStatus: 429, errorCode: "TOOMANYREQUESTS" } });
    expect(result.message).toContain("Retry after 30 s");
  });

  it("is registry_error for 503", async () => {
    const server = await serve((_req, res) => json(res, 503, { errors: [{ code: "UNAVAILABLE", message: "maintenance" }] }));
    const result = await testConnection(input(server.host), { policy });
    expect(result).toMatchObject({ status: "registry_error", stage: "ping", details: { httpStatus: 503 } });
    // The registry's own words are never quoted (answers.ts); an unknown code is not named either.
    expect(result.message).not.toContain("maintenance");
    expect(result.details.errorCode).toBeUndefined();
  });

  it("is registry_error when the token service answers 200 without a token", async () => {
    const server = await serve((req, res, self) => {
      if (req.url?.startsWith("/token")) return json(res, 200, { expires_in: 60 });
      json(res, 401, {}, { "WWW-Authenticate": `Bearer realm="http://${self.host}/token",service="fake"` });
    });
    const result = await testConnection(input(server.host), { policy });
    expect(result).toMatchObject({ status: "registry_error", stage: "token" });
    expect(result.message).toContain("without a token");
  });

  it("is forbidden when the token service answers 403", async () => {
    const server = await serve((req, res, self) => {
      if (req.url?.startsWith("/token")) return json(res, 403, { details: "access denied" });
      json(res, 401, {}, { "WWW-Authenticate": `Bearer realm="http://${self.host}/token"` });
    });
    const result = await testConnection(input(server.host, { type: "gitlab" }), { policy });
    expect(result).toMatchObject({ status: "forbidden", stage: "token", details: { httpStatus: 403 } });
    expect(result.message).toContain("read_registry");
  });

  it("follows a same-host redirect, and gives up after 3", async () => {
    const once = await serve((req, res) => {
      if (req.url === "/v2/") return json(res, 200, {}, { "Docker-Distribution-API-Version": "registry/2.0" });
      res.writeHead(302, { Location: "/v2/" }).end();
    });
    // The API root is /v2/ on the host whatever the path prefix; a redirect from /v2/ must be followed.
    const moved = await serve((req, res) => {
      const hop = Number(/hop=(\d+)/.exec(req.url ?? "")?.[1] ?? 0);
      res.writeHead(302, { Location: `/v2/?hop=${hop + 1}` }).end();
    });
    const redirectOnce = await serve((req, res) => {
      if (req.url === "/v2/") return res.writeHead(301, { Location: `http://${once.host}/v2/` }).end();
      json(res, 404, {});
    });
    const followed = await testConnection(input(redirectOnce.host, { type: "public", username: undefined, password: undefined }), { policy });
    expect(followed).toMatchObject({ status: "success", details: { redirects: 1 } });
    const endless = await testConnection(input(moved.host), { policy });
    expect(endless).toMatchObject({ status: "registry_error", stage: "ping" });
    expect(endless.message).toContain("More than 3 redirects");
    expect(moved.requests).toHaveLength(4);
  });

  it("never forwards Authorization to another host on a redirect", async () => {
    const target = await serve((_req, res) => json(res, 200, {}));
    const origin = await serve((req, res) => {
      if (!req.headers.authorization) return json(res, 401, {}, { "WWW-Authenticate": 'Basic realm="r"' });
      res.writeHead(307, { Location: `http://elsewhere.test.invalid:${target.port}/v2/` }).end();
    });
    const lookup: LookupFunction = async () => [{ address: "127.0.0.1", family: 4 }];
    const result = await testConnection(input(origin.host), { policy, lookup });
    expect(origin.requests.at(-1)?.headers.authorization).toMatch(/^Basic /);
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]?.headers.authorization).toBeUndefined();
    expect(target.requests[0]?.headers.host).toBe(`elsewhere.test.invalid:${target.port}`);
    expect(result.status).toBe("success");
  });

  it("reads at most 1 MiB of a body", async () => {
    const server = await serve((req, res, self) => {
      if (req.url?.startsWith("/token")) {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(`{"token":"${"x".repeat(2 * 1024 * 1024)}"}`);
        return;
      }
      json(res, 401, {}, { "WWW-Authenticate": `Bearer realm="http://${self.host}/token"` });
    });
    const result = await testConnection(input(server.host), { policy });
    expect(result).toMatchObject({ status: "registry_error", stage: "token" });
    expect(result.message).toContain("1 MiB");
  });

  it("refuses a realm whose scheme is neither https nor (for plain-HTTP registries) http", async () => {
    const realm = await serve((_req, res) => json(res, 200, { token: "t" }));
    const registry = await serve((_req, res) => json(res, 401, {}, { "WWW-Authenticate": `Bearer realm="ftp://${realm.host}/token"` }));
    const result = await testConnection(input(registry.host), { policy });
    expect(result).toMatchObject({ status: "blocked_by_policy", stage: "token" });
    expect(realm.connections()).toBe(0);
  });
});

describe("anonymous /v2/ with a protected repository", () => {
  async function protectedRepo(): Promise<LoopbackServer> {
    return serve((req, res) => {
      if (req.url === "/v2/") return json(res, 200, {});
      if (req.headers.authorization === `Basic ${Buffer.from(`frank:${PASSWORD}`).toString("base64")}`) return json(res, 200, {});
      json(res, 401, { errors: [{ code: "UNAUTHORIZED" }] }, { "WWW-Authenticate": 'Basic realm="repo"' });
    });
  }

  it("verifies the credentials through the image check", async () => {
    const server = await protectedRepo();
    const result = await testConnection(input(server.host, { image: "team/app:v1" }), { policy });
    expect(result).toMatchObject({ ok: true, status: "success", stage: "pull", details: { authScheme: "basic", pullVerified: true } });
    expect(server.requests.map((request) => [request.method, request.url])).toEqual([
      ["GET", "/v2/"],
      ["HEAD", "/v2/team/app/manifests/v1"],
      ["HEAD", "/v2/team/app/manifests/v1"],
    ]);
    expect(server.requests[1]?.headers.accept).toContain("application/vnd.oci.image.manifest.v1+json");
  });

  it("is invalid_credentials when the image check refuses them", async () => {
    const server = await protectedRepo();
    const result = await testConnection(input(server.host, { image: "team/app:v1", password: "wrong-password-123" }), { policy });
    expect(result).toMatchObject({ status: "invalid_credentials", stage: "pull" });
  });

  it("is not_verified without an image", async () => {
    const server = await protectedRepo();
    const result = await testConnection(input(server.host), { policy });
    expect(result.status).toBe("not_verified");
  });
});
