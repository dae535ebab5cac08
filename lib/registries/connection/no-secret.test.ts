/**
 * No secret in any result: failures of every kind are run with a distinctive
 * password, including servers that echo what they receive, and the JSON of
 * each result must not contain the password or its Basic encoding.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, startHttpServer, startSilentServer, type Handler, type LoopbackServer } from "@/lib/testing/registry-servers";
import { createOutboundPolicy } from "./policy";
import { testConnection } from "./test-connection";
import type { ConnectionInput, TestResult } from "./types";

const PASSWORD = "Never-Show-Me-8c1f9e2a-Secret";
const USERNAME = "heidi";
const BASIC = Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64");
const policy = createOutboundPolicy({ allowCidrs: ["127.0.0.1/32"] });

function decodeBasic(header: string | undefined): string {
  const encoded = /^Basic (.+)$/.exec(header ?? "")?.[1] ?? "";
  return Buffer.from(encoded, "base64").toString("utf8");
}

function echo(res: Parameters<Handler>[1], status: number, received: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify({ errors: [{ code: "DENIED", message: `you sent ${received}` }], error: "invalid_grant", error_description: received }));
}

function expectClean(result: TestResult): void {
  const json = JSON.stringify(result);
  expect(json).not.toContain(PASSWORD);
  expect(json).not.toContain(BASIC);
  expect(json).not.toContain(encodeURIComponent(PASSWORD));
}

describe("no secret in any result", () => {
  const servers: LoopbackServer[] = [];
  const hosts: Record<string, string> = {};

  beforeAll(async () => {
    const add = async (name: string, handler: Handler) => {
      const server = await startHttpServer(handler);
      servers.push(server);
      hosts[name] = server.host;
    };
    await add("echo-basic", (req, res) => {
      if (!req.headers.authorization) return echo(res, 401, "nothing", { "WWW-Authenticate": 'Basic realm="echo"' });
      echo(res, 403, `${req.headers.authorization} = ${decodeBasic(req.headers.authorization)}`);
    });
    await add("echo-token", (req, res, self) => {
      if (req.url?.startsWith("/token")) return echo(res, 401, `${req.headers.authorization} = ${decodeBasic(req.headers.authorization)}`);
      echo(res, 401, "none", { "WWW-Authenticate": `Bearer realm="http://${self.host}/token",service="echo"` });
    });
    await add("echo-form", (req, res, self) => {
      if (req.url?.startsWith("/token") && req.method === "POST") {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => echo(res, 400, body));
        return;
      }
      echo(res, 401, "none", { "WWW-Authenticate": `Bearer realm="http://${self.host}/token",service="echo"` });
    });
    await add("echo-redirect", (req, res) => {
      if (!req.headers.authorization) return echo(res, 401, "nothing", { "WWW-Authenticate": 'Basic realm="echo"' });
      res.writeHead(302, { Location: `http://127.0.0.2:1/${encodeURIComponent(decodeBasic(req.headers.authorization))}` });
      res.end();
    });
    await add("echo-429", (req, res) => {
      if (!req.headers.authorization) return echo(res, 401, "nothing", { "WWW-Authenticate": 'Basic realm="echo"' });
      echo(res, 429, decodeBasic(req.headers.authorization), { "Retry-After": "5" });
    });
    await add("echo-500", (req, res) => {
      if (!req.headers.authorization) return echo(res, 401, "nothing", { "WWW-Authenticate": 'Basic realm="echo"' });
      echo(res, 500, `${req.headers.authorization}`);
    });
    await add("html", (_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<html></html>"));
    const silent = await startSilentServer();
    servers.push(silent);
    hosts.silent = silent.host;
    hosts.closed = `127.0.0.1:${await closedPort()}`;
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  const cases: [string, Partial<ConnectionInput>, string][] = [
    ["echo-basic", {}, "forbidden"],
    ["echo-token", {}, "invalid_credentials"],
    ["echo-form", { username: "<token>" }, "invalid_credentials"],
    ["echo-redirect", {}, "blocked_by_policy"],
    ["echo-429", {}, "rate_limited"],
    ["echo-500", {}, "registry_error"],
    ["html", {}, "not_a_registry"],
    ["silent", {}, "timeout"],
    ["closed", {}, "unreachable"],
    ["dns", { host: "secret-test.berth.invalid" }, "dns_error"],
    ["format", { username: "bad:user" }, "invalid_input"],
    ["tls", { plainHttp: false }, "tls_protocol"],
  ];

  it.each(cases)("%s (%j) ends as %s without the secret", async (name, overrides, status) => {
    const host = hosts[name] ?? hosts["echo-basic"] ?? "";
    const result = await testConnection(
      { type: "custom", host, plainHttp: true, username: USERNAME, password: PASSWORD, ...overrides },
      { policy, timeoutMs: 400 },
    );
    expect(result.status).toBe(status);
    expectClean(result);
  });

  it("does not quote the echoing body at all, only its known error code in Berth's words", async () => {
    const result = await testConnection({ type: "custom", host: hosts["echo-basic"] ?? "", plainHttp: true, username: USERNAME, password: PASSWORD }, { policy });
    expect(result.message).not.toContain("you sent");
    expect(result.message).toContain("DENIED: requested access to the resource is denied");
  });
});
