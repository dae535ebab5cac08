/**
 * The Kubernetes recipes of docs/kubernetes.md: every manifest parses as kubectl reads it (YAML
 * 1.1), the CronJob hands the refresh script exactly the variables it reads, the RBAC rules
 * allow only the one Secret, and the External Secrets manifests use only the documented fields
 * of the `Webhook` generator. The script itself runs against a loopback stand-in of the
 * pull-secret API (its answer shape), with `cat` in place of kubectl.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { startHttpServer, type LoopbackServer } from "@/lib/testing/registry-servers";

const DIR = __dirname;
const SCRIPT = path.join(DIR, "refresh-pull-secret.sh");
const scriptText = fs.readFileSync(SCRIPT, "utf8");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = Record<string, any>;

function manifests(file: string): Manifest[] {
  const docs = parseAllDocuments(fs.readFileSync(path.join(DIR, file), "utf8"), { version: "1.1" });
  return docs.map((d) => {
    expect(d.errors, file).toEqual([]);
    expect(d.warnings, file).toEqual([]);
    return d.toJS() as Manifest;
  });
}
const all = () => fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).flatMap((f) => manifests(f).map((m) => ({ file: f, m })));
const find = (kind: string) => all().filter(({ m }) => m.kind === kind).map(({ m }) => m);
const one = (kind: string) => {
  const found = find(kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

/** The variables the script reads: every `${NAME` in it, less its own lower-case locals. */
const scriptVariables = new Set([...scriptText.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));

describe("every manifest in docs/kubernetes/", () => {
  it("parses, names its kind, apiVersion, name and namespace", () => {
    const found = all();
    expect(found.map(({ file }) => file).sort()).toEqual(["cronjob.yaml", "external-secret.yaml", "external-secret.yaml", "external-secret.yaml", "rbac.yaml", "rbac.yaml", "rbac.yaml"]);
    for (const { file, m } of found) {
      expect(m.apiVersion, file).toEqual(expect.any(String));
      expect(m.kind, file).toEqual(expect.any(String));
      expect(m.metadata.name, file).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(m.metadata.namespace, `${file} ${m.kind}`).toBe("my-app");
    }
  });
});

describe("(a) the CronJob and the refresh script", () => {
  const cron = () => one("CronJob");
  const pod = () => cron().spec.jobTemplate.spec.template.spec;
  const container = (): Manifest => pod().containers[0];
  const env = (): Record<string, Manifest> => Object.fromEntries((container().env as Manifest[]).map((e) => [e.name, e]));

  it("sets only variables the script reads, and every one it requires", () => {
    const names = Object.keys(env());
    const required = [...scriptText.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!);
    expect(required.sort()).toEqual(["BERTH_COMPANY", "BERTH_HOSTS", "BERTH_URL"]);
    for (const name of required) expect(names).toContain(name);
    // HOME is kubectl's (its cache directory), not the script's.
    for (const name of names.filter((n) => n !== "HOME")) expect(scriptVariables, name).toContain(name);
    expect(env().SECRET_NAMESPACE!.valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.namespace" } });
  });

  it("mounts the token Secret where BERTH_TOKEN_FILE points, and the script where the command runs it", () => {
    const mounts: Record<string, Manifest> = Object.fromEntries((container().volumeMounts as Manifest[]).map((v) => [v.name, v]));
    const volumes: Record<string, Manifest> = Object.fromEntries((pod().volumes as Manifest[]).map((v) => [v.name, v]));
    const tokenFile = env().BERTH_TOKEN_FILE!.value as string;
    expect(scriptText).toContain(`BERTH_TOKEN_FILE:-${tokenFile}}`);
    const tokenVolume = Object.values(volumes).find((v) => v.secret)!;
    expect(tokenVolume.secret).toMatchObject({ secretName: "berth-api-token", items: [{ key: "token", path: path.basename(tokenFile) }] });
    // YAML 1.1 (what kubectl reads): 0440 is octal, owner and group read only.
    expect(tokenVolume.secret.defaultMode).toBe(0o440);
    expect(mounts[tokenVolume.name]).toMatchObject({ mountPath: path.dirname(tokenFile), readOnly: true });
    const [shell, script] = container().command as string[];
    expect(shell).toBe("/bin/sh");
    const scriptVolume = Object.values(volumes).find((v) => v.configMap)!;
    expect(mounts[scriptVolume.name]!.mountPath).toBe(path.dirname(script!));
    expect(path.basename(script!)).toBe("refresh-pull-secret.sh");
    // The root file system is read-only: the script's temporary files need a writable /tmp.
    expect(container().securityContext.readOnlyRootFilesystem).toBe(true);
    expect(Object.values(mounts).some((m) => m.mountPath === "/tmp" && volumes[m.name]!.emptyDir)).toBe(true);
  });

  it("runs as a ServiceAccount whose Role reaches only its one Secret (create cannot be limited by name)", () => {
    const account = one("ServiceAccount");
    expect(pod().serviceAccountName).toBe(account.metadata.name);
    const role = one("Role");
    const binding = one("RoleBinding");
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace }]);
    const secretName = env().SECRET_NAME!.value;
    expect(role.rules).toEqual([
      { apiGroups: [""], resources: ["secrets"], resourceNames: [secretName], verbs: ["get", "patch", "update"] },
      { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    ]);
    expect(cron().spec.concurrencyPolicy).toBe("Forbid");
  });
});

/**
 * The `Webhook` generator's documented fields (generators.external-secrets.io/v1alpha1,
 * WebhookSpec): method, url, headers, auth, body, timeout, result (jsonPath), secrets (name,
 * secretRef: name, key), caBundle, caProvider. A token Secret it reads must carry the label
 * `external-secrets.io/type: webhook`.
 */
const WEBHOOK_SPEC_FIELDS = ["method", "url", "headers", "auth", "body", "timeout", "result", "secrets", "caBundle", "caProvider"];
const WEBHOOK_RESULT_FIELDS = ["jsonPath"];
const WEBHOOK_SECRET_FIELDS = ["name", "secretRef"];
const SECRET_KEY_SELECTOR_FIELDS = ["name", "key"];

describe("(b) External Secrets: a Webhook generator and an ExternalSecret", () => {
  it("the generator uses only documented fields and asks Berth for format secret-data", () => {
    const webhook = one("Webhook");
    expect(webhook.apiVersion).toBe("generators.external-secrets.io/v1alpha1");
    for (const key of Object.keys(webhook.spec)) expect(WEBHOOK_SPEC_FIELDS, key).toContain(key);
    for (const key of Object.keys(webhook.spec.result)) expect(WEBHOOK_RESULT_FIELDS, key).toContain(key);
    for (const s of webhook.spec.secrets) {
      for (const key of Object.keys(s)) expect(WEBHOOK_SECRET_FIELDS, key).toContain(key);
      for (const key of Object.keys(s.secretRef)) expect(SECRET_KEY_SELECTOR_FIELDS, key).toContain(key);
    }
    expect(webhook.spec.method).toBe("POST");
    expect(webhook.spec.url).toMatch(/^https:\/\/[^/]+\/api\/v1\/companies\/[^/]+\/registries\/pull-secret$/);
    expect(webhook.spec.timeout).toMatch(/^\d+(s|m)$/);
    expect(JSON.parse(webhook.spec.body)).toEqual({ hosts: expect.arrayContaining([expect.any(String)]), format: "secret-data" });
    expect(webhook.spec.result.jsonPath).toBe("$.content");
    expect(webhook.spec.headers["Content-Type"]).toBe("application/json");
  });

  it("the Authorization header comes from a labelled Secret through secrets:, by a key that Secret has", () => {
    const webhook = one("Webhook");
    const m = /^Bearer \{\{ \.([a-z]+)\.([a-z]+) \}\}$/.exec(webhook.spec.headers.Authorization);
    expect(m).not.toBeNull();
    const [, alias, key] = m!;
    const ref = (webhook.spec.secrets as { name: string; secretRef: { name: string } }[]).find((s) => s.name === alias);
    expect(ref).toBeDefined();
    const secret = find("Secret").find((s) => s.metadata.name === ref!.secretRef.name);
    expect(secret?.metadata.labels).toEqual({ "external-secrets.io/type": "webhook" });
    expect(Object.keys(secret!.stringData)).toEqual([key]);
  });

  it("the ExternalSecret reads the generator and writes a kubernetes.io/dockerconfigjson Secret from the .dockerconfigjson key", () => {
    const webhook = one("Webhook");
    const es = one("ExternalSecret");
    expect(es.apiVersion).toBe("external-secrets.io/v1");
    expect(es.spec.dataFrom).toEqual([{ sourceRef: { generatorRef: { apiVersion: webhook.apiVersion, kind: "Webhook", name: webhook.metadata.name } } }]);
    expect(es.spec.target.template.type).toBe("kubernetes.io/dockerconfigjson");
    // A key starting with a dot is reached with index: `.{{ .dockerconfigjson }}` would not parse.
    expect(es.spec.target.template.data).toEqual({ ".dockerconfigjson": '{{ index . ".dockerconfigjson" }}' });
    expect(es.spec.refreshInterval).toMatch(/^\d+(m|h)$/);
  });
});

describe("the refresh script against a loopback stand-in of the pull-secret API", () => {
  const TOKEN = `brt_${"T".repeat(20)}ScriptToken_0123456789-abc`;
  let server: LoopbackServer;
  let dir: string;
  let answer: { status: number; body: unknown };
  const requests: { method?: string; url?: string; authorization?: string; userAgent?: string; body: string }[] = [];
  /** A Secret as the API formats it, with characters that JSON must escape. */
  const SECRET_YAML =
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: berth-pull-secret\n  namespace: my-app\n  annotations:\n    note: "quoted \\\\ back\\tslash A"\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: eyJhdXRocyI6e319\n';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-refresh-"));
    fs.writeFileSync(path.join(dir, "token"), `${TOKEN}\n`, { mode: 0o600 });
    server = await startHttpServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization, userAgent: req.headers["user-agent"], body });
        res.writeHead(answer.status, { "Content-Type": answer.status === 200 ? "application/json" : "application/problem+json" });
        res.end(JSON.stringify(answer.body));
      });
    });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function runScript(extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; applied: string | null }> {
    const out = path.join(dir, `applied-${requests.length}-${Math.random().toString(36).slice(2)}.yaml`);
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: "test",
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      BERTH_URL: `http://${server.host}/`,
      BERTH_COMPANY: "acme",
      BERTH_HOSTS: "ghcr.io, 127.0.0.1:5000 [::1]:5001",
      BERTH_TOKEN_FILE: path.join(dir, "token"),
      SECRET_NAMESPACE: "my-app",
      KUBECTL: `cat > '${out}'`,
      ...extra,
    };
    return new Promise((resolve) => {
      const child = spawn("sh", [SCRIPT], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d));
      child.stderr.on("data", (d: Buffer) => (stderr += d));
      child.on("close", (code: number | null) => resolve({ code, stdout, stderr, applied: fs.existsSync(out) ? fs.readFileSync(out, "utf8") : null }));
    });
  }

  it("posts the hosts with format kubernetes and the token, and applies exactly the Secret YAML", async () => {
    answer = { status: 200, body: { format: "kubernetes", content: SECRET_YAML, expiresAt: null, registries: [] } };
    const before = requests.length;
    const r = await runScript();
    expect(r.code, r.stderr).toBe(0);
    expect(r.applied).toBe(SECRET_YAML);
    expect(requests.slice(before)).toEqual([
      { method: "POST", url: "/api/v1/companies/acme/registries/pull-secret", authorization: `Bearer ${TOKEN}`, userAgent: "berth-refresh-pull-secret/1", body: expect.any(String) },
    ]);
    expect(JSON.parse(requests.at(-1)!.body)).toEqual({ hosts: ["ghcr.io", "127.0.0.1:5000", "[::1]:5001"], format: "kubernetes", name: "berth-pull-secret", namespace: "my-app" });
    expect(r.stderr).toContain("applied Secret my-app/berth-pull-secret");
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("fails loudly on any answer but 200, with Berth's reason and never the token", async () => {
    for (const status of [401, 403, 404, 429, 500]) {
      answer = { status, body: { type: "https://berth.dev/problems/x", title: "x", status, detail: `Reason number ${status} for "it"` } };
      const r = await runScript();
      expect(r.code, `${status}`).not.toBe(0);
      expect(r.applied).toBeNull();
      expect(r.stderr).toContain(`Berth answered HTTP ${status}: Reason number ${status} for "it"`);
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
    }
    answer = { status: 200, body: { format: "kubernetes", content: "not a secret\n" } };
    const notSecret = await runScript();
    expect(notSecret.code).not.toBe(0);
    expect(notSecret.applied).toBeNull();
    expect(notSecret.stderr).toContain("not a Kubernetes Secret");
  });

  it("refuses bad settings before sending anything", async () => {
    const before = requests.length;
    fs.writeFileSync(path.join(dir, "bad-token"), "not-a-token\n");
    const cases: [Record<string, string>, string][] = [
      [{ BERTH_TOKEN_FILE: path.join(dir, "missing") }, "cannot read the API token file"],
      [{ BERTH_TOKEN_FILE: path.join(dir, "bad-token") }, "does not hold a Berth API token"],
      [{ BERTH_HOSTS: 'ghcr.io "injected' }, "not a registry host"],
      [{ BERTH_HOSTS: " , " }, "names no host"],
      [{ BERTH_COMPANY: "acme/../x" }, "BERTH_COMPANY must be"],
      [{ SECRET_NAME: "Bad_Name" }, "lower-case DNS names"],
      [{ BERTH_URL: "" }, "set BERTH_URL"],
    ];
    for (const [extra, message] of cases) {
      const r = await runScript(extra);
      expect(r.code, message).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
    expect(requests.length).toBe(before);
  });
});
