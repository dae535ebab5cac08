import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The two client scripts: their pure parts loaded as the CommonJS files they are, and whole
 * calls run as child processes against a fake Berth on loopback.
 */
const require = createRequire(import.meta.url);
const HELPER = path.join(__dirname, "docker-credential-berth.js");
const PROVIDER = path.join(__dirname, "berth-credential-provider.js");
const helper = require(HELPER) as typeof import("./docker-credential-berth.js");
const provider = require(PROVIDER) as typeof import("./berth-credential-provider.js");

const TOKEN = `brt_${"t".repeat(43)}`;

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  userAgent: string | undefined;
  body: unknown;
}

type Reply = (seen: Seen) => { status: number; body?: unknown; headers?: Record<string, string> } | "hang";

let server: http.Server;
let baseUrl: string;
let reply: Reply = () => ({ status: 500 });
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d));
    req.on("end", () => {
      const s: Seen = { method: req.method ?? "", url: req.url ?? "", auth: req.headers.authorization, userAgent: req.headers["user-agent"], body: raw ? JSON.parse(raw) : undefined };
      seen.push(s);
      const r = reply(s);
      if (r === "hang") return;
      res.writeHead(r.status, { "Content-Type": r.status < 400 ? "application/json" : "application/problem+json", ...r.headers });
      res.end(r.body === undefined ? "" : JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function run(script: string, args: string[], stdin: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { env: { NODE_ENV: "test", PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(stdin);
  });
}

const helperEnv = () => ({ BERTH_URL: baseUrl, BERTH_TOKEN: TOKEN, BERTH_COMPANY: "acme", HOME: os.tmpdir(), XDG_CONFIG_HOME: "/nonexistent-berth-config" });

function issued(registries: { host: string; prefix: string; username: string; password: string; key?: string }[], expiresAt: string | null = null) {
  const auths: Record<string, { username: string; password: string; auth: string }> = {};
  for (const r of registries) {
    const key = r.key ?? (r.prefix ? `${r.host}/${r.prefix}` : r.host);
    auths[key] = { username: r.username, password: r.password, auth: Buffer.from(`${r.username}:${r.password}`).toString("base64") };
  }
  return {
    status: 200,
    body: { format: "dockerconfigjson", content: { auths }, expiresAt, registries: registries.map((r, i) => ({ id: `r${i}`, name: `reg ${i}`, host: r.host, prefix: r.prefix })) },
  };
}

describe("docker-credential-berth: pure parts", () => {
  it("normalises what clients pass to get to host[:port], Docker Hub as docker.io", () => {
    expect(helper.normaliseServerUrl("ghcr.io")).toBe("ghcr.io");
    expect(helper.normaliseServerUrl(" https://GHCR.io/v2/ \n")).toBe("ghcr.io");
    expect(helper.normaliseServerUrl("https://index.docker.io/v1/")).toBe("docker.io");
    expect(helper.normaliseServerUrl("registry-1.docker.io")).toBe("docker.io");
    expect(helper.normaliseServerUrl("docker.io")).toBe("docker.io");
    expect(helper.normaliseServerUrl("127.0.0.1:5000")).toBe("127.0.0.1:5000");
    expect(helper.normaliseServerUrl("http://127.0.0.1:5000/team/app")).toBe("127.0.0.1:5000");
    expect(helper.normaliseServerUrl("[::1]:5000")).toBe("[::1]:5000");
    expect(helper.normaliseServerUrl("")).toBe("");
  });

  it("chooses the registry without a path prefix, else the only one, and refuses to guess between prefixed ones", () => {
    const a = { id: "a", name: "A", host: "h:1", prefix: "team-a" };
    const b = { id: "b", name: "B", host: "h:1", prefix: "team-b" };
    const root = { id: "c", name: "C", host: "h:1", prefix: "" };
    expect(helper.chooseRegistry([a, root, b], "h:1")).toBe(root);
    expect(helper.chooseRegistry([b], "h:1")).toBe(b);
    expect(() => helper.chooseRegistry([a, b], "h:1")).toThrow(/kubelet credential provider or a \.dockerconfigjson/);
    expect(() => helper.chooseRegistry([], "h:1")).toThrow();
  });

  it("finds a registry's login under Docker's key forms", () => {
    const auths = { "https://index.docker.io/v1/": { username: "hub", password: "p1" }, "ghcr.io/org": { auth: Buffer.from("gh:p:2").toString("base64") } };
    expect(helper.credentialsOf(auths, { id: "1", name: "x", host: "docker.io", prefix: "" })).toEqual({ username: "hub", password: "p1" });
    expect(helper.credentialsOf(auths, { id: "2", name: "y", host: "ghcr.io", prefix: "org" })).toEqual({ username: "gh", password: "p:2" });
    expect(helper.credentialsOf(auths, { id: "3", name: "z", host: "quay.io", prefix: "" })).toBeUndefined();
  });

  it("puts the config file under XDG_CONFIG_HOME, else ~/.config", () => {
    expect(helper.configPath({ XDG_CONFIG_HOME: "/x/cfg" }, "/home/u")).toBe("/x/cfg/berth/credential-helper.json");
    expect(helper.configPath({}, "/home/u")).toBe("/home/u/.config/berth/credential-helper.json");
    expect(helper.configPath({ XDG_CONFIG_HOME: "relative" }, "/home/u")).toBe("/home/u/.config/berth/credential-helper.json");
  });
});

describe("berth-credential-provider: pure parts", () => {
  it("parses image references as Docker does", () => {
    expect(provider.parseImage("nginx")).toEqual({ host: "docker.io", path: "library/nginx" });
    expect(provider.parseImage("postgres:17-alpine")).toEqual({ host: "docker.io", path: "library/postgres" });
    expect(provider.parseImage("bitnami/redis:7")).toEqual({ host: "docker.io", path: "bitnami/redis" });
    expect(provider.parseImage("docker.io/library/nginx:latest")).toEqual({ host: "docker.io", path: "library/nginx" });
    expect(provider.parseImage("index.docker.io/nginx")).toEqual({ host: "docker.io", path: "library/nginx" });
    expect(provider.parseImage("127.0.0.1:5000/team/app:1@sha256:" + "a".repeat(64))).toEqual({ host: "127.0.0.1:5000", path: "team/app" });
    expect(provider.parseImage("localhost/app")).toEqual({ host: "localhost", path: "app" });
    expect(provider.parseImage("[::1]:5000/x/y:2")).toEqual({ host: "[::1]:5000", path: "x/y" });
    expect(provider.parseImage("ghcr.io/org/api:v2.1.0")).toEqual({ host: "ghcr.io", path: "org/api" });
    expect(() => provider.parseImage("ghcr.io/")).toThrow(/not an image reference/);
  });

  it("prints durations as Go's time.Duration does", () => {
    expect(provider.goDuration(0)).toBe("0s");
    expect(provider.goDuration(45)).toBe("45s");
    expect(provider.goDuration(300)).toBe("5m0s");
    expect(provider.goDuration(3600)).toBe("1h0m0s");
    expect(provider.goDuration(21570)).toBe("5h59m30s");
    expect(provider.goDuration(-5)).toBe("0s");
    expect(provider.goDuration(59.9)).toBe("59s");
  });

  it("caches for the configured time, at most half the shortest credential's remaining life", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(provider.cacheSeconds(300, null, now)).toBe(300);
    expect(provider.cacheSeconds(300, "2026-01-01T12:00:00Z", now)).toBe(300);
    expect(provider.cacheSeconds(86400, "2026-01-01T12:00:00Z", now)).toBe(21600);
    expect(provider.cacheSeconds(300, "2026-01-01T00:04:00Z", now)).toBe(120);
    expect(provider.cacheSeconds(300, "2025-12-31T00:00:00Z", now)).toBe(0);
  });

  it("keys auth entries host and host/prefix, Docker Hub under docker.io and index.docker.io", () => {
    expect(provider.authKeys("https://index.docker.io/v1/")).toEqual(["docker.io", "index.docker.io"]);
    expect(provider.authKeys("docker.io/acme")).toEqual(["docker.io/acme", "index.docker.io/acme"]);
    expect(provider.authKeys("127.0.0.1:5000/team")).toEqual(["127.0.0.1:5000/team"]);
    expect(provider.authKeys("ghcr.io")).toEqual(["ghcr.io"]);
  });

  it("checks the request's apiVersion, kind and image, and ignores service-account fields", () => {
    const ok = { apiVersion: "credentialprovider.kubelet.k8s.io/v1", kind: "CredentialProviderRequest", image: "nginx", serviceAccountToken: "x", serviceAccountAnnotations: { a: "b" } };
    expect(provider.parseRequest(JSON.stringify(ok))).toBe("nginx");
    expect(() => provider.parseRequest(JSON.stringify({ ...ok, apiVersion: "credentialprovider.kubelet.k8s.io/v1beta1" }))).toThrow(/apiVersion/);
    expect(() => provider.parseRequest(JSON.stringify({ ...ok, kind: "Other" }))).toThrow(/kind/);
    expect(() => provider.parseRequest(JSON.stringify({ ...ok, image: "" }))).toThrow(/no image/);
    expect(() => provider.parseRequest("not json")).toThrow(/not JSON/);
  });
});

describe("docker-credential-berth against a fake Berth", () => {
  it("get: asks for the host with the helper's User-Agent and prints the registry's login", async () => {
    seen.length = 0;
    reply = () => issued([{ host: "127.0.0.1:5000", prefix: "", username: "robot", password: "s3cret" }]);
    const r = await run(HELPER, ["get"], "https://127.0.0.1:5000/v2/\n", helperEnv());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ServerURL: "https://127.0.0.1:5000/v2/", Username: "robot", Secret: "s3cret" });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", url: "/api/v1/companies/acme/registries/pull-secret", auth: `Bearer ${TOKEN}`, body: { hosts: ["127.0.0.1:5000"], format: "dockerconfigjson" } });
    expect(seen[0]!.userAgent).toMatch(/^docker-credential-berth\/\d+\.\d+\.\d+$/);
  });

  it("get: Docker Hub's legacy URL asks for docker.io and reads the index.docker.io key", async () => {
    seen.length = 0;
    reply = () => issued([{ host: "docker.io", prefix: "", username: "hubuser", password: "hubpass", key: "https://index.docker.io/v1/" }]);
    const r = await run(HELPER, ["get"], "https://index.docker.io/v1/", helperEnv());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ Username: "hubuser", Secret: "hubpass" });
    expect(seen[0]!.body).toMatchObject({ hosts: ["docker.io"] });
  });

  it("get: no registry on the host is exactly the not-found line and exit 1", async () => {
    reply = () => ({ status: 404, body: { type: "https://berth.dev/problems/not-found", status: 404, detail: "No active registry on quay.io.", missing: ["quay.io"] } });
    const r = await run(HELPER, ["get"], "quay.io", helperEnv());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("credentials not found in native keychain\n");
  });

  it("get: two path-prefixed registries on the host are not found, with the reason on stderr", async () => {
    reply = () =>
      issued([
        { host: "127.0.0.1:5000", prefix: "team-a", username: "a", password: "secret-a-1" },
        { host: "127.0.0.1:5000", prefix: "team-b", username: "b", password: "secret-b-2" },
      ]);
    const r = await run(HELPER, ["get"], "127.0.0.1:5000", helperEnv());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("credentials not found in native keychain\n");
    expect(r.stderr).toMatch(/2 registries share 127\.0\.0\.1:5000.*kubelet credential provider.*\.dockerconfigjson/s);
    expect(r.stderr + r.stdout).not.toMatch(/secret-a-1|secret-b-2/);
  });

  it("get: 401, 403 and 429 say what is wrong, print no JSON and never the token", async () => {
    for (const [status, pattern] of [
      [401, /rejected the token \(401\): it is wrong, revoked or expired/],
      [403, /refused \(403\): the token needs the registries:pull scope/],
      [429, /too many requests to Berth \(429\): retry in 7 s/],
    ] as const) {
      reply = () => ({ status, body: { status, detail: "nope" }, headers: status === 429 ? { "Retry-After": "7" } : undefined });
      const r = await run(HELPER, ["get"], "ghcr.io", helperEnv());
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).toContain("Berth says: nope");
      expect(r.stdout).not.toContain("{");
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
    }
  });

  it("get: an unreachable Berth is reported at once", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await run(HELPER, ["get"], "ghcr.io", { ...helperEnv(), BERTH_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach Berth at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(r.ms).toBeLessThan(5000);
  });

  it("get: a Berth that never answers is given up within 10 s", async () => {
    reply = () => "hang";
    const r = await run(HELPER, ["get"], "ghcr.io", helperEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not answer within 10 s|no answer within 10 s/);
    expect(r.ms).toBeLessThan(10_500);
    expect(r.stdout).not.toContain("{");
  }, 15_000);

  it("list: pages through the registries and prints URL → username for the active ones", async () => {
    seen.length = 0;
    const page1 = { items: [{ url: "http://127.0.0.1:5000/team", type: "custom", isActive: true, isDeleted: false, credentials: { username: "robot" } }, { url: "quay.io", type: "quay", isActive: false, isDeleted: false, credentials: { username: "off" } }], nextPageToken: "p2" };
    const page2 = { items: [{ url: "docker.io", type: "dockerhub", isActive: true, isDeleted: false, credentials: { username: "hub" } }, { url: "123.dkr.ecr.eu-west-1.amazonaws.com", type: "ecr", isActive: true, isDeleted: false, credentials: { region: "eu-west-1" } }], nextPageToken: null };
    reply = (s) => ({ status: 200, body: s.url.includes("pagination.token=p2") ? page2 : page1 });
    const r = await run(HELPER, ["list"], "", helperEnv());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ "127.0.0.1:5000/team": "robot", "https://index.docker.io/v1/": "hub", "123.dkr.ecr.eu-west-1.amazonaws.com": "" });
    expect(seen.map((s) => s.url)).toEqual(["/api/v1/companies/acme/registries?limit=100", "/api/v1/companies/acme/registries?limit=100&pagination.token=p2"]);
  });

  it("store and erase read stdin, change nothing, say so and exit 0; version; unknown commands print usage", async () => {
    seen.length = 0;
    const store = await run(HELPER, ["store"], JSON.stringify({ ServerURL: "ghcr.io", Username: "u", Secret: "s" }), helperEnv());
    expect(store).toMatchObject({ code: 0, stdout: "" });
    expect(store.stderr).toMatch(/store does nothing/);
    const erase = await run(HELPER, ["erase"], "ghcr.io", helperEnv());
    expect(erase).toMatchObject({ code: 0, stdout: "" });
    expect(erase.stderr).toMatch(/erase does nothing/);
    expect(seen).toHaveLength(0);
    const version = await run(HELPER, ["version"], "", {});
    expect(version.stdout).toMatch(/^docker-credential-berth \d+\.\d+\.\d+\n$/);
    const unknown = await run(HELPER, ["frobnicate"], "", {});
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Usage: docker-credential-berth <get\|list\|store\|erase\|version>/);
  });

  it("reads the config file only when no other user may read it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-helper-cfg-"));
    try {
      fs.mkdirSync(path.join(dir, "berth"));
      const file = path.join(dir, "berth", "credential-helper.json");
      fs.writeFileSync(file, JSON.stringify({ url: baseUrl, token: TOKEN, company: "from-file" }), { mode: 0o644 });
      fs.chmodSync(file, 0o644);
      reply = () => issued([{ host: "ghcr.io", prefix: "", username: "u", password: "p" }]);
      const env = { HOME: dir, XDG_CONFIG_HOME: dir };
      const open = await run(HELPER, ["get"], "ghcr.io", env);
      expect(open.code).toBe(1);
      expect(open.stderr).toMatch(/may be read by others \(mode 0644\): run chmod 600 .*Refusing/);

      fs.chmodSync(file, 0o600);
      seen.length = 0;
      const ok = await run(HELPER, ["get"], "ghcr.io", env);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ Username: "u", Secret: "p" });
      expect(seen[0]!.url).toBe("/api/v1/companies/from-file/registries/pull-secret");

      // The environment wins over the file, field by field.
      seen.length = 0;
      await run(HELPER, ["get"], "ghcr.io", { ...env, BERTH_COMPANY: "from-env" });
      expect(seen[0]!.url).toBe("/api/v1/companies/from-env/registries/pull-secret");

      const none = await run(HELPER, ["get"], "ghcr.io", { HOME: path.join(dir, "nowhere") });
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/not configured: set BERTH_URL, BERTH_TOKEN, BERTH_COMPANY/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("berth-credential-provider against a fake Berth", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-provider-"));
    fs.writeFileSync(path.join(dir, "token"), `${TOKEN}\n`, { mode: 0o600 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = (extra: Record<string, string> = {}) => ({ BERTH_URL: baseUrl, BERTH_TOKEN_FILE: path.join(dir, "token"), BERTH_COMPANY: "acme", ...extra });
  const request = (image: string) => JSON.stringify({ apiVersion: "credentialprovider.kubelet.k8s.io/v1", kind: "CredentialProviderRequest", image });

  it("a Docker Hub short name asks for docker.io and answers under docker.io and index.docker.io", async () => {
    seen.length = 0;
    reply = () => issued([{ host: "docker.io", prefix: "", username: "hub", password: "hp", key: "https://index.docker.io/v1/" }]);
    const r = await run(PROVIDER, [], request("nginx:1.27"), env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      apiVersion: "credentialprovider.kubelet.k8s.io/v1",
      kind: "CredentialProviderResponse",
      cacheKeyType: "Registry",
      cacheDuration: "5m0s",
      auth: { "docker.io": { username: "hub", password: "hp" }, "index.docker.io": { username: "hub", password: "hp" } },
    });
    expect(seen[0]).toMatchObject({ url: "/api/v1/companies/acme/registries/pull-secret", body: { hosts: ["docker.io"], format: "dockerconfigjson" } });
    expect(seen[0]!.userAgent).toMatch(/^berth-credential-provider\/\d+\.\d+\.\d+$/);
  });

  it("every registry on the host, keyed host and host/prefix; the cache is half the earliest expiry when that is shorter", async () => {
    const expiresAt = new Date(Date.now() + 200_000).toISOString();
    reply = () =>
      issued(
        [
          { host: "127.0.0.1:5000", prefix: "", username: "root", password: "r" },
          { host: "127.0.0.1:5000", prefix: "team", username: "team", password: "t" },
        ],
        expiresAt,
      );
    const r = await run(PROVIDER, [], request("127.0.0.1:5000/team/app:1"), env({ BERTH_CACHE_SECONDS: "3600" }));
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.auth).toEqual({ "127.0.0.1:5000": { username: "root", password: "r" }, "127.0.0.1:5000/team": { username: "team", password: "t" } });
    expect(res.cacheDuration).toMatch(/^1m(39|40)s$/);
  });

  it("a host Berth has no registry for: an empty auth, so the kubelet pulls anonymously", async () => {
    reply = () => ({ status: 404, body: { status: 404, detail: "No active registry on quay.io.", missing: ["quay.io"] } });
    const r = await run(PROVIDER, [], request("quay.io/org/x"), env({ BERTH_CACHE_SECONDS: "60" }));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ cacheKeyType: "Registry", cacheDuration: "1m0s", auth: {} });
  });

  it("errors exit 1 with the reason on stderr and nothing on stdout", async () => {
    reply = () => ({ status: 401, body: { status: 401, detail: "Invalid token" } });
    const revoked = await run(PROVIDER, [], request("nginx"), env());
    expect(revoked).toMatchObject({ code: 1, stdout: "" });
    expect(revoked.stderr).toMatch(/rejected the token in BERTH_TOKEN_FILE \(401\)/);
    expect(revoked.stderr).not.toContain(TOKEN);

    const badRequest = await run(PROVIDER, [], JSON.stringify({ apiVersion: "v0", kind: "CredentialProviderRequest", image: "nginx" }), env());
    expect(badRequest).toMatchObject({ code: 1, stdout: "" });
    expect(badRequest.stderr).toMatch(/apiVersion must be credentialprovider\.kubelet\.k8s\.io\/v1/);

    const noFile = await run(PROVIDER, [], request("nginx"), env({ BERTH_TOKEN_FILE: path.join(dir, "missing") }));
    expect(noFile).toMatchObject({ code: 1, stdout: "" });
    expect(noFile.stderr).toMatch(/cannot read BERTH_TOKEN_FILE .*ENOENT/);

    const badCache = await run(PROVIDER, [], request("nginx"), env({ BERTH_CACHE_SECONDS: "5m" }));
    expect(badCache).toMatchObject({ code: 1, stdout: "" });
    expect(badCache.stderr).toMatch(/BERTH_CACHE_SECONDS must be a whole number/);

    const unconfigured = await run(PROVIDER, [], request("nginx"), {});
    expect(unconfigured).toMatchObject({ code: 1, stdout: "" });
    expect(unconfigured.stderr).toMatch(/not configured: set BERTH_URL, BERTH_TOKEN_FILE, BERTH_COMPANY/);
  });
});

describe("the kubelet provider's CredentialProviderConfig in docs/kubernetes.md", () => {
  it("names the binary, the v1 API and only the variables the provider reads, and works with them", async () => {
    const { parse } = await import("yaml");
    const markdown = fs.readFileSync(path.join(__dirname, "../../docs/kubernetes.md"), "utf8");
    const block = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((y) => y.includes("kind: CredentialProviderConfig"));
    expect(block).toBeDefined();
    const config = parse(block!);
    expect(config).toMatchObject({ apiVersion: "kubelet.config.k8s.io/v1", kind: "CredentialProviderConfig" });
    const [entry] = config.providers;
    expect(entry.name).toBe(path.basename(PROVIDER, ".js"));
    expect(entry.apiVersion).toBe("credentialprovider.kubelet.k8s.io/v1");
    expect(entry.defaultCacheDuration).toMatch(/^(\d+h)?(\d+m)?(\d+s)?$/);
    const env = Object.fromEntries((entry.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    expect(Object.keys(env).sort()).toEqual(["BERTH_CACHE_SECONDS", "BERTH_COMPANY", "BERTH_TOKEN_FILE", "BERTH_URL"]);

    // The documented values, with this test's Berth and token file in place of the examples.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-provider-doc-"));
    try {
      fs.writeFileSync(path.join(dir, "token"), TOKEN, { mode: 0o600 });
      seen.length = 0;
      reply = () => issued([{ host: "ghcr.io", prefix: "", username: "u", password: "p" }]);
      const request = JSON.stringify({ apiVersion: entry.apiVersion, kind: "CredentialProviderRequest", image: "ghcr.io/acme/api:1" });
      const r = await run(PROVIDER, [], request, { ...env, BERTH_URL: baseUrl, BERTH_TOKEN_FILE: path.join(dir, "token") });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ cacheDuration: provider.goDuration(Number(env.BERTH_CACHE_SECONDS)), auth: { "ghcr.io": { username: "u", password: "p" } } });
      expect(seen[0]!.url).toBe(`/api/v1/companies/${env.BERTH_COMPANY}/registries/pull-secret`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
