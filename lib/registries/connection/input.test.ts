/** Host, image and credential handling, and the format stage. No network. */
import { describe, expect, it } from "vitest";
import { connectionInputFromCredentials } from "../binding";
import { checkFormat } from "./format";
import { classifyNetworkError } from "./network-errors";
import { createOutboundPolicy } from "./policy";
import { redact, secretVariants } from "./redact";
import { parseImageReference, parseRegistryHost, type RegistryTarget } from "./target";
import { testConnection } from "./test-connection";
import type { ConnectionInput, LookupFunction } from "./types";

const SECRET = "format-Distinctive-Secret-5517";
const policy = createOutboundPolicy();
const noLookup: LookupFunction = async () => {
  throw new Error("the format stage must not resolve anything");
};

function target(host: string, plainHttp = false): RegistryTarget {
  const parsed = parseRegistryHost(host, plainHttp);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

describe("parseRegistryHost", () => {
  it("splits host, port and path prefix; the API stays at the host root", () => {
    expect(target("ghcr.io/my-org")).toMatchObject({ hostname: "ghcr.io", port: 443, pathPrefix: "my-org", displayHost: "ghcr.io", scheme: "https" });
    expect(target("Registry.Example.com:5000")).toMatchObject({ hostname: "registry.example.com", port: 5000, displayHost: "registry.example.com:5000" });
    expect(target("127.0.0.1:5000", true)).toMatchObject({ scheme: "http", port: 5000, ipLiteral: "127.0.0.1" });
    expect(target("[::1]:5000")).toMatchObject({ hostname: "::1", port: 5000, displayHost: "[::1]:5000", ipLiteral: "::1" });
    expect(target("artifactory.example.com/artifactory/api/docker/docker-local")).toMatchObject({ pathPrefix: "artifactory/api/docker/docker-local" });
    expect(target("https://harbor.example.com/")).toMatchObject({ hostname: "harbor.example.com", pathPrefix: "" });
  });

  it("maps Docker Hub to registry-1.docker.io", () => {
    expect(target("docker.io").apiHostname).toBe("registry-1.docker.io");
    expect(target("index.docker.io").apiHostname).toBe("registry-1.docker.io");
    expect(target("docker.io/myorg")).toMatchObject({ apiHostname: "registry-1.docker.io", pathPrefix: "myorg" });
    expect(target("quay.io").apiHostname).toBe("quay.io");
  });

  it("reads numeric IPv4 spellings as the address they mean", () => {
    expect(target("2130706433:5000").ipLiteral).toBe("127.0.0.1");
    expect(target("0x7f000001").ipLiteral).toBe("127.0.0.1");
    expect(target("[::ffff:127.0.0.2]:80").ipLiteral).toBe("127.0.0.2");
  });

  it.each([
    ["", false],
    ["http://registry.example.com", false],
    ["ftp://registry.example.com", false],
    ["registry.example.com:99999", false],
    ["registry.example.com:12ab", false],
    ["user@registry.example.com", false],
    ["registry example.com", false],
    ["-bad-.example.com", false],
    ["[::1", false],
  ])("refuses %j", (host, plainHttp) => {
    expect(parseRegistryHost(host, plainHttp).ok).toBe(false);
  });
});

describe("parseImageReference", () => {
  const image = (text: string, host = "ghcr.io/my-org") => {
    const parsed = parseImageReference(text, target(host));
    return parsed.ok ? parsed.value : parsed.message;
  };

  it("adds the path prefix, the default tag, and library/ on Docker Hub", () => {
    expect(image("api")).toEqual({ repository: "my-org/api", reference: "latest" });
    expect(image("my-org/api:v2.1.0")).toEqual({ repository: "my-org/api", reference: "v2.1.0" });
    expect(image("ghcr.io/my-org/api:v2")).toEqual({ repository: "my-org/api", reference: "v2" });
    expect(image("postgres:17-alpine", "docker.io")).toEqual({ repository: "library/postgres", reference: "17-alpine" });
    expect(image("docker.io/library/redis", "docker.io")).toEqual({ repository: "library/redis", reference: "latest" });
    expect(image("team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "127.0.0.1:5000")).toEqual({
      repository: "team/app",
      reference: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    });
    expect(image("127.0.0.1:5000/team/app:v1", "127.0.0.1:5000")).toEqual({ repository: "team/app", reference: "v1" });
  });

  it("refuses images of another registry and malformed names", () => {
    expect(image("quay.io/org/app:1")).toContain("belongs to quay.io");
    expect(image("Team/App")).toContain("not an image reference");
    expect(image("app:bad tag")).toContain("not an image reference");
    expect(image("app@sha256:short")).toContain("not an image reference");
  });
});

describe("connectionInputFromCredentials", () => {
  it("maps each type's fields to host and secret", () => {
    expect(connectionInputFromCredentials("ghcr", { username: "octo", token: "ghp_x", url: "ghcr.io/octo-org" })).toEqual({
      type: "ghcr",
      host: "ghcr.io/octo-org",
      plainHttp: false,
      username: "octo",
      password: "ghp_x",
    });
    expect(connectionInputFromCredentials("dockerhub", { username: "me", password: "dckr_pat_x" })).toMatchObject({ host: "docker.io", password: "dckr_pat_x" });
    expect(connectionInputFromCredentials("acr", { loginServer: "acme.azurecr.io", username: "app-id", password: "pw" })).toMatchObject({ host: "acme.azurecr.io", username: "app-id" });
    expect(connectionInputFromCredentials("gcr", { serviceAccountKey: "{}", hostname: "eu.gcr.io" })).toMatchObject({ host: "eu.gcr.io", username: "_json_key", password: "{}" });
    expect(connectionInputFromCredentials("gcr", { serviceAccountKey: "{}" })).toMatchObject({ host: "gcr.io" });
    expect(connectionInputFromCredentials("gar", { serviceAccountKey: "{}", region: "europe-west1" })).toMatchObject({ host: "europe-west1-docker.pkg.dev", username: "_json_key" });
    expect(connectionInputFromCredentials("quay", { username: "org+bot", token: "t" })).toMatchObject({ host: "quay.io", password: "t" });
    expect(connectionInputFromCredentials("gitlab", { username: "gitlab+deploy-token-1", token: "gldt-x" })).toMatchObject({ host: "registry.gitlab.com", password: "gldt-x" });
    expect(connectionInputFromCredentials("harbor", { url: "harbor.example.com", username: "robot$ci", password: "p", caCertificate: "PEM", insecureSkipVerify: true })).toMatchObject({
      host: "harbor.example.com",
      caCertificate: "PEM",
      insecureSkipVerify: true,
    });
    expect(connectionInputFromCredentials("custom", { url: "http://10.0.0.5:5000/", username: "u", token: "t" })).toMatchObject({ host: "10.0.0.5:5000", plainHttp: true, password: "t" });
    expect(connectionInputFromCredentials("public", { url: "quay.io", username: "ignored", password: "ignored" })).toEqual({ type: "public", host: "quay.io", plainHttp: false });
    expect(connectionInputFromCredentials("public", {})).toMatchObject({ host: "docker.io" });
  });

  it("builds the ECR host and hands the engine no secret (the exchange step brings the password)", () => {
    const input = connectionInputFromCredentials("ecr", { accessKeyId: "AKIAABCDEFGHIJKLMNOP", secretAccessKey: "s", region: "eu-west-1", registryId: "123456789012" });
    expect(input).toEqual({ type: "ecr", host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", plainHttp: false });
  });

  it("lets the stored flag and an image through", () => {
    expect(connectionInputFromCredentials("custom", { url: "r.example", username: "u", password: "p" }, { plainHttp: true, image: "a/b:1" })).toMatchObject({ plainHttp: true, image: "a/b:1" });
  });
});

describe("format stage through testConnection (no network)", () => {
  const base: ConnectionInput = { type: "custom", host: "registry.example.com", plainHttp: false, username: "u", password: SECRET };
  const run = (overrides: Partial<ConnectionInput>) => testConnection({ ...base, ...overrides }, { policy, lookup: noLookup });

  it("answers ECR with not_supported when no exchange step is given (the engine cannot sign AWS requests itself)", async () => {
    const result = await run({ type: "ecr", host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" });
    expect(result).toMatchObject({ ok: false, status: "not_supported", stage: "format" });
    expect(result.stages).toEqual([{ name: "format", ok: false, ms: expect.any(Number), detail: "field type" }]);
  });

  it.each([
    [{ type: "nope" }, "type"],
    [{ host: "" }, "url"],
    [{ username: undefined }, "username"],
    [{ password: undefined }, "password"],
    [{ username: "a:b" }, "username"],
    [{ password: `${SECRET}\n` }, "password"],
    [{ type: "gcr", host: "gcr.io", username: "_json_key", password: SECRET }, "password"],
    [{ caCertificate: `-----BEGIN CERTIFICATE-----\n${SECRET}\n-----END CERTIFICATE-----` }, "caCertificate"],
    [{ caCertificate: "not a pem" }, "caCertificate"],
    [{ image: "quay.io/other/app" }, "image"],
  ] as const)("refuses %j as invalid_input on %s, naming the field and not the secret", async (overrides, field) => {
    const result = await run(overrides as Partial<ConnectionInput>);
    expect(result).toMatchObject({ ok: false, status: "invalid_input", stage: "format" });
    expect(result.stages[0]?.detail).toBe(`field ${field}`);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it("accepts a well-formed service-account key and a CA bundle", () => {
    const key = JSON.stringify({ type: "service_account", client_email: "a@b.iam.gserviceaccount.com", private_key: "-----BEGIN PRIVATE KEY-----\n..." });
    expect(checkFormat({ type: "gar", host: "us-docker.pkg.dev", plainHttp: false, username: "_json_key", password: key }).ok).toBe(true);
  });

  it("warns about conventions without refusing", () => {
    const check = checkFormat({ type: "ghcr", host: "ghcr.io", plainHttp: false, username: "octo", password: " token ", insecureSkipVerify: true });
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.value.warnings.map((warning) => warning.path)).toEqual(["password", "password", "insecureSkipVerify"]);
  });

  it("ignores credentials for type public, with a warning", () => {
    const check = checkFormat({ type: "public", host: "docker.io", plainHttp: false, username: "x", password: "y" });
    expect(check.ok && check.value.credentials).toBeUndefined();
    expect(check.ok && check.value.warnings[0]?.path).toBe("credentials");
  });
});

describe("classifyNetworkError", () => {
  const error = (code: string, message = "x") => Object.assign(new Error(message), { code });
  it.each([
    ["dns", "ENOTFOUND", "dns_error"],
    ["dns", "EAI_AGAIN", "dns_error"],
    ["tcp", "ECONNREFUSED", "unreachable"],
    ["tcp", "EHOSTUNREACH", "unreachable"],
    ["tcp", "ENETUNREACH", "unreachable"],
    ["tcp", "ETIMEDOUT", "timeout"],
    ["http", "ABORT_ERR", "timeout"],
    ["tls", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls_untrusted"],
    ["tls", "SELF_SIGNED_CERT_IN_CHAIN", "tls_untrusted"],
    ["tls", "DEPTH_ZERO_SELF_SIGNED_CERT", "tls_untrusted"],
    ["tls", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "tls_untrusted"],
    ["tls", "CERT_HAS_EXPIRED", "tls_untrusted"],
    ["tls", "ERR_TLS_CERT_ALTNAME_INVALID", "tls_hostname_mismatch"],
    ["tls", "EPROTO", "tls_protocol"],
    ["tls", "ERR_SSL_WRONG_VERSION_NUMBER", "tls_protocol"],
    ["tls", "ECONNRESET", "tls_protocol"],
    ["http", "ECONNRESET", "registry_error"],
    ["http", "HPE_INVALID_CONSTANT", "not_a_registry"],
  ] as const)("%s %s → %s", (phase, code, status) => {
    expect(classifyNetworkError(phase, error(code))).toBe(status);
  });
});

describe("redact", () => {
  it("removes secrets and their encodings from every string, deeply", () => {
    const secrets = secretVariants("user", "pa ss/word+1");
    const dirty = { message: "echo pa ss/word+1", nested: [{ detail: `Basic ${Buffer.from("user:pa ss/word+1").toString("base64")}` }, "pa%20ss%2Fword%2B1"], n: 1 };
    expect(JSON.stringify(redact(dirty, secrets))).not.toMatch(/pa ss|pa%20ss|dXNlcjpwYSBzcy93b3JkKzE=/);
    expect(redact(dirty, secrets).n).toBe(1);
  });
});
