/** Reading a Docker config for the import: keys, `auth` decoding, unmappable entries, shape errors. */
import { describe, expect, it } from "vitest";
import { displayKey, importRequestSchema, MAX_IMPORT_ENTRIES, parseDockerConfig, registryUrlOfKey } from "./docker-config";

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("registryUrlOfKey", () => {
  it.each([
    ["https://index.docker.io/v1/", "docker.io"],
    ["https://index.docker.io/v1", "docker.io"],
    ["index.docker.io", "docker.io"],
    ["docker.io", "docker.io"],
    ["registry-1.docker.io", "docker.io"],
    ["https://registry-1.docker.io/v2/", "docker.io"],
    ["ghcr.io", "ghcr.io"],
    ["https://ghcr.io", "https://ghcr.io"],
    ["ghcr.io/org-a", "ghcr.io/org-a"],
    ["https://registry.example.com/v2/", "https://registry.example.com"],
    ["registry.example.com/v1", "registry.example.com"],
    ["http://127.0.0.1:5000", "http://127.0.0.1:5000"],
    ["127.0.0.1:5000/team-a", "127.0.0.1:5000/team-a"],
    ["127.0.0.1:5000/team/v2", "127.0.0.1:5000/team/v2"],
    ["  quay.io  ", "quay.io"],
  ])("%s → %s", (key, url) => {
    expect(registryUrlOfKey(key)).toBe(url);
  });
});

describe("displayKey", () => {
  it("masks a user:password@ in front of the host and leaves other keys alone", () => {
    expect(displayKey("https://bob:hunter2-secret@registry.example.com")).toBe("https://***@registry.example.com");
    expect(displayKey("bob:hunter2-secret@registry.example.com/x")).toBe("***@registry.example.com/x");
    expect(displayKey("ghcr.io/org@x")).toBe("ghcr.io/org@x");
    expect(displayKey("https://index.docker.io/v1/")).toBe("https://index.docker.io/v1/");
  });
});

describe("parseDockerConfig", () => {
  it("decodes auth (split at the first colon) and takes username/password fields", () => {
    const result = parseDockerConfig({
      auths: {
        "ghcr.io": { auth: b64("octo:ghp_pass:with:colons") },
        "https://index.docker.io/v1/": { username: "hubuser", password: "dckr_pat_x", email: "a@b.c" },
        "127.0.0.1:5000": { auth: b64("local:pw"), username: "ignored", password: "ignored" },
        "quay.io": { auth: b64("robot+x:tok").replace(/=+$/, "") },
      },
    });
    expect(result).toEqual({
      ok: true,
      entries: [
        { key: "ghcr.io", url: "ghcr.io", username: "octo", password: "ghp_pass:with:colons" },
        { key: "https://index.docker.io/v1/", url: "docker.io", username: "hubuser", password: "dckr_pat_x" },
        { key: "127.0.0.1:5000", url: "127.0.0.1:5000", username: "local", password: "pw" },
        { key: "quay.io", url: "quay.io", username: "robot+x", password: "tok" },
      ],
    });
  });

  it("keeps UTF-8 in decoded credentials", () => {
    const result = parseDockerConfig({ auths: { "r.example.com": { auth: b64("jörg:pässwörd€") } } });
    expect(result).toEqual({ ok: true, entries: [{ key: "r.example.com", url: "r.example.com", username: "jörg", password: "pässwörd€" }] });
  });

  it("gives a reason for every entry that holds no usable secret, never the values", () => {
    const result = parseDockerConfig({
      auths: {
        "a.example.com": {},
        "b.example.com": { auth: b64("user-only:"), identitytoken: "identity-token-value-0001" },
        "c.example.com": { registrytoken: "registry-token-value-0002" },
        "d.example.com": { username: "lonely" },
        "e.example.com": { auth: "%%% not base64 %%%" },
        "f.example.com": { auth: b64("no-colon-here") },
        "ghcr.io": { auth: b64("octo:ghp_x") },
      },
      credHelpers: { "123456789012.dkr.ecr.us-east-1.amazonaws.com": "ecr-login", "ghcr.io": "gh" },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const reasons = Object.fromEntries(result.entries.map((e) => [e.key, "reason" in e ? e.reason : "mapped"]));
    expect(reasons).toEqual({
      "a.example.com": expect.stringMatching(/no credentials/),
      "b.example.com": expect.stringMatching(/identity token/),
      "c.example.com": expect.stringMatching(/registry token/),
      "d.example.com": expect.stringMatching(/no password/),
      "e.example.com": expect.stringMatching(/not base64 of username:password/),
      "f.example.com": expect.stringMatching(/not base64 of username:password/),
      "ghcr.io": "mapped",
      // ghcr.io has an auths entry: the helper entry for the same key is not listed twice.
      "123456789012.dkr.ecr.us-east-1.amazonaws.com": expect.stringMatching(/credential helper docker-credential-ecr-login/),
    });
    expect(JSON.stringify(result.entries.filter((e) => "reason" in e))).not.toMatch(/identity-token-value|registry-token-value|lonely/);
  });

  it("names the credential store when entries are empty because of credsStore", () => {
    const result = parseDockerConfig({ auths: { "https://index.docker.io/v1/": {} }, credsStore: "desktop" });
    expect(result).toEqual({ ok: true, entries: [{ key: "https://index.docker.io/v1/", reason: expect.stringContaining('credential store "desktop"') }] });
  });

  it("masks a password written into a key", () => {
    const result = parseDockerConfig({ auths: { "https://bob:key-Password-9911@r.example.com": { auth: b64("bob:x") } } });
    expect(JSON.stringify(result)).not.toContain("key-Password-9911");
    expect(result).toEqual({ ok: true, entries: [{ key: "https://***@r.example.com", reason: expect.stringContaining("user:password@host") }] });
  });

  it.each<[string, unknown, string[]]>([
    ["an array", [], ["dockerconfigjson"]],
    ["text", "auths", ["dockerconfigjson"]],
    ["null", null, ["dockerconfigjson"]],
    ["auths not an object", { auths: [] }, ["dockerconfigjson.auths"]],
    ["auths a string", { auths: "ghcr.io" }, ["dockerconfigjson.auths"]],
    ["no registries at all", { auths: {} }, ["dockerconfigjson.auths"]],
    ["an empty object", {}, ["dockerconfigjson.auths"]],
    ["an entry that is not an object", { auths: { "ghcr.io": "b2N0bzp4" } }, ["dockerconfigjson.auths.ghcr.io"]],
    ["fields that are not text", { auths: { "ghcr.io": { auth: 5, username: ["x"], password: true } } }, ["dockerconfigjson.auths.ghcr.io.auth", "dockerconfigjson.auths.ghcr.io.username", "dockerconfigjson.auths.ghcr.io.password"]],
    ["credHelpers not an object", { auths: { "ghcr.io": {} }, credHelpers: "gh" }, ["dockerconfigjson.credHelpers"]],
    ["a helper name that is not text", { credHelpers: { "gcr.io": 1 } }, ["dockerconfigjson.credHelpers.gcr.io"]],
    ["credsStore not text", { auths: { "ghcr.io": {} }, credsStore: 1 }, ["dockerconfigjson.credsStore"]],
  ])("refuses %s with the field's path", (_label, config, paths) => {
    const result = parseDockerConfig(config);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path).sort()).toEqual([...paths].sort());
  });

  it(`refuses more than ${MAX_IMPORT_ENTRIES} entries`, () => {
    const auths = Object.fromEntries(Array.from({ length: MAX_IMPORT_ENTRIES + 1 }, (_, i) => [`r${i}.example.com`, { auth: b64("u:p") }]));
    expect(parseDockerConfig({ auths })).toEqual({ ok: false, errors: [{ path: "dockerconfigjson.auths", message: expect.stringContaining(String(MAX_IMPORT_ENTRIES)) }] });
    delete auths["r0.example.com"];
    expect(parseDockerConfig({ auths }).ok).toBe(true);
  });
});

describe("importRequestSchema", () => {
  it("takes the config as an object or as JSON text, and dryRun", () => {
    expect(importRequestSchema.parse({ dockerconfigjson: { auths: {} } })).toEqual({ dockerconfigjson: { auths: {} }, dryRun: false });
    expect(importRequestSchema.parse({ dockerconfigjson: "{}", dryRun: true })).toEqual({ dockerconfigjson: "{}", dryRun: true });
  });

  it.each<[string, unknown, string]>([
    ["a missing config", {}, "dockerconfigjson"],
    ["a number", { dockerconfigjson: 5 }, "dockerconfigjson"],
    ["an array", { dockerconfigjson: [] }, "dockerconfigjson"],
    ["a dryRun that is not a boolean", { dockerconfigjson: {}, dryRun: "yes" }, "dryRun"],
    ["an unknown field", { dockerconfigjson: {}, dryrun: true }, ""],
    ["text over 64 KiB", { dockerconfigjson: "x".repeat(64 * 1024 + 1) }, "dockerconfigjson"],
  ])("refuses %s", (_label, body, path) => {
    const result = importRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual([path]);
  });
});
