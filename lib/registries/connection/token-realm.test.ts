/**
 * Token realms (SPEC section 7, issue 16): for a registry on a provider's hosted service a realm
 * outside the provider's known realm hosts is refused before any request is made to it (the
 * credentials never leave); a self-hosted registry accepts any realm the outbound policy allows,
 * and the result says where the credentials were sent.
 *
 * No traffic to provider hosts: the sessions below are made by hand, with a resolver that throws
 * if it is ever asked (a refusal must come before DNS). Realms that are accepted are either the
 * loopback token server below or a name the resolver refuses to resolve (`.invalid`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer, type LoopbackServer } from "@/lib/testing/registry-servers";
import { parseWwwAuthenticate, selectChallenge } from "./challenge";
import { Deadline } from "./deadline";
import { NetworkFailure } from "./network-errors";
import { createOutboundPolicy } from "./policy";
import { PROVIDER_FIXTURES } from "./provider-fixtures";
import { StageStop, type Session } from "./session";
import { parseRegistryHost } from "./target";
import { fetchToken } from "./token";
import type { LookupFunction } from "./types";

const PASSWORD = "realm-Distinctive-Secret-4410";
const asked: string[] = [];
const noDns: LookupFunction = async (hostname) => {
  asked.push(hostname);
  throw Object.assign(new Error(`no lookups in this test (${hostname})`), { code: "ENOTFOUND" });
};

function session(type: string, host: string, plainHttp = false): Session {
  const target = parseRegistryHost(host, plainHttp);
  if (!target.ok) throw new Error(target.message);
  return {
    prepared: { type, target: target.value, plainHttp, credentials: { username: "ci", password: PASSWORD }, insecureSkipVerify: false, warnings: [] },
    settings: { policy: createOutboundPolicy({ allowCidrs: ["127.0.0.1/32"] }), lookup: noDns, allowPlainHttp: plainHttp, insecureSkipVerify: false, deadline: new Deadline(3000) },
    stages: [],
    details: { registryHost: host },
    warnings: [],
    secrets: [],
  };
}

const challenge = (header: string) => {
  const selected = selectChallenge(parseWwwAuthenticate(header));
  if (!selected) throw new Error("no challenge");
  return selected;
};

/** The stop a token request ends with (a network failure is what a stage turns into a stop). */
async function stopOf(promise: Promise<unknown>): Promise<{ status: string; stage?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StageStop || error instanceof NetworkFailure) return error;
    throw error;
  }
  throw new Error("expected a stop");
}

describe("a hosted service's realm must be the provider's", () => {
  it.each([
    { type: "dockerhub", host: "docker.io", realm: "https://auth.evil.example/token", expected: "auth.docker.io" },
    { type: "dockerhub", host: "registry-1.docker.io", realm: "https://docker.io.evil.example/token", expected: "auth.docker.io" },
    { type: "ghcr", host: "ghcr.io", realm: "https://ghcr.io.evil.example/token", expected: "ghcr.io" },
    { type: "quay", host: "quay.io", realm: "https://auth.quay.evil.example/v2/auth", expected: "quay.io" },
    { type: "gitlab", host: "registry.gitlab.com", realm: "https://gitlab.evil.example/jwt/auth", expected: "gitlab.com" },
    { type: "acr", host: "myregistry.azurecr.io", realm: "https://login.evil.example/oauth2/token", expected: "myregistry.azurecr.io" },
    { type: "acr", host: "myregistry.azurecr.io", realm: "https://other.azurecr.io/oauth2/token", expected: "myregistry.azurecr.io" },
  ])("$type at $host: $realm is refused before any request", async ({ type, host, realm, expected }) => {
    asked.length = 0;
    const s = session(type, host);
    const stop = await stopOf(fetchToken(s, challenge(`Bearer realm="${realm}",service="x"`), undefined, "token"));
    const realmHost = new URL(realm).host;
    expect(stop.status).toBe("blocked_by_policy");
    expect(stop.stage).toBe("token");
    expect(stop.message).toContain(realmHost);
    expect(stop.message).toContain(expected);
    expect(stop.message).toContain("not sent");
    expect(asked).toEqual([]); // not even resolved
    expect(s.details.realmHost).toBe(realmHost);
    expect(s.stages).toEqual([expect.objectContaining({ name: "token", ok: false, detail: expect.stringContaining(realmHost) })]);
    expect(JSON.stringify({ stop: stop.message, s: s.stages })).not.toContain(PASSWORD);
  });

  it.each(PROVIDER_FIXTURES.filter((fixture) => fixture.expected.scheme === "bearer"))("$name: its genuine realm is accepted (the request is attempted)", async (fixture) => {
    asked.length = 0;
    const s = session(fixture.type, fixture.host.split("/")[0]!);
    const stop = await stopOf(fetchToken(s, challenge(fixture.wwwAuthenticate.join(", ")), undefined, "token"));
    // Accepted: the transport tried to resolve the realm host (the seam refuses: no network).
    expect(stop.status).toBe("dns_error");
    expect(asked).toEqual([fixture.expected.realmHost]);
  });
});

describe("self-hosted registries accept any realm the policy allows", () => {
  let tokenServer: LoopbackServer;
  beforeAll(async () => {
    tokenServer = await startHttpServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ token: "realm-test-token-0001" }));
    });
  });
  afterAll(async () => {
    await tokenServer.stop();
  });

  it.each([
    ["custom", "registry.acme.invalid"],
    ["harbor", "harbor.acme.invalid"],
    ["artifactory", "acme.jfrog.invalid"],
    ["gitlab", "registry.gitlab.acme.invalid"],
    ["quay", "quay.acme.invalid"],
  ])("%s at %s sends the credentials to a realm on another host, and says so", async (type, host) => {
    const s = session(type, host, true);
    const token = await fetchToken(s, challenge(`Bearer realm="http://${tokenServer.host}/token",service="acme"`), undefined, "token");
    expect(token).toBe("realm-test-token-0001");
    expect(s.details.realmHost).toBe(tokenServer.host);
    const sent = tokenServer.requests.at(-1)!;
    expect(Buffer.from((sent.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString()).toBe(`ci:${PASSWORD}`);
  });

  it("a failing token request names where the credentials went", async () => {
    const refusing = await startHttpServer((_req, res) => {
      res.writeHead(401, { "Content-Type": "application/json" });
      res.end("{}");
    });
    try {
      const s = session("harbor", "harbor.acme.invalid", true);
      const stop = await stopOf(fetchToken(s, challenge(`Bearer realm="http://${refusing.host}/service/token",service="harbor-registry"`), undefined, "token"));
      expect(stop.status).toBe("invalid_credentials");
      expect(s.stages).toEqual([expect.objectContaining({ name: "token", ok: false, detail: `credentials sent to ${refusing.host}` })]);
    } finally {
      await refusing.stop();
    }
  });

  it("but the outbound policy still refuses an internal realm", async () => {
    const s = session("harbor", "harbor.acme.invalid", true);
    const stop = await stopOf(fetchToken(s, challenge('Bearer realm="http://127.0.0.2:9/token",service="x"'), undefined, "token"));
    expect(stop.status).toBe("blocked_by_policy");
    expect(s.stages).toEqual([expect.objectContaining({ name: "token", ok: false, detail: "token service 127.0.0.2:9 not reached" })]);
  });
});
