import { describe, expect, it } from "vitest";
import { challengeError, parseWwwAuthenticate, selectChallenge } from "./challenge";
import { PROVIDER_FIXTURES } from "./provider-fixtures";
import { getRegistryType } from "@/lib/registries/types";
import { hintsOf, hostWarning, realmRefusal, secretPrefixWarning, usernameWarning } from "./hints";

describe("parseWwwAuthenticate", () => {
  it("reads quoted and bare parameters with case-insensitive names and schemes", () => {
    expect(parseWwwAuthenticate('BEARER Realm="https://a.example/token", SERVICE=svc ,scope="repository:x/y:pull,push"')).toEqual([
      { scheme: "bearer", params: { realm: "https://a.example/token", service: "svc", scope: "repository:x/y:pull,push" } },
    ]);
  });

  it("reads several challenges in one header and across headers", () => {
    const parsed = parseWwwAuthenticate(['Basic realm="one", Bearer realm="https://t.example/token",service="s"', "Digest realm=x, nonce=abc"]);
    expect(parsed.map((challenge) => challenge.scheme)).toEqual(["basic", "bearer", "digest"]);
    expect(parsed[1]?.params).toEqual({ realm: "https://t.example/token", service: "s" });
    expect(parsed[2]?.params).toEqual({ realm: "x", nonce: "abc" });
  });

  it("unescapes quoted strings and keeps commas inside quotes", () => {
    expect(parseWwwAuthenticate('Basic realm="a \\"quoted\\", realm"')[0]?.params.realm).toBe('a "quoted", realm');
  });

  it("reads token68 challenges and a scheme without parameters", () => {
    expect(parseWwwAuthenticate("Negotiate YIIBhAYGKwYBBQUCoII==, Basic")).toEqual([
      { scheme: "negotiate", params: {}, token68: "YIIBhAYGKwYBBQUCoII==" },
      { scheme: "basic", params: {} },
    ]);
  });

  it("survives garbage", () => {
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(parseWwwAuthenticate(["", " , ", '=oops "x']).length).toBeLessThanOrEqual(2);
    expect(parseWwwAuthenticate('Bearer realm="unterminated')[0]?.params.realm).toBe("unterminated");
  });

  it("exposes the error of an insufficient-scope challenge", () => {
    const parsed = parseWwwAuthenticate('Bearer realm="https://r/token",service="s",scope="repository:a/b:pull",error="insufficient_scope"');
    expect(challengeError(parsed)).toBe("insufficient_scope");
    expect(selectChallenge(parsed)?.error).toBe("insufficient_scope");
  });
});

describe("selectChallenge", () => {
  it("prefers Bearer with a realm, falls back to Basic, ignores other schemes", () => {
    expect(selectChallenge(parseWwwAuthenticate('Basic realm="b", Bearer realm="https://x/token"'))?.scheme).toBe("bearer");
    expect(selectChallenge(parseWwwAuthenticate('Bearer service="no-realm", Basic realm="b"'))?.scheme).toBe("basic");
    expect(selectChallenge(parseWwwAuthenticate("Negotiate abc=="))).toBeUndefined();
  });
});

describe.each(PROVIDER_FIXTURES)("provider fixture: $name", (fixture) => {
  it("selects the documented challenge", () => {
    const selected = selectChallenge(parseWwwAuthenticate(fixture.wwwAuthenticate));
    expect(selected).toMatchObject({ scheme: fixture.expected.scheme, realm: fixture.expected.realm });
    if (fixture.expected.service) expect(selected?.service).toBe(fixture.expected.service);
  });

  it("accepts the genuine realm host and the type's usual host without warnings", () => {
    const hostname = fixture.host.split("/")[0]?.replace(/:\d+$/, "") ?? "";
    expect(hostWarning(fixture.type, hostname)).toBeUndefined();
    if (fixture.expected.realmHost) expect(realmRefusal(fixture.type, hostname, fixture.expected.realmHost)).toBeUndefined();
  });
});

describe("per-type host rules", () => {
  it("refuses a realm a SaaS provider's hosted service does not use, naming the realm host", () => {
    expect(realmRefusal("ghcr", "ghcr.io", "evil.example.com")).toContain("evil.example.com");
    expect(realmRefusal("dockerhub", "docker.io", "auth.evil.example")).toContain("auth.docker.io");
    expect(realmRefusal("gitlab", "registry.gitlab.com", "gitlab.evil.example")).toContain("gitlab.com");
    expect(realmRefusal("acr", "myregistry.azurecr.io", "login.evil.example")).toContain("myregistry.azurecr.io");
  });

  it("accepts any realm for self-hosted registries (the policy still applies)", () => {
    expect(realmRefusal("gitlab", "registry.acme.example", "gitlab.acme.example")).toBeUndefined();
    expect(realmRefusal("harbor", "harbor.acme.example", "auth.elsewhere.example")).toBeUndefined();
    expect(realmRefusal("quay", "quay.acme.example", "sso.acme.example")).toBeUndefined();
    expect(realmRefusal("artifactory", "acme.jfrog.io", "auth.elsewhere.example")).toBeUndefined();
    expect(realmRefusal("custom", "r.example", "auth.example")).toBeUndefined();
    expect(realmRefusal("ghcr", "127.0.0.1", "127.0.0.1")).toBeUndefined();
  });

  it("warns when the host does not look like the type's", () => {
    expect(hostWarning("ghcr", "docker.io")).toContain("ghcr.io");
    expect(hostWarning("acr", "myregistry.example.com")).toContain("azurecr.io");
    expect(hostWarning("gar", "gcr.io")).toContain("docker.pkg.dev");
    expect(hostWarning("dockerhub", "index.docker.io")).toBeUndefined();
    expect(hostWarning("harbor", "anything.example")).toBeUndefined();
  });
});

describe("per-type hints", () => {
  it.each([
    ["ghcr", "read:packages"],
    ["dockerhub", "dckr_pat_"],
    ["quay", "org+robotname"],
    ["gitlab", "glpat-"],
    ["gitlab", "gitlab+deploy-token-N"],
    ["harbor", "robot$"],
    ["artifactory", "path prefix"],
    ["artifactory", "identity token"],
    ["acr", "service principal"],
    ["acr", "admin user"],
    ["gcr", "_json_key"],
    ["gar", "_json_key"],
  ] as const)("%s credential hint mentions %s", (type, text) => {
    expect(getRegistryType(type).hints.credentialHint).toContain(text);
  });

  it("falls back to the custom rules for unknown types", () => {
    expect(hintsOf("nope")).toBe(getRegistryType("custom").hints);
  });

  it("checks token prefixes and robot account spellings", () => {
    expect(secretPrefixWarning("ghcr", "ghp_abc")).toBeUndefined();
    expect(secretPrefixWarning("ghcr", "github_pat_abc")).toBeUndefined();
    expect(secretPrefixWarning("ghcr", "hunter2")).toContain("ghp_");
    expect(secretPrefixWarning("gitlab", "gldt-abc")).toBeUndefined();
    expect(secretPrefixWarning("gitlab", "abc")).toContain("glpat-");
    expect(secretPrefixWarning("harbor", "anything")).toBeUndefined();
    expect(usernameWarning("harbor", "robot_ci")).toContain("robot$");
    expect(usernameWarning("harbor", "robot$ci")).toBeUndefined();
    expect(usernameWarning("dockerhub", "me@example.com")).toContain("Docker ID");
  });
});
