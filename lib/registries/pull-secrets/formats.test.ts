import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { dockerConfigJson, dockerLoginLines, formatPullSecret, kubernetesSecretYaml, secretData, shellQuote, type SignInEntry } from "./formats";
import { dns1123LabelProblem, dns1123SubdomainProblem, pullSecretRequestSchema } from "./request";
import { FAKE_SERVICE_ACCOUNT_KEY } from "../fixtures";

const HUB: SignInEntry = { key: "https://index.docker.io/v1/", loginServer: "docker.io", username: "berth", password: "dckr_pat_FAKE" };
const GCR: SignInEntry = { key: "gcr.io", loginServer: "gcr.io", username: "_json_key", password: FAKE_SERVICE_ACCOUNT_KEY };
const PREFIXED: SignInEntry = { key: "127.0.0.1:5000/team-a", loginServer: "127.0.0.1:5000/team-a", username: "carol", password: "pä:ss" };

describe("dockerconfigjson", () => {
  it("holds username, password and auth (standard base64 of user:password, padded) per key", () => {
    const config = dockerConfigJson([HUB, GCR, PREFIXED]);
    expect(Object.keys(config.auths)).toEqual(["https://index.docker.io/v1/", "gcr.io", "127.0.0.1:5000/team-a"]);
    expect(config.auths["127.0.0.1:5000/team-a"]).toEqual({ username: "carol", password: "pä:ss", auth: Buffer.from("carol:pä:ss", "utf8").toString("base64") });
    expect(config.auths["https://index.docker.io/v1/"]!.auth).toBe("YmVydGg6ZGNrcl9wYXRfRkFLRQ==");
    // the key JSON survives the round trip exactly (quotes and newlines escaped by JSON itself)
    const text = JSON.stringify(config);
    expect(JSON.parse(text).auths["gcr.io"].password).toBe(FAKE_SERVICE_ACCOUNT_KEY);
    expect(JSON.parse(Buffer.from(JSON.parse(text).auths["gcr.io"].auth, "base64").toString("utf8").slice("_json_key:".length))).toMatchObject({ type: "service_account" });
  });

  it("secret-data is the same JSON as a string under .dockerconfigjson", () => {
    const data = secretData(dockerConfigJson([HUB, GCR]));
    expect(Object.keys(data)).toEqual([".dockerconfigjson"]);
    expect(JSON.parse(data[".dockerconfigjson"])).toEqual(dockerConfigJson([HUB, GCR]));
  });
});

describe("the Kubernetes Secret", () => {
  it("parses back with a YAML library into a kubernetes.io/dockerconfigjson Secret", () => {
    const text = kubernetesSecretYaml(dockerConfigJson([HUB, GCR, PREFIXED]), { name: "pull.creds-1", namespace: "team-a" });
    expect(parseAllDocuments(text)).toHaveLength(1);
    const doc = parseYaml(text) as Record<string, unknown> & { metadata: Record<string, unknown>; data: Record<string, string> };
    expect(doc).toMatchObject({ apiVersion: "v1", kind: "Secret", type: "kubernetes.io/dockerconfigjson", metadata: { name: "pull.creds-1", namespace: "team-a" } });
    expect(Object.keys(doc.data)).toEqual([".dockerconfigjson"]);
    expect(JSON.parse(Buffer.from(doc.data[".dockerconfigjson"]!, "base64").toString("utf8"))).toEqual(dockerConfigJson([HUB, GCR, PREFIXED]));
  });

  it("defaults to berth-pull-secret in default", () => {
    const doc = parseYaml(formatPullSecret("kubernetes", [HUB]) as string) as { metadata: { name: string; namespace: string } };
    expect(doc.metadata).toMatchObject({ name: "berth-pull-secret", namespace: "default" });
  });
});

describe("DNS-1123 names", () => {
  it.each([
    ["berth-pull-secret", true, true],
    ["a", true, true],
    ["0abc", true, true],
    ["pull.creds", true, false],
    ["a".repeat(63), true, true],
    ["a".repeat(64), true, false],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`, true, false],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`, false, false],
    ["Upper", false, false],
    ["-lead", false, false],
    ["trail-", false, false],
    ["under_score", false, false],
    ["a..b", false, false],
    ["", false, false],
    ["sp ace", false, false],
  ])("%j: subdomain %s, label %s", (value, subdomain, label) => {
    expect(dns1123SubdomainProblem(value) === undefined).toBe(subdomain);
    expect(dns1123LabelProblem(value) === undefined).toBe(label);
  });

  it("the request names the bad field", () => {
    const bad = pullSecretRequestSchema.safeParse({ hosts: ["ghcr.io"], format: "kubernetes", name: "Bad_Name", namespace: "a.b" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(["namespace", "name"]);
    const other = pullSecretRequestSchema.safeParse({ hosts: ["ghcr.io"], format: "dockerconfigjson", name: "ok" });
    expect(other.error?.issues).toEqual([expect.objectContaining({ path: ["name"], message: "Only used with format kubernetes" })]);
  });
});

describe("the request body", () => {
  it.each([
    [{ format: "dockerconfigjson" }, [""]],
    [{ hosts: ["a"], images: ["b"], format: "dockerconfigjson" }, ["hosts"]],
    [{ hosts: [], format: "dockerconfigjson" }, ["hosts"]],
    [{ images: Array.from({ length: 51 }, (_, i) => `app${i}`), format: "dockerconfigjson" }, ["images"]],
    [{ images: ["x"], format: "yaml" }, ["format"]],
    [{ images: ["x"], format: "dockerconfigjson", extra: 1 }, [""]],
    [{ registryIds: "abc", format: "dockerconfigjson" }, ["registryIds"]],
  ])("%j is refused at %j", (body, paths) => {
    const parsed = pullSecretRequestSchema.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(paths);
  });

  it("takes 50 entries", () => {
    expect(pullSecretRequestSchema.safeParse({ images: Array.from({ length: 50 }, (_, i) => `app${i}`), format: "secret-data" }).success).toBe(true);
  });
});

/** Runs the lines in bash with `docker` a function that records its arguments and its stdin. */
function runDockerLogin(lines: string): { args: string[]; stdin: string }[] {
  const script = [
    "set -euo pipefail",
    'docker() { local input; input="$(cat; printf x)"; input="${input%x}"; printf \'%s\\0\' "$#" "$@" "$input"; }',
    lines,
  ].join("\n");
  const out = execFileSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, HOME: "/nonexistent" } });
  const fields = out.split("\0").slice(0, -1);
  const calls: { args: string[]; stdin: string }[] = [];
  while (fields.length > 0) {
    const n = Number(fields.shift());
    const args = fields.splice(0, n);
    calls.push({ args, stdin: fields.shift()! });
  }
  return calls;
}

describe("docker-login lines", () => {
  const NASTY = [
    `it's "quoted"`,
    "$HOME and ${PATH} and $(touch /tmp/berth-pwned) and `id`",
    "back\\slash\\n not a newline",
    "line one\nline two\n",
    "'",
    "''''",
    "!history !! ^caret; rm -rf / # & | > <",
    "tab\there",
  ];

  it("quotes a value as one literal shell word", () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellQuote("")).toBe("''");
  });

  it.each(NASTY)("passes the password %j on stdin, exactly, and the user and server as single arguments", (password) => {
    const username = `robot$ci'"${password.length}`;
    const lines = dockerLoginLines([{ key: "127.0.0.1:5000/team-a", loginServer: "127.0.0.1:5000/team-a", username, password }]);
    expect(lines).toMatch(/^printf '%s' '.*' \| docker login '127\.0\.0\.1:5000\/team-a' --username '.*' --password-stdin\n$/s);
    const calls = runDockerLogin(lines);
    expect(calls).toEqual([{ args: ["login", "127.0.0.1:5000/team-a", "--username", username, "--password-stdin"], stdin: password }]);
  });

  it("writes one line per registry and nothing runs but docker", () => {
    const lines = dockerLoginLines([HUB, GCR, PREFIXED]);
    const calls = runDockerLogin(lines);
    expect(calls.map((c) => c.args[1])).toEqual(["docker.io", "gcr.io", "127.0.0.1:5000/team-a"]);
    expect(calls[1]!.stdin).toBe(FAKE_SERVICE_ACCOUNT_KEY);
    expect(lines.split("\n").filter((l) => l.startsWith("printf "))).toHaveLength(3);
  });
});
