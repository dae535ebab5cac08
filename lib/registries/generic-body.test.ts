import { describe, expect, it } from "vitest";
import { FAKE_SERVICE_ACCOUNT_KEY, SEED_GENERIC_EXAMPLES } from "./fixtures";
import { isGenericBody, mapGenericBody, parseCreateRegistryBody } from "./generic-body";

const generic = (url: unknown, rest: Record<string, unknown> = {}) => ({ name: "Registry", url, ...rest });

function mapped(body: Record<string, unknown>) {
  return mapGenericBody(body) as { type: string; credentials: Record<string, unknown> } & Record<string, unknown>;
}

function accepted(body: unknown) {
  const result = parseCreateRegistryBody(body);
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
  return result;
}

describe("isGenericBody", () => {
  it("is a body with url at the top level and no type", () => {
    expect(isGenericBody({ name: "x", url: "ghcr.io" })).toBe(true);
    expect(isGenericBody({ name: "x", url: 5 })).toBe(true);
    expect(isGenericBody({ name: "x", url: "ghcr.io", type: "ghcr" })).toBe(false);
    expect(isGenericBody({ name: "x", type: "ghcr", credentials: { url: "ghcr.io" } })).toBe(false);
    for (const body of [null, "url", ["url"], 1]) expect(isGenericBody(body)).toBe(false);
  });
});

describe("the seed's five examples", () => {
  it("1: Azure → acr", () => {
    expect(accepted(SEED_GENERIC_EXAMPLES[0].body).data).toEqual({
      name: "Production ACR",
      type: "acr",
      isActive: true,
      scheduledChecks: true,
      credentials: { loginServer: "myprod.azurecr.io", username: "myprod", password: "access-token-12345" },
    });
  });

  it("2: GitHub → ghcr, the password becomes the token", () => {
    const result = accepted(SEED_GENERIC_EXAMPLES[1].body);
    expect(result.data).toEqual({
      name: "GitHub Packages",
      type: "ghcr",
      isActive: true,
      scheduledChecks: true,
      credentials: { username: "myusername", token: "ghp_MyPersonalAccessToken123" },
    });
    expect(result.warnings).toEqual([]);
  });

  it("3: Docker Hub → dockerhub, warning about the account password", () => {
    const result = accepted(SEED_GENERIC_EXAMPLES[2].body);
    expect(result.data).toMatchObject({
      type: "dockerhub",
      credentials: { username: "mydockerusername", password: "mydockerpassword" },
    });
    expect(result.warnings).toEqual([
      { path: "credentials.password", message: expect.stringContaining("not your account password") },
    ]);
  });

  it("4: GCR with the elided key → a typed gcr body that fails at credentials.serviceAccountKey", () => {
    const body = SEED_GENERIC_EXAMPLES[3].body;
    expect(mapped(body)).toEqual({
      name: "GCR Production",
      type: "gcr",
      credentials: { hostname: "gcr.io", serviceAccountKey: '{"type":"service_account",...}' },
    });
    const result = parseCreateRegistryBody(body);
    expect(result).toEqual({
      ok: false,
      errors: [{ path: "credentials.serviceAccountKey", message: expect.stringMatching(/not valid JSON/i) }],
    });
  });

  it("5: ECR host with user AWS and a 12-hour token → custom, with a warning", () => {
    const result = accepted(SEED_GENERIC_EXAMPLES[4].body);
    expect(result.data).toEqual({
      name: "AWS ECR",
      type: "custom",
      isActive: true,
      scheduledChecks: true,
      credentials: {
        url: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        username: "AWS",
        password: "eyJwYXlsb2FkIjoiZXhhbXBsZSJ9...",
      },
    });
    expect(result.warnings.map((w) => w.path)).toEqual(["credentials.url"]);
  });

  it("each maps to the type the fixture names", () => {
    for (const { type, body } of SEED_GENERIC_EXAMPLES) expect(mapped(body).type).toBe(type);
  });
});

describe("the mapping table of SPEC section 5", () => {
  it("ghcr.io[/…]: password or token → token, a path prefix → url", () => {
    expect(mapped(generic("ghcr.io", { username: "me", token: "ghp_t" })).credentials).toEqual({ username: "me", token: "ghp_t" });
    expect(mapped(generic("https://ghcr.io/", { username: "me", password: "ghp_p" })).credentials).toEqual({
      username: "me",
      token: "ghp_p",
    });
    expect(mapped(generic("ghcr.io/My-Org", { username: "me", password: "ghp_p", token: "ghp_t" }))).toMatchObject({
      type: "ghcr",
      credentials: { username: "me", token: "ghp_t", url: "ghcr.io/My-Org" },
    });
  });

  it.each(["docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/"])(
    "%s → dockerhub on docker.io",
    (url) => {
      expect(mapped(generic(url, { username: "me", password: "dckr_pat_x" }))).toMatchObject({
        type: "dockerhub",
        credentials: { username: "me", password: "dckr_pat_x" },
      });
      expect(mapped(generic(url, { username: "me", password: "dckr_pat_x" })).credentials).not.toHaveProperty("url");
    },
  );

  it("docker.io: a token becomes the password, a namespace path the url", () => {
    expect(mapped(generic("index.docker.io/myorg", { username: "me", token: "dckr_pat_x" }))).toMatchObject({
      type: "dockerhub",
      credentials: { username: "me", password: "dckr_pat_x", url: "docker.io/myorg" },
    });
  });

  it.each(["myreg.azurecr.io", "myreg.azurecr.cn", "MyReg.azurecr.us"])("%s → acr, url → loginServer", (url) => {
    expect(mapped(generic(url, { username: "myreg", password: "pw" }))).toMatchObject({
      type: "acr",
      credentials: { loginServer: url.toLowerCase(), username: "myreg", password: "pw" },
    });
  });

  it.each(["gcr.io", "eu.gcr.io", "asia.gcr.io"])("%s with _json_key → gcr, password → serviceAccountKey", (url) => {
    const result = accepted(generic(url, { username: "_json_key", password: FAKE_SERVICE_ACCOUNT_KEY }));
    expect(result.data).toMatchObject({
      type: "gcr",
      credentials: { hostname: url, serviceAccountKey: FAKE_SERVICE_ACCOUNT_KEY },
    });
  });

  it.each([
    ["us-central1-docker.pkg.dev", "us-central1"],
    ["europe-west1-docker.pkg.dev", "europe-west1"],
    ["us-docker.pkg.dev", "us"],
  ])("%s with _json_key → gar in %s", (url, region) => {
    const result = accepted(generic(url, { username: "_json_key", password: FAKE_SERVICE_ACCOUNT_KEY }));
    expect(result.data).toMatchObject({ type: "gar", credentials: { region, serviceAccountKey: FAKE_SERVICE_ACCOUNT_KEY } });
  });

  it("quay.io and registry.gitlab.com: password or token → token, path → url", () => {
    expect(mapped(generic("quay.io", { username: "org+robot", password: "ROBOTTOKEN" }))).toMatchObject({
      type: "quay",
      credentials: { username: "org+robot", token: "ROBOTTOKEN" },
    });
    expect(mapped(generic("registry.gitlab.com", { username: "gitlab+deploy-token-1", token: "gldt-x" }))).toMatchObject({
      type: "gitlab",
      credentials: { username: "gitlab+deploy-token-1", token: "gldt-x" },
    });
    expect(mapped(generic("registry.gitlab.com/group/project", { username: "u", password: "glpat-x" })).credentials).toEqual({
      username: "u",
      token: "glpat-x",
      url: "registry.gitlab.com/group/project",
    });
  });

  describe("anything else → custom", () => {
    it.each([
      ["another host", generic("registry.example.com:5000", { username: "u", password: "p" })],
      ["GCR without _json_key", generic("gcr.io", { username: "oauth2accesstoken", password: "ya29.x" })],
      ["GAR without _json_key", generic("us-docker.pkg.dev", { username: "u", password: "p" })],
      ["ghcr.io without a username", generic("ghcr.io", { token: "ghp_x" })],
      ["ACR without a password", generic("myreg.azurecr.io", { username: "u", token: "" })],
      ["plain http to a provider host", generic("http://ghcr.io", { username: "u", password: "p" })],
      ["a port on a provider host", generic("quay.io:443", { username: "u", password: "p" })],
      ["a path on a type without a URL field", generic("myreg.azurecr.io/team", { username: "u", password: "p" })],
      ["a path on GCR", generic("gcr.io/my-project", { username: "_json_key", password: FAKE_SERVICE_ACCOUNT_KEY })],
      ["the ECR host", generic("123456789012.dkr.ecr.eu-west-1.amazonaws.com", { username: "AWS", password: "p" })],
    ])("%s", (_, body) => {
      expect(mapped(body).type).toBe("custom");
    });

    it("keeps url, username, password and token as sent", () => {
      expect(mapped(generic("https://Registry.Example.com/", { username: "u", password: "p", token: "t" }))).toEqual({
        name: "Registry",
        type: "custom",
        credentials: { url: "https://Registry.Example.com/", username: "u", password: "p", token: "t" },
      });
      expect(accepted(generic("https://Registry.Example.com/", { token: "t" })).data.credentials).toEqual({
        url: "registry.example.com",
        token: "t",
      });
    });

    it("reports the custom rules for an incomplete body", () => {
      expect(parseCreateRegistryBody(generic("ghcr.io", { password: "ghp_x" }))).toEqual({
        ok: false,
        errors: [{ path: "credentials.username", message: "Required with a password" }],
      });
    });
  });

  it("carries name and isActive over and rejects unknown keys", () => {
    expect(accepted(generic("ghcr.io", { username: "u", token: "ghp_x", isActive: false })).data).toMatchObject({
      name: "Registry",
      isActive: false,
    });
    expect(parseCreateRegistryBody(generic("ghcr.io", { username: "u", token: "ghp_x", dockerConfig: "e30=" }))).toEqual({
      ok: false,
      errors: [{ path: "dockerConfig", message: "Unknown field" }],
    });
  });

  it("reports a bad url at credentials.url", () => {
    expect(parseCreateRegistryBody(generic(42, { token: "t" }))).toEqual({
      ok: false,
      errors: [{ path: "credentials.url", message: "Must be text" }],
    });
    const result = parseCreateRegistryBody(generic("user:pw@registry.example.com", { token: "t" }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([{ path: "credentials.url", message: expect.stringMatching(/user name or password/) }]);
  });

  it("leaves typed bodies to the typed schema", () => {
    expect(accepted({ name: "x", type: "ghcr", credentials: { username: "u", token: "ghp_x" } }).data.type).toBe("ghcr");
  });
});
