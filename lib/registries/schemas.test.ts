import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  FAKE_AWS_ACCESS_KEY_ID,
  FAKE_AWS_SECRET_ACCESS_KEY,
  FAKE_CA_CERTIFICATE,
  FAKE_PRIVATE_KEY_PEM,
  FAKE_SERVICE_ACCOUNT_KEY,
  REGISTRY_FIXTURES,
  registryFixture,
} from "./fixtures";
import {
  SECRET_FIELDS,
  REGISTRY_TYPE_KEYS,
  REGISTRY_TYPES,
  checkConventions,
  createRegistrySchema,
  findMissingCredentials,
  getRegistryType,
  isRegistryTypeKey,
  parseRegistryInput,
  patchRegistrySchema,
  replaceRegistrySchema,
  type FieldIssue,
  type RegistryTypeKey,
} from "./schemas";

// The product's registry types, written out here so the type modules are checked against the spec, not against themselves.
const SPEC_TYPES: Record<RegistryTypeKey, { label: string; required: string[]; optional: string[] }> = {
  // detectExpiry and expiryApiUrl: reading the token's expiry from the provider's API (opt-in).
  ghcr: { label: "GitHub Container Registry", required: ["username", "token"], optional: ["url", "detectExpiry", "expiryApiUrl"] },
  dockerhub: { label: "Docker Hub", required: ["username", "password"], optional: ["url"] },
  ecr: {
    label: "Amazon ECR",
    required: ["accessKeyId", "secretAccessKey", "region"],
    optional: ["sessionToken", "registryId"],
  },
  acr: { label: "Azure Container Registry", required: ["loginServer", "username", "password"], optional: [] },
  gcr: { label: "Google Container Registry", required: ["serviceAccountKey"], optional: ["hostname"] },
  gar: { label: "Google Artifact Registry", required: ["serviceAccountKey", "region"], optional: [] },
  quay: { label: "Red Hat Quay", required: ["username", "token"], optional: ["url", "caCertificate", "insecureSkipVerify"] },
  gitlab: {
    label: "GitLab Container Registry",
    required: ["username", "token"],
    optional: ["url", "caCertificate", "insecureSkipVerify", "detectExpiry", "expiryApiUrl"],
  },
  harbor: { label: "Harbor", required: ["url", "username", "password"], optional: ["caCertificate", "insecureSkipVerify"] },
  artifactory: {
    label: "JFrog Artifactory",
    required: ["url", "username", "password"],
    optional: ["caCertificate", "insecureSkipVerify"],
  },
  digitalocean: { label: "DigitalOcean Container Registry", required: ["token"], optional: ["url"] },
  ocir: { label: "Oracle Cloud Infrastructure Registry", required: ["loginServer", "username", "token"], optional: [] },
  custom: {
    label: "Custom / self-hosted",
    required: ["url"],
    optional: ["username", "password", "token", "caCertificate", "insecureSkipVerify"],
  },
  public: { label: "Public (no auth)", required: [], optional: ["url"] },
};

// The exact accessible names the pages and their tests rely on.
const SPEC_FIELD_LABELS: Record<string, string> = {
  username: "Username",
  token: "Token",
  password: "Password",
  accessKeyId: "Access key ID",
  secretAccessKey: "Secret access key",
  sessionToken: "Session token",
  region: "Region",
  registryId: "Registry ID",
  loginServer: "Login server",
  serviceAccountKey: "Service account key",
  hostname: "Hostname",
  url: "Registry URL",
  expiryApiUrl: "Expiry API URL",
  // The form writes the host in: "Read the token's expiry from api.github.com".
  detectExpiry: "Read the token's expiry from the provider's API",
  caCertificate: "CA certificate",
  insecureSkipVerify: "Skip TLS verification",
};

type Schema = typeof createRegistrySchema | typeof replaceRegistrySchema | typeof patchRegistrySchema;

function errorsOf(schema: Schema, body: unknown): FieldIssue[] {
  const result = parseRegistryInput(schema as z.ZodType<unknown>, body);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.data)}`);
  return result.errors;
}

function parsed(schema: Schema, body: unknown) {
  const result = parseRegistryInput(schema as typeof createRegistrySchema, body);
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
  return result;
}

/** A fixture body with some credentials replaced (undefined removes one). */
function withCredentials(type: RegistryTypeKey, changes: Record<string, unknown>) {
  const body = registryFixture(type) as { credentials: Record<string, unknown> };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete body.credentials[key];
    else body.credentials[key] = value;
  }
  return body;
}

const messagesAt = (issues: FieldIssue[], path: string) => issues.filter((i) => i.path === path).map((i) => i.message);

describe("the catalogue", () => {
  it("has the fourteen types of the spec, in the order of the select, with their labels", () => {
    expect(REGISTRY_TYPE_KEYS).toEqual(Object.keys(SPEC_TYPES));
    for (const type of REGISTRY_TYPES) expect(type.label).toBe(SPEC_TYPES[type.key].label);
  });

  it.each(REGISTRY_TYPE_KEYS)("%s has the spec's required and optional fields", (key) => {
    const fields = getRegistryType(key).fields;
    expect(fields.filter((f) => f.required).map((f) => f.name).sort()).toEqual([...SPEC_TYPES[key].required].sort());
    expect(fields.filter((f) => !f.required).map((f) => f.name).sort()).toEqual([...SPEC_TYPES[key].optional].sort());
  });

  it.each(REGISTRY_TYPE_KEYS)("%s carries an icon, https docs link, help text and field labels of SPEC section 8", (key) => {
    const type = getRegistryType(key);
    expect(type.icon).toMatch(/^[a-z-]+$/);
    expect(new URL(type.docsUrl).protocol).toBe("https:");
    expect(type.help.length).toBeGreaterThan(80);
    expect(type.hostPattern.description).not.toBe("");
    for (const f of type.fields) {
      expect(f.label).toBe(SPEC_FIELD_LABELS[f.name]);
      expect(f.secret).toBe((SECRET_FIELDS as readonly string[]).includes(f.name));
      expect(f.kind === "secret").toBe(f.secret && f.name !== "serviceAccountKey");
    }
  });

  it("exports the secret fields of SPEC section 2", () => {
    expect(SECRET_FIELDS).toEqual(["password", "token", "secretAccessKey", "sessionToken", "serviceAccountKey"]);
  });

  it("has the default hosts of SPEC section 2", () => {
    const hosts = Object.fromEntries(REGISTRY_TYPES.map((t) => [t.key, t.defaultHost]));
    expect(hosts).toEqual({
      ghcr: "ghcr.io",
      dockerhub: "docker.io",
      ecr: null,
      acr: null,
      gcr: "gcr.io",
      gar: null,
      quay: "quay.io",
      gitlab: "registry.gitlab.com",
      harbor: null,
      artifactory: null,
      digitalocean: "registry.digitalocean.com",
      ocir: null,
      custom: null,
      public: "docker.io",
    });
  });

  it("offers the regional GCR hosts in a select and gives GHCR the classic-token guidance", () => {
    const hostname = getRegistryType("gcr").fields.find((f) => f.name === "hostname");
    expect(hostname?.kind).toBe("select");
    expect(hostname?.options?.map((o) => o.value)).toEqual(["gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"]);
    expect(getRegistryType("ghcr").help).toMatch(/classic personal access token with the read:packages scope/);
    expect(getRegistryType("insecureSkipVerify")).toBeUndefined();
    expect(isRegistryTypeKey("ghcr")).toBe(true);
    expect(isRegistryTypeKey("GHCR")).toBe(false);
  });
});

describe("createRegistrySchema", () => {
  it.each(REGISTRY_TYPE_KEYS)("accepts the %s fixture without warnings, defaulting isActive to true", (key) => {
    const { data, warnings } = parsed(createRegistrySchema, REGISTRY_FIXTURES[key]);
    expect(data).toMatchObject({ type: key, name: REGISTRY_FIXTURES[key].name, isActive: true });
    expect(data.credentials).toEqual(REGISTRY_FIXTURES[key].credentials);
    expect(warnings).toEqual([]);
  });

  const requiredCases = REGISTRY_TYPE_KEYS.flatMap((key) => SPEC_TYPES[key].required.map((f) => [key, f] as const));
  it.each(requiredCases)("%s without %s is an error at its path", (key, name) => {
    const errors = errorsOf(createRegistrySchema, withCredentials(key, { [name]: undefined }));
    expect(errors).toContainEqual({ path: `credentials.${name}`, message: "Required" });
  });

  it.each(requiredCases)("%s with a blank %s is an error at its path", (key, name) => {
    const errors = errorsOf(createRegistrySchema, withCredentials(key, { [name]: "   " }));
    expect(messagesAt(errors, `credentials.${name}`)).toEqual(["Required"]);
  });

  it("reports every missing field at once, with format errors", () => {
    const errors = errorsOf(createRegistrySchema, { name: "", type: "ecr", credentials: { accessKeyId: "nope" } });
    expect(errors.map((e) => e.path).sort()).toEqual(
      ["name", "credentials.accessKeyId", "credentials.secretAccessKey", "credentials.region"].sort(),
    );
  });

  it("reports missing fields beside a value of the wrong type", () => {
    expect(errorsOf(createRegistrySchema, { name: "x", type: "ghcr", credentials: { username: 5 } })).toEqual([
      { path: "credentials.username", message: "Must be text" },
      { path: "credentials.token", message: "Required" },
    ]);
  });

  it("defaults missing credentials to {} and reports the required fields", () => {
    expect(errorsOf(createRegistrySchema, { name: "x", type: "ghcr" })).toEqual([
      { path: "credentials.username", message: "Required" },
      { path: "credentials.token", message: "Required" },
    ]);
    expect(parsed(createRegistrySchema, { name: "Hub", type: "public" }).data.credentials).toEqual({});
  });

  describe("name, type, isActive and strictness", () => {
    it("trims the name and bounds it to 1–100 characters", () => {
      expect(parsed(createRegistrySchema, { ...registryFixture("public"), name: "  Hub  " }).data.name).toBe("Hub");
      expect(parsed(createRegistrySchema, { ...registryFixture("public"), name: "n".repeat(100) }).data.name).toHaveLength(100);
      expect(errorsOf(createRegistrySchema, { ...registryFixture("public"), name: "   " })).toEqual([
        { path: "name", message: "Required" },
      ]);
      expect(errorsOf(createRegistrySchema, { ...registryFixture("public"), name: "n".repeat(101) })).toEqual([
        { path: "name", message: "Must be at most 100 characters" },
      ]);
      expect(errorsOf(createRegistrySchema, { type: "public" })).toEqual([{ path: "name", message: "Required" }]);
    });

    it("rejects a missing or unknown type and a body that is not an object", () => {
      expect(errorsOf(createRegistrySchema, { name: "x" })).toEqual([{ path: "type", message: "Required" }]);
      expect(errorsOf(createRegistrySchema, { name: "x", type: "nexus" })).toEqual([
        { path: "type", message: expect.stringContaining("must be one of ghcr, dockerhub, ecr") },
      ]);
      expect(errorsOf(createRegistrySchema, "ghcr")).toEqual([{ path: "", message: "Must be a JSON object" }]);
      expect(errorsOf(createRegistrySchema, null)).toEqual([{ path: "", message: "Must be a JSON object" }]);
    });

    it("keeps isActive false and rejects a non-boolean", () => {
      expect(parsed(createRegistrySchema, { ...registryFixture("public"), isActive: false }).data.isActive).toBe(false);
      expect(errorsOf(createRegistrySchema, { ...registryFixture("public"), isActive: "no" })).toEqual([
        { path: "isActive", message: "Must be true or false" },
      ]);
    });

    it("rejects unknown keys at the top level and in credentials, one error per key", () => {
      expect(errorsOf(createRegistrySchema, { ...registryFixture("ghcr"), dockerConfig: "x", id: 1 })).toEqual([
        { path: "dockerConfig", message: "Unknown field" },
        { path: "id", message: "Unknown field" },
      ]);
      // A field of another type is unknown too.
      expect(errorsOf(createRegistrySchema, withCredentials("ghcr", { accessKeyId: FAKE_AWS_ACCESS_KEY_ID }))).toEqual([
        { path: "credentials.accessKeyId", message: "Unknown field" },
      ]);
      expect(errorsOf(createRegistrySchema, { name: "x", type: "public", credentials: { username: "u" } })).toEqual([
        { path: "credentials.username", message: "Unknown field" },
      ]);
    });

    it("rejects values of the wrong type", () => {
      expect(errorsOf(createRegistrySchema, withCredentials("ghcr", { token: 42 }))).toEqual([
        { path: "credentials.token", message: "Must be text" },
      ]);
      expect(errorsOf(createRegistrySchema, withCredentials("quay", { insecureSkipVerify: "yes" }))).toEqual([
        { path: "credentials.insecureSkipVerify", message: "Must be true or false" },
      ]);
    });
  });

  describe("values", () => {
    it("trims values except passwords and drops blank or null optional ones", () => {
      const { data } = parsed(
        createRegistrySchema,
        withCredentials("dockerhub", { username: " me \n", password: " pass word ", url: "" }),
      );
      expect(data.credentials).toEqual({ username: "me", password: " pass word " });
      const quay = parsed(createRegistrySchema, withCredentials("quay", { token: "tok\n", url: null, caCertificate: " " }));
      expect(quay.data.credentials).toEqual({ username: "berthfixture+puller", token: "tok" });
    });

    it("stores URLs, hosts and regions in canonical form", () => {
      expect(parsed(createRegistrySchema, withCredentials("custom", { url: " HTTPS://Registry.Example.com:5000/Team/ " })).data.credentials.url).toBe(
        "registry.example.com:5000/Team",
      );
      expect(parsed(createRegistrySchema, withCredentials("custom", { url: "http://10.0.0.5:5000/" })).data.credentials.url).toBe(
        "http://10.0.0.5:5000",
      );
      expect(parsed(createRegistrySchema, withCredentials("acr", { loginServer: "https://MyReg.azurecr.io/" })).data.credentials.loginServer).toBe(
        "myreg.azurecr.io",
      );
      expect(parsed(createRegistrySchema, withCredentials("gcr", { hostname: "EU.GCR.IO" })).data.credentials.hostname).toBe("eu.gcr.io");
      expect(parsed(createRegistrySchema, withCredentials("ecr", { region: "EU-WEST-1" })).data.credentials.region).toBe("eu-west-1");
      expect(parsed(createRegistrySchema, withCredentials("gar", { region: " US-Central1 " })).data.credentials.region).toBe("us-central1");
    });

    it("rejects multi-line values in single-line fields and over-long values", () => {
      expect(errorsOf(createRegistrySchema, withCredentials("ghcr", { token: "ghp_a\nghp_b" }))).toEqual([
        { path: "credentials.token", message: "Must be a single line" },
      ]);
      expect(messagesAt(errorsOf(createRegistrySchema, withCredentials("custom", { password: "p".repeat(8193) })), "credentials.password")).toEqual([
        "Must be at most 8192 characters",
      ]);
    });
  });

  describe("format rules", () => {
    it.each([
      ["ecr", "accessKeyId", "AKIA1234", /AKIA or ASIA followed by 16/],
      ["ecr", "accessKeyId", "akiaiosfodnn7example", /AKIA or ASIA/],
      ["ecr", "accessKeyId", "AKIBIOSFODNN7EXAMPLE", /AKIA or ASIA/],
      ["ecr", "accessKeyId", "AKIAIOSFODNN7EXAMPLE1", /AKIA or ASIA/],
      ["ecr", "region", "us-east", /AWS region such as us-east-1/],
      ["ecr", "region", "useast1", /AWS region/],
      ["ecr", "region", "moon-base-1", /AWS region/],
      ["ecr", "region", "us_east_1", /AWS region/],
      ["ecr", "region", "us-east-1a", /AWS region/],
      ["ecr", "registryId", "12345678901", /12-digit/],
      ["ecr", "registryId", "1234567890123", /12-digit/],
      ["ecr", "registryId", "12345678901a", /12-digit/],
      ["gar", "region", "us-central", /location such as us-central1/],
      ["gar", "region", "moon", /location/],
      ["gar", "region", "us-east-1", /location/],
      ["gcr", "serviceAccountKey", "{not json", /not valid JSON/i],
      ["gcr", "serviceAccountKey", '{"type":"service_account",...}', /not valid JSON/i],
      ["gcr", "serviceAccountKey", "[1,2]", /JSON object/],
      [
        "gcr",
        "serviceAccountKey",
        JSON.stringify({ type: "authorized_user", client_email: "a@b.c", private_key: FAKE_PRIVATE_KEY_PEM }),
        /"type": "service_account"/,
      ],
      ["gar", "serviceAccountKey", JSON.stringify({ type: "service_account", private_key: FAKE_PRIVATE_KEY_PEM }), /client_email/],
      ["gar", "serviceAccountKey", JSON.stringify({ type: "service_account", client_email: "a@b.c", private_key: "MIIB..." }), /PEM private key/],
      ["gcr", "hostname", "example.com", /gcr\.io, us\.gcr\.io/],
      ["gcr", "hostname", "eu.gcr.io/project", /gcr\.io, us\.gcr\.io/],
      ["acr", "loginServer", "myreg.azurecr.io/path", /host name .* without scheme, port or path/],
      ["acr", "loginServer", "myreg.azurecr.io:443", /without scheme, port or path/],
      ["acr", "loginServer", "http://myreg.azurecr.io", /without scheme, port or path/],
      ["acr", "loginServer", "bad_name.azurecr.io", /invalid host name/i],
      ["quay", "caCertificate", "not a certificate", /PEM certificate/],
      ["quay", "caCertificate", `${FAKE_CA_CERTIFICATE}${FAKE_PRIVATE_KEY_PEM}`, /private key/],
      ["gitlab", "caCertificate", "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----", /base64/],
      ["ghcr", "username", "me:you", /“:”/],
      ["acr", "username", "a:b", /“:”/],
      ["custom", "url", "ftp://registry.example.com", /unsupported scheme/i],
      ["custom", "url", "https://u:p@registry.example.com", /user name or password/],
      ["harbor", "url", "harbor.example.com?x=1", /query/],
      ["ghcr", "url", "registry.example.com/org", /Must be ghcr\.io or a path under it, e\.g\. ghcr\.io\/my-org/],
      ["ghcr", "url", "http://ghcr.io/org", /Must be ghcr\.io/],
      ["dockerhub", "url", "quay.io/org", /Must be docker\.io/],
    ] as const)("%s %s %j", (type, name, value, message) => {
      const errors = errorsOf(createRegistrySchema, withCredentials(type, { [name]: value }));
      expect(errors).toHaveLength(1);
      expect(errors[0]?.path).toBe(`credentials.${name}`);
      expect(errors[0]?.message).toMatch(message);
    });

    it.each([
      ["ecr", "region", ["eu-west-1", "ap-southeast-2", "cn-north-1", "cn-northwest-1", "us-gov-west-1", "il-central-1", "mx-central-1", "sa-east-1"]],
      ["ecr", "accessKeyId", ["AKIAIOSFODNN7EXAMPLE", "AKIA0123456789ABCDEF"]],
      ["gar", "region", ["us-central1", "europe-west1", "northamerica-northeast1", "us", "europe", "asia"]],
      ["gcr", "hostname", ["gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"]],
      ["quay", "username", ["myorg+puller"]],
      ["harbor", "username", ["robot$project+puller"]],
      ["ghcr", "url", ["ghcr.io", "ghcr.io/my-org", "https://ghcr.io/my-org/"]],
      ["dockerhub", "url", ["docker.io/myorg", "index.docker.io/myorg", "registry-1.docker.io"]],
      ["gitlab", "url", ["gitlab.example.com:5050/group/project"]],
      ["artifactory", "url", ["art.example.com/docker-remote", "docker-remote.art.example.com"]],
      ["custom", "url", ["[::1]:5000", "localhost:5000", "http://10.0.0.5:5000"]],
    ] as const)("%s accepts valid %s values", (type, name, values) => {
      for (const value of values) parsed(createRegistrySchema, withCredentials(type, { [name]: value }));
    });

    it("accepts a CA bundle of several certificates", () => {
      parsed(createRegistrySchema, withCredentials("harbor", { caCertificate: `${FAKE_CA_CERTIFICATE}\n${FAKE_CA_CERTIFICATE}` }));
    });

    it("requires a session token for ASIA keys", () => {
      const errors = errorsOf(
        createRegistrySchema,
        withCredentials("ecr", { accessKeyId: "ASIAIOSFODNN7EXAMPLE", sessionToken: undefined }),
      );
      expect(errors).toEqual([{ path: "credentials.sessionToken", message: "Required for temporary (ASIA…) access keys" }]);
      parsed(createRegistrySchema, withCredentials("ecr", { accessKeyId: "ASIAIOSFODNN7EXAMPLE", sessionToken: "FwoGZXIvYXdzEFAKE" }));
    });
  });

  describe("custom needs username + password or a token", () => {
    const custom = (credentials: Record<string, unknown>) => ({
      name: "Internal",
      type: "custom",
      credentials: { url: "registry.internal.example.com", ...credentials },
    });

    it("accepts username + password, a token alone, and username + token", () => {
      parsed(createRegistrySchema, custom({ username: "deploy", password: "pw" }));
      parsed(createRegistrySchema, custom({ token: "bearer-token" }));
      parsed(createRegistrySchema, custom({ username: "deploy", token: "bearer-token" }));
    });

    it("names the missing half", () => {
      expect(errorsOf(createRegistrySchema, custom({ username: "deploy" }))).toEqual([
        { path: "credentials.password", message: "Required with a username (or enter a token instead)" },
      ]);
      expect(errorsOf(createRegistrySchema, custom({ password: "pw" }))).toEqual([
        { path: "credentials.username", message: "Required with a password" },
      ]);
      expect(errorsOf(createRegistrySchema, custom({}))).toEqual([
        { path: "credentials.username", message: "Required, unless you enter a token" },
        { path: "credentials.password", message: "Required, unless you enter a token" },
      ]);
      expect(errorsOf(createRegistrySchema, { name: "x", type: "custom", credentials: { token: "t" } })).toEqual([
        { path: "credentials.url", message: "Required" },
      ]);
    });
  });
});

describe("replaceRegistrySchema", () => {
  it("lets secrets be omitted or blank, to keep the stored ones", () => {
    const { data } = parsed(replaceRegistrySchema, withCredentials("ghcr", { token: "" }));
    expect(data.credentials).toEqual({ username: "berth-fixture" });
    parsed(replaceRegistrySchema, withCredentials("ecr", { secretAccessKey: undefined, accessKeyId: "ASIAIOSFODNN7EXAMPLE" }));
    parsed(replaceRegistrySchema, { name: "x", type: "custom", credentials: { url: "registry.example.com", username: "u" } });
    parsed(replaceRegistrySchema, { name: "x", type: "gcr", credentials: {} });
  });

  it("still requires non-secret fields and checks formats", () => {
    expect(errorsOf(replaceRegistrySchema, { name: "x", type: "ghcr", credentials: { token: "ghp_x" } })).toEqual([
      { path: "credentials.username", message: "Required" },
    ]);
    expect(errorsOf(replaceRegistrySchema, withCredentials("ecr", { region: "nowhere" }))).toEqual([
      { path: "credentials.region", message: "Must be an AWS region such as us-east-1" },
    ]);
  });
});

describe("findMissingCredentials", () => {
  it("counts kept secrets as present", () => {
    expect(findMissingCredentials("ghcr", { username: "me" }, ["token"])).toEqual([]);
    expect(findMissingCredentials("ghcr", { username: "me" })).toEqual([{ path: "credentials.token", message: "Required" }]);
    expect(findMissingCredentials("ecr", { accessKeyId: "ASIAIOSFODNN7EXAMPLE", region: "us-east-1" }, ["secretAccessKey", "sessionToken"])).toEqual([]);
    expect(findMissingCredentials("ecr", { accessKeyId: "ASIAIOSFODNN7EXAMPLE", region: "us-east-1" }, ["secretAccessKey"])).toEqual([
      { path: "credentials.sessionToken", message: "Required for temporary (ASIA…) access keys" },
    ]);
  });

  it("applies the custom either/or rule to kept secrets", () => {
    const base = { url: "registry.example.com", username: "u" };
    expect(findMissingCredentials("custom", base, ["password"])).toEqual([]);
    expect(findMissingCredentials("custom", base, ["token"])).toEqual([]);
    expect(findMissingCredentials("custom", base, [])).toEqual([
      { path: "credentials.password", message: "Required with a username (or enter a token instead)" },
    ]);
    expect(findMissingCredentials("custom", { url: "registry.example.com" }, ["token"])).toEqual([]);
  });

  it("never counts a kept value for a non-secret field", () => {
    expect(findMissingCredentials("acr", { password: "x" }, ["loginServer", "username"]).map((i) => i.path)).toEqual([
      "credentials.loginServer",
      "credentials.username",
    ]);
  });
});

describe("patchRegistrySchema", () => {
  it("accepts a partial body and keeps blank and null values as sent", () => {
    const { data, warnings } = parsed(patchRegistrySchema, {
      name: " Renamed ",
      credentials: { registryId: null, url: "", token: "new" },
    });
    expect(data).toEqual({ name: "Renamed", credentials: { registryId: null, url: "", token: "new" } });
    expect(warnings).toEqual([]);
    expect(parsed(patchRegistrySchema, {}).data).toEqual({});
    expect(parsed(patchRegistrySchema, { isActive: false }).data).toEqual({ isActive: false });
  });

  it("checks formats that do not depend on the type, and strictness", () => {
    expect(errorsOf(patchRegistrySchema, { credentials: { accessKeyId: "nope" } })[0]?.path).toBe("credentials.accessKeyId");
    expect(errorsOf(patchRegistrySchema, { credentials: { url: "ftp://x.example.com" } })[0]?.path).toBe("credentials.url");
    expect(errorsOf(patchRegistrySchema, { type: "ecr", credentials: { foo: 1 } })).toEqual([
      { path: "credentials.foo", message: "Unknown field" },
      { path: "type", message: "Unknown field" },
    ]);
    expect(errorsOf(patchRegistrySchema, { name: "" })).toEqual([{ path: "name", message: "Required" }]);
  });

  it("canonicalises URLs", () => {
    expect(parsed(patchRegistrySchema, { credentials: { url: "https://Harbor.example.com/" } }).data).toEqual({
      credentials: { url: "harbor.example.com" },
    });
  });
});

describe("checkConventions (warnings, not errors)", () => {
  const warningsFor = (type: RegistryTypeKey, changes: Record<string, unknown>) =>
    parsed(createRegistrySchema, withCredentials(type, changes)).warnings;

  it.each([
    ["ecr", { secretAccessKey: "tooShort/K7MDENG/bPxRfiCYEXAMPLEKEY" }, "credentials.secretAccessKey", /40 characters/],
    ["ecr", { accessKeyId: "ASIAIOSFODNN7EXAMPLE", sessionToken: "FwoG" }, "credentials.accessKeyId", /Temporary \(ASIA…\) credentials expire/],
    ["ecr", { sessionToken: "FwoG" }, "credentials.sessionToken", /only used with temporary/],
    ["acr", { loginServer: "registry.example.com" }, "credentials.loginServer", /myregistry\.azurecr\.io/],
    ["acr", { loginServer: "abc.azurecr.io" }, "credentials.loginServer", /azurecr/],
    ["ghcr", { token: "0123456789abcdef" }, "credentials.token", /start with ghp_, gho_, ghu_, ghs_ or ghr_/],
    ["ghcr", { token: "github_pat_11FAKE" }, "credentials.token", /fine-grained/],
    ["gitlab", { token: "abcdef" }, "credentials.token", /glpat- .* gldt-/],
    ["dockerhub", { password: "hunter2" }, "credentials.password", /use an access token, not your account password/i],
    ["custom", { url: "http://registry.internal:5000" }, "credentials.url", /unencrypted/],
    ["harbor", { insecureSkipVerify: true }, "credentials.insecureSkipVerify", /not verified/],
    ["custom", { url: "http://10.0.0.5:5000", insecureSkipVerify: true }, "credentials.insecureSkipVerify", /no effect/],
    ["gcr", { hostname: "k8s.gcr.io" }, "credentials.hostname", /gcr\.io, us\.gcr\.io, eu\.gcr\.io and asia\.gcr\.io/],
    ["gar", { region: "us-central9" }, "credentials.region", /not a known Artifact Registry location/],
    ["custom", { url: "registry.example.com/v2" }, "credentials.url", /API path/],
    ["custom", { url: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" }, "credentials.url", /Amazon ECR type/],
  ] as const)("%s %j warns at %s", (type, changes, path, message) => {
    const warnings = warningsFor(type, changes);
    expect(warnings.map((w) => w.path)).toContain(path);
    expect(messagesAt(warnings, path).some((m) => message.test(m))).toBe(true);
  });

  it.each([
    ["ghcr", { token: "ghp_x" }],
    ["ghcr", { token: "gho_x" }],
    ["ghcr", { token: "ghu_x" }],
    ["ghcr", { token: "ghs_x" }],
    ["ghcr", { token: "ghr_x" }],
    ["gitlab", { token: "glpat-x" }],
    ["gitlab", { token: "gldt-x" }],
    ["dockerhub", { password: "dckr_pat_x" }],
    ["dockerhub", { password: "dckr_oat_x" }],
    ["acr", { loginServer: "myregistry.azurecr.cn" }],
    ["acr", { loginServer: "myregistry-abc123.azurecr.us" }],
    ["ecr", { secretAccessKey: FAKE_AWS_SECRET_ACCESS_KEY }],
    ["gar", { region: "europe" }],
    ["public", { url: "http://mirror.internal:5000" }],
    ["quay", { url: "quay.example.com", caCertificate: FAKE_CA_CERTIFICATE }],
  ] as const)("%s %j gives no warning", (type, changes) => {
    expect(warningsFor(type, changes)).toEqual([]);
  });

  it("is exported for merged credentials (PATCH) and never turns into an error", () => {
    expect(checkConventions("dockerhub", { username: "me", password: "hunter2" })).toEqual([
      {
        path: "credentials.password",
        message: "Use an access token, not your account password: Docker Hub access tokens start with dckr_pat_",
      },
    ]);
    expect(parseRegistryInput(createRegistrySchema, withCredentials("dockerhub", { password: "hunter2" })).ok).toBe(true);
  });
});

describe("fixtures", () => {
  it("hold a parseable fake service-account key with a PEM private key", () => {
    const key = JSON.parse(FAKE_SERVICE_ACCOUNT_KEY) as Record<string, string>;
    expect(key.type).toBe("service_account");
    expect(key.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
    expect(atob(FAKE_PRIVATE_KEY_PEM.split("\n").slice(1, -2).join(""))).toMatch(/^Berth test fixture: not a real private key/);
  });

  it("hand out copies", () => {
    const copy = registryFixture("ghcr") as { credentials: Record<string, unknown> };
    copy.credentials.token = "changed";
    expect(REGISTRY_FIXTURES.ghcr.credentials?.token).not.toBe("changed");
  });
});

describe("JSON Schema (for the OpenAPI document)", () => {
  it("can be generated from the request schemas", () => {
    const create = z.toJSONSchema(createRegistrySchema, { io: "input" }) as { oneOf?: unknown[] };
    expect(create.oneOf).toHaveLength(14);
    expect(JSON.stringify(create)).toContain('"const":"ghcr"');
    expect(() => z.toJSONSchema(replaceRegistrySchema, { io: "input" })).not.toThrow();
    expect(() => z.toJSONSchema(patchRegistrySchema, { io: "input" })).not.toThrow();
  });
});
