/**
 * Pull secrets against real clients and real registries, on loopback only: what Berth answers is
 * handed to `skopeo` (containers/image, the library podman, buildah and CRI-O use) and must let
 * it read an image pushed in the test:
 * - the `.dockerconfigjson` for an htpasswd registry over TLS (its CA in `--cert-dir`) and over
 *   plain HTTP (`--tls-verify=false`), via `skopeo inspect --authfile`;
 * - two path-prefixed registries on one token-auth registry whose token server grants each user
 *   only its own repositories: one secret holds both, each credential reads its own image and
 *   not the other's;
 * - the `docker-login` lines, run by bash with `skopeo login` standing in for `docker login`.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, call } from "@/lib/testing/auth";
import { useTestDb, type TestDb } from "@/lib/testing/db";
import { seedTeam, tokenFor, type Team } from "@/lib/testing/identity";
import { buildOciLayout, pushOciLayout, type OciLayout } from "@/lib/testing/oci";
import { skipWithoutRegistryTools, startRegistry, type RunningRegistry } from "@/lib/testing/registry";
import { createTestCa, type TestCa } from "@/lib/testing/registry-certs";
import { startTokenServer, type RunningTokenServer } from "@/lib/testing/token-server";
import { ROUTES } from "../registries.testkit";

const ALICE = "alice-Htpasswd-Secret-5521";
const CAROL = "carol-Token-Secret-'quote'-$HOME-8812";
const DAVE = "dave-Token-Secret-\"dq\"-`tick`-3307";
const SERVICE = "berth-pull-test";
const ISSUER = "berth-pull-issuer";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { env: options.env ?? process.env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(options.input ?? "");
  });
}

describe.skipIf(skipWithoutRegistryTools({ skopeo: true }))("pull secrets read by skopeo", () => {
  let t: TestDb;
  let team: Team;
  let token: string;
  let dir: string;
  let ca: TestCa;
  let certDir: string;
  let tls: RunningRegistry;
  let plain: RunningRegistry;
  let tokens: RunningTokenServer;
  let shared: RunningRegistry;
  let layout: OciLayout;
  const ids: Record<string, string> = {};
  /** skopeo keeps no state between runs: a fresh HOME and XDG_RUNTIME_DIR each time. */
  let clientEnv: NodeJS.ProcessEnv;

  const base = () => `/api/v1/companies/${team.company.id}/registries`;
  async function api(handler: (typeof ROUTES.v1)[keyof typeof ROUTES.v1], suffix: string, body: unknown) {
    const res = await call(handler, apiRequest("POST", `${base()}${suffix}`, { token }, body), { companyId: team.company.id });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) };
  }
  async function create(body: unknown): Promise<string> {
    const a = await api(ROUTES.v1.create, "", body);
    expect(a.status, a.text).toBe(201);
    return a.body.id;
  }
  async function pullSecret(body: unknown) {
    const a = await api(ROUTES.v1.pullSecret, "/pull-secret", body);
    expect(a.status, a.text).toBe(200);
    return a.body;
  }
  function authFile(name: string, config: unknown): string {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    return file;
  }
  const inspect = (reference: string, authfile: string, tlsArgs: string[] = ["--cert-dir", certDir]) =>
    run("skopeo", ["inspect", "--retry-times", "0", "--authfile", authfile, ...tlsArgs, `docker://${reference}`], { env: clientEnv });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "berth-pull-skopeo-"));
    ca = createTestCa(dir);
    certDir = path.join(dir, "certs");
    mkdirSync(certDir);
    writeFileSync(path.join(certDir, "ca.crt"), ca.certPem);
    const home = path.join(dir, "home");
    mkdirSync(home);
    clientEnv = { ...process.env, HOME: home, XDG_RUNTIME_DIR: home, REGISTRY_AUTH_FILE: path.join(home, "unused-auth.json") };
    tokens = await startTokenServer({
      service: SERVICE,
      issuer: ISSUER,
      users: { carol: CAROL, dave: DAVE },
      acl: { carol: { "team-a/app": ["pull", "push"] }, dave: { "team-b/app": ["pull", "push"] } },
      tls: { ca },
    });
    [tls, plain, shared] = await Promise.all([
      startRegistry({ auth: { type: "htpasswd", users: { alice: ALICE } }, tls: { ca } }),
      startRegistry({ auth: { type: "htpasswd", users: { alice: ALICE } } }),
      startRegistry({ auth: { type: "token", realm: tokens.realm, service: SERVICE, issuer: ISSUER, rootCertBundlePem: tokens.signerCertPem }, tls: { ca } }),
    ]);
    layout = buildOciLayout({ tag: "v1", content: "pulled with a Berth pull secret\n" });
    await Promise.all([
      pushOciLayout({ layout, registryHost: tls.host, repository: "team/app", credentials: { username: "alice", password: ALICE }, caPem: ca.certPem }),
      pushOciLayout({ layout, registryHost: plain.host, repository: "team/app", credentials: { username: "alice", password: ALICE } }),
      pushOciLayout({ layout, registryHost: shared.host, repository: "team-a/app", credentials: { username: "carol", password: CAROL }, caPem: ca.certPem }),
      pushOciLayout({ layout, registryHost: shared.host, repository: "team-b/app", credentials: { username: "dave", password: DAVE }, caPem: ca.certPem }),
    ]);
    t = await useTestDb();
    team = await seedTeam(t.db);
    token = (await tokenFor(t.db, team.company.id, team.owner.id, { scopes: ["registries:read", "registries:write", "registries:pull"], name: "skopeo" })).token;
    ids.tls = await create({ name: "htpasswd TLS", type: "custom", credentials: { url: tls.host, username: "alice", password: ALICE, caCertificate: ca.certPem } });
    ids.plain = await create({ name: "htpasswd plain", type: "custom", credentials: { url: `http://${plain.host}`, username: "alice", password: ALICE } });
    ids.teamA = await create({ name: "team A", type: "custom", credentials: { url: `${shared.host}/team-a`, username: "carol", password: CAROL, caCertificate: ca.certPem } });
    ids.teamB = await create({ name: "team B", type: "custom", credentials: { url: `${shared.host}/team-b`, username: "dave", password: DAVE, caCertificate: ca.certPem } });
  });

  afterAll(async () => {
    await Promise.all([tls?.stop(), plain?.stop(), shared?.stop(), tokens?.stop()]);
    layout?.remove();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the .dockerconfigjson of an htpasswd registry over TLS lets skopeo inspect the pushed image (and nothing else does)", async () => {
    const secret = await pullSecret({ images: [`${tls.host}/team/app:v1`], format: "dockerconfigjson" });
    expect(Object.keys(secret.content.auths)).toEqual([tls.host]);
    const ok = await inspect(`${tls.host}/team/app:v1`, authFile("tls", secret.content));
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).Digest).toBe(layout.manifestDigest);
    // without the credentials, or with a wrong password, the same command is refused
    const none = await inspect(`${tls.host}/team/app:v1`, authFile("empty", { auths: {} }));
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/unauthorized|authentication required/i);
    const wrong = structuredClone(secret.content);
    wrong.auths[tls.host].auth = Buffer.from("alice:wrong").toString("base64");
    wrong.auths[tls.host].password = "wrong";
    expect((await inspect(`${tls.host}/team/app:v1`, authFile("wrong", wrong))).code).not.toBe(0);
  });

  it("the .dockerconfigjson of a plain-HTTP registry works with --tls-verify=false", async () => {
    const secret = await pullSecret({ registryIds: [ids.plain], format: "secret-data" });
    const config = JSON.parse(secret.content[".dockerconfigjson"]);
    expect(Object.keys(config.auths)).toEqual([plain.host]);
    const ok = await inspect(`${plain.host}/team/app:v1`, authFile("plain", config), ["--tls-verify=false"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).Digest).toBe(layout.manifestDigest);
  });

  it("two path-prefixed registries on one host: one secret holds both, each credential reads its own image and not the other's", async () => {
    const secret = await pullSecret({ hosts: [shared.host], format: "kubernetes" });
    const kubeConfig = JSON.parse(Buffer.from(/\.dockerconfigjson: (\S+)/.exec(secret.content)![1]!, "base64").toString("utf8"));
    expect(Object.keys(kubeConfig.auths).sort()).toEqual([`${shared.host}/team-a`, `${shared.host}/team-b`]);
    const both = authFile("both", kubeConfig);
    for (const repo of ["team-a/app", "team-b/app"]) {
      const ok = await inspect(`${shared.host}/${repo}:v1`, both);
      expect(ok.code, `${repo}: ${ok.stderr}`).toBe(0);
      expect(JSON.parse(ok.stdout).Digest).toBe(layout.manifestDigest);
    }
    // each credential alone, keyed for the whole host: its own repository only
    const carol = { auths: { [shared.host]: kubeConfig.auths[`${shared.host}/team-a`] } };
    const dave = { auths: { [shared.host]: kubeConfig.auths[`${shared.host}/team-b`] } };
    expect((await inspect(`${shared.host}/team-a/app:v1`, authFile("carol", carol))).code).toBe(0);
    expect((await inspect(`${shared.host}/team-b/app:v1`, authFile("carol-b", carol))).code).not.toBe(0);
    expect((await inspect(`${shared.host}/team-b/app:v1`, authFile("dave", dave))).code).toBe(0);
    expect((await inspect(`${shared.host}/team-a/app:v1`, authFile("dave-a", dave))).code).not.toBe(0);
  });

  it("the docker-login lines, run with skopeo login in place of docker login, sign in (quotes and $ in the passwords)", async () => {
    const secret = await pullSecret({ registryIds: [ids.tls, ids.teamA, ids.teamB], format: "docker-login" });
    const lines = secret.content as string;
    expect(lines.split("\n").filter(Boolean)).toHaveLength(3);
    const authfile = path.join(dir, "login-auth.json");
    const script = [
      "set -euo pipefail",
      // `docker login SERVER --username U --password-stdin` → `skopeo login … SERVER --username U --password-stdin`
      'docker() { [ "$1" = login ] || exit 97; shift; skopeo login --authfile "$AUTHFILE" --cert-dir "$CERTS" "$@"; }',
      lines,
    ].join("\n");
    const res = await run("bash", ["-c", script], { env: { ...clientEnv, AUTHFILE: authfile, CERTS: certDir } });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.match(/Login Succeeded!/g)).toHaveLength(3);
    for (const reference of [`${tls.host}/team/app:v1`, `${shared.host}/team-a/app:v1`, `${shared.host}/team-b/app:v1`]) {
      const ok = await inspect(reference, authfile);
      expect(ok.code, `${reference}: ${ok.stderr}`).toBe(0);
    }
  });
});
