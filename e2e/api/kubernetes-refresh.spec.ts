import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { parse } from "yaml";
import { bootstrapOwner } from "../support/session";

/**
 * The CronJob recipe of docs/kubernetes.md, run for real: its script asks this Berth server for
 * the namespace's pull secret and applies it, with `cat` standing in for `kubectl apply -f -`.
 */
const SCRIPT = path.resolve(__dirname, "../../docs/kubernetes/refresh-pull-secret.sh");

function runScript(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", [SCRIPT], { env: { NODE_ENV: "test", PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("refresh-pull-secret.sh applies the Secret Berth issues for the hosts, and fails loudly for a wrong token", async ({ request, baseURL }) => {
  const { companyId, companySlug, token } = await bootstrapOwner(request, ["registries:read", "registries:write", "registries:pull"]);
  const stamp = Date.now();
  const password = `cron-'$secret"-${stamp}`;
  const hosts = [`127.0.0.1:5997`, `[::1]:5996`];
  for (const [i, host] of hosts.entries()) {
    const res = await request.post(`/api/v1/companies/${companyId}/registries`, {
      data: { name: `cronjob ${stamp} ${i}`, type: "custom", credentials: { url: `${host}/cron-${stamp}`, username: `robot-${i}`, password: `${password}-${i}` } },
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status(), await res.text()).toBe(201);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-cron-"));
  const applied = path.join(dir, "applied.yaml");
  fs.writeFileSync(path.join(dir, "token"), `${token}\n`, { mode: 0o600 });
  const env = {
    BERTH_URL: baseURL!,
    BERTH_COMPANY: companySlug,
    BERTH_HOSTS: hosts.join(","),
    BERTH_TOKEN_FILE: path.join(dir, "token"),
    SECRET_NAME: "registry-creds",
    SECRET_NAMESPACE: "team-a",
    KUBECTL: `cat > '${applied}'`,
  };
  const ok = await runScript(env);
  expect(ok.code, ok.stderr).toBe(0);
  expect(ok.stdout + ok.stderr).not.toContain(token);
  expect(ok.stdout + ok.stderr).not.toContain(password);

  const secret = parse(fs.readFileSync(applied, "utf8"));
  expect(secret).toMatchObject({ apiVersion: "v1", kind: "Secret", type: "kubernetes.io/dockerconfigjson", metadata: { name: "registry-creds", namespace: "team-a" } });
  const config = JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString("utf8"));
  expect(Object.keys(config.auths).sort()).toEqual(hosts.map((h) => `${h}/cron-${stamp}`).sort());
  for (const [i, host] of hosts.entries()) {
    const entry = config.auths[`${host}/cron-${stamp}`];
    expect(entry).toEqual({ username: `robot-${i}`, password: `${password}-${i}`, auth: Buffer.from(`robot-${i}:${password}-${i}`).toString("base64") });
  }

  // The same call is recorded as a use by the script's client (User-Agent), and audited.
  const audit = await request.get(`/api/v1/companies/${companyId}/audit-events?limit=5`);
  expect(await audit.text()).toContain("registry.pull_secret_issued");

  // A revoked or wrong token: non-zero, Berth's reason on stderr, nothing applied.
  fs.rmSync(applied);
  fs.writeFileSync(path.join(dir, "token"), `brt_${"x".repeat(43)}\n`);
  const refused = await runScript(env);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/401/);
  expect(fs.existsSync(applied)).toBe(false);
  fs.rmSync(dir, { recursive: true, force: true });
});
