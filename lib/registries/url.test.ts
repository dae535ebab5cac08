import { describe, expect, it } from "vitest";
import { HOST_FIELDS, registryHostOf } from "./binding";
import { canonicalRegistryUrl, normalizeRegistryUrl } from "./url";

describe("normalizeRegistryUrl accepts", () => {
  it.each([
    ["ghcr.io", { url: "ghcr.io", host: "ghcr.io", pathPrefix: "", plainHttp: false, strippedHttps: false }],
    ["  https://GHCR.io/My-Org/  ", { url: "ghcr.io/My-Org", host: "ghcr.io", pathPrefix: "My-Org", strippedHttps: true }],
    ["HTTPS://Registry.Example.com///", { url: "registry.example.com", pathPrefix: "", strippedHttps: true }],
    ["http://10.0.0.5:5000", { url: "10.0.0.5:5000", host: "10.0.0.5", port: 5000, plainHttp: true, strippedHttps: false }],
    ["localhost:5000", { url: "localhost:5000", host: "localhost", port: 5000 }],
    ["[::1]:5000", { url: "[::1]:5000", host: "[::1]", port: 5000 }],
    ["https://[2001:DB8:0:0::1]/mirror", { url: "[2001:db8::1]/mirror", host: "[2001:db8::1]", pathPrefix: "mirror" }],
    ["art.example.com/docker-remote", { url: "art.example.com/docker-remote", pathPrefix: "docker-remote" }],
    ["registry.example.com:443/team/sub_1", { url: "registry.example.com:443/team/sub_1", port: 443, pathPrefix: "team/sub_1" }],
    ["xn--bcher-kva.example", { url: "xn--bcher-kva.example" }],
    ["192.168.1.20", { url: "192.168.1.20", host: "192.168.1.20" }],
  ])("%s", (input, expected) => {
    const result = normalizeRegistryUrl(input);
    expect(result).toMatchObject({ ok: true, ...expected });
    if (!("port" in expected)) expect(result).not.toHaveProperty("port");
  });

  it("is idempotent on its own output", () => {
    for (const input of ["https://GHCR.io/Org/", "[::1]:5000", "art.example.com/docker-remote"]) {
      const first = normalizeRegistryUrl(input);
      if (!first.ok) throw new Error(first.message);
      expect(normalizeRegistryUrl(first.url)).toMatchObject({ ok: true, url: first.url });
    }
  });
});

describe("normalizeRegistryUrl rejects", () => {
  it.each([
    ["", /enter a registry host/i],
    ["   ", /enter a registry host/i],
    ["ftp://registry.example.com", /unsupported scheme “ftp:\/\/”/i],
    ["oci://registry.example.com", /unsupported scheme/i],
    ["user:pw@registry.example.com", /user name or password/i],
    ["https://bob:s3cr3t@registry.example.com/x", /user name or password/i],
    ["registry.example.com/path?tag=1", /query string/i],
    ["registry.example.com#top", /fragment/i],
    ["registry .example.com", /spaces/i],
    ["registry.example.com/a b", /spaces/i],
    ["https://", /enter a host name/i],
    ["/only/a/path", /enter a host name/i],
    ["registry.example.com:", /port/i],
    ["registry.example.com:0", /port/i],
    ["registry.example.com:65536", /port/i],
    ["registry.example.com:http", /port/i],
    ["::1", /brackets/i],
    ["[::1", /missing “\]”/i],
    ["[zz::1]:5000", /invalid ipv6/i],
    ["[::1]junk", /only a port/i],
    ["bad_host.example.com", /invalid host name/i],
    ["-bad.example.com", /invalid host name/i],
    ["registry..example.com", /invalid host name/i],
    ["999.1.1.1", /invalid ipv4/i],
    ["1234", /invalid ipv4/i],
    ["bücher.example", /ascii/i],
    ["registry.example.com/a//b", /path/i],
    ["registry.example.com/../etc", /path/i],
    [`registry.example.com/${"a".repeat(2100)}`, /at most 2048/i],
  ])("%j", (input, message) => {
    const result = normalizeRegistryUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it("never repeats a password from the input in its message", () => {
    const result = normalizeRegistryUrl("https://bob:s3cr3t@registry.example.com");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).not.toContain("s3cr3t");
  });
});

describe("canonicalRegistryUrl", () => {
  it("drops https://, keeps http:// and gives null for invalid input", () => {
    expect(canonicalRegistryUrl("https://Registry.Example.com/Team/")).toBe("registry.example.com/Team");
    expect(canonicalRegistryUrl("HTTP://Registry.Example.com:8080")).toBe("http://registry.example.com:8080");
    expect(canonicalRegistryUrl("ftp://registry.example.com")).toBeNull();
  });
});

describe("registryHostOf", () => {
  it.each([
    ["ghcr", {}, "ghcr.io"],
    ["ghcr", { url: "ghcr.io/org-a" }, "ghcr.io/org-a"],
    ["dockerhub", {}, "docker.io"],
    ["dockerhub", { url: "index.docker.io/myorg" }, "docker.io/myorg"],
    ["dockerhub", { url: "registry-1.docker.io" }, "docker.io"],
    ["ecr", { region: "eu-west-1", registryId: "123456789012" }, "123456789012.dkr.ecr.eu-west-1.amazonaws.com"],
    ["ecr", { region: "cn-north-1", registryId: "123456789012" }, "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"],
    ["ecr", { region: "us-east-1" }, "dkr.ecr.us-east-1.amazonaws.com"],
    ["acr", { loginServer: "myreg.azurecr.io" }, "myreg.azurecr.io"],
    ["acr", { loginServer: "https://MyReg.azurecr.io/" }, "myreg.azurecr.io"],
    ["gcr", {}, "gcr.io"],
    ["gcr", { hostname: "eu.gcr.io" }, "eu.gcr.io"],
    ["gar", { region: "europe-west1" }, "europe-west1-docker.pkg.dev"],
    ["gar", { region: "us" }, "us-docker.pkg.dev"],
    ["quay", {}, "quay.io"],
    ["quay", { url: "quay.internal.example.com" }, "quay.internal.example.com"],
    ["gitlab", {}, "registry.gitlab.com"],
    ["gitlab", { url: "registry.gitlab.com/group/project" }, "registry.gitlab.com/group/project"],
    ["harbor", { url: "https://Harbor.example.com/" }, "harbor.example.com"],
    ["harbor", {}, ""],
    ["artifactory", { url: "art.example.com/docker-remote" }, "art.example.com/docker-remote"],
    ["custom", { url: "http://10.0.0.5:5000" }, "10.0.0.5:5000"],
    ["public", {}, "docker.io"],
    ["public", { url: "quay.io" }, "quay.io"],
  ] as const)("%s %j → %s", (type, credentials, host) => {
    expect(registryHostOf(type, credentials)).toBe(host);
  });
});

describe("HOST_FIELDS", () => {
  it("lists, per type, the fields that change the host", () => {
    expect(HOST_FIELDS).toEqual({
      ghcr: ["url"],
      dockerhub: ["url"],
      ecr: ["region", "registryId"],
      acr: ["loginServer"],
      gcr: ["hostname"],
      gar: ["region"],
      quay: ["url"],
      gitlab: ["url"],
      harbor: ["url"],
      artifactory: ["url"],
      digitalocean: ["url"],
      ocir: ["loginServer"],
      custom: ["url"],
      public: ["url"],
    });
  });
});
