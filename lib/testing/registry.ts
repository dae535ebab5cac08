/**
 * Starts a real CNCF distribution registry (`docker-registry serve`) on a free
 * loopback port for integration tests (Vitest and Playwright).
 *
 *   const registry = await startRegistry({ auth: { type: "htpasswd", users: { alice: "pw" } }, tls: {} });
 *   ... registry.host === "127.0.0.1:PORT", registry.caPem ...
 *   await registry.stop();
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { createTestCa, issueServerCert, LOCAL_SANS, type TestCa } from "./registry-certs";
import { assertLoopbackHost, getFreePort, hostPort, sleep } from "./registry-net";

export type RegistryAuth =
  | { type: "none" }
  | { type: "htpasswd"; users: Record<string, string>; realm?: string }
  | {
      type: "token";
      /** Token endpoint URL announced in the Bearer challenge. */
      realm: string;
      service: string;
      issuer: string;
      /** PEM of the certificate(s) that sign accepted JWTs. */
      rootCertBundlePem: string;
    };

export interface RegistryTlsOptions {
  /** CA that signs the server certificate; a new one is made when omitted. */
  ca?: TestCa;
  /** Subject alternative names; default `DNS:localhost, IP:127.0.0.1`. */
  sans?: readonly string[];
}

export interface StartRegistryOptions {
  auth: RegistryAuth;
  /** Serve HTTPS; plain HTTP when omitted. */
  tls?: RegistryTlsOptions;
  /** Loopback address to listen on; default 127.0.0.1. */
  listenHost?: string;
  /** Milliseconds to wait for the registry to answer; default 15000. */
  startTimeoutMs?: number;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, as typed into a registry URL. */
  host: string;
  /** `https://127.0.0.1:PORT` or `http://…`. */
  url: string;
  port: number;
  /** PEM of the CA that signed the server certificate (TLS only). */
  caPem?: string;
  ca?: TestCa;
  /** The temp directory holding config, data and log. */
  dir: string;
  /** Registry output so far (for diagnostics). */
  log(): string;
  stop(): Promise<void>;
}

const REGISTRY_BIN = "docker-registry";
const PORT_ATTEMPTS = 3;

function toolWorks(bin: string, args: string[]): boolean {
  const result = spawnSync(bin, args, { stdio: "ignore" });
  return !result.error && result.status === 0;
}

/** True when the `docker-registry` binary can be run. */
export function registryAvailable(): boolean {
  return toolWorks(REGISTRY_BIN, ["--version"]);
}

/** True when `skopeo` can be run. */
export function skopeoAvailable(): boolean {
  return toolWorks("skopeo", ["--version"]);
}

/**
 * For `describe.skipIf(skipWithoutRegistryTools())`: true (with a loud warning)
 * when a needed tool is missing on a developer machine. Under CI
 * (`CI=true`) a missing tool is an error, never a skip.
 */
export function skipWithoutRegistryTools(options: { skopeo?: boolean } = {}): boolean {
  const missing: string[] = [];
  if (!registryAvailable()) missing.push("docker-registry (apt-get install docker-registry)");
  if (!toolWorks("htpasswd", ["-nbB", "probe", "probe"])) missing.push("htpasswd (apt-get install apache2-utils)");
  if (!toolWorks("openssl", ["version"])) missing.push("openssl");
  if (options.skopeo && !skopeoAvailable()) missing.push("skopeo (apt-get install skopeo)");
  if (missing.length === 0) return false;
  const message = `Registry integration tests need: ${missing.join(", ")}.`;
  if (process.env.CI === "true") throw new Error(`${message} They are never skipped under CI.`);
  console.warn(`\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!! SKIPPING registry tests. ${message}\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`);
  return true;
}

/** One bcrypt htpasswd line per user, made by `htpasswd -Bbn`. */
function htpasswdFile(users: Record<string, string>): string {
  return Object.entries(users)
    .map(([user, password]) => {
      const result = spawnSync("htpasswd", ["-Bbn", user, password], { encoding: "utf8" });
      if (result.status !== 0) throw new Error(`htpasswd failed: ${result.stderr}`);
      return result.stdout.trim();
    })
    .join("\n") + "\n";
}

let htpasswdWrites = 0;

/**
 * Replaces the users of a running htpasswd registry: the registry reads the file again when
 * its modification time changes (made distinct here, whatever the file system's resolution).
 */
export function setHtpasswdUsers(registry: RunningRegistry, users: Record<string, string>): void {
  const file = path.join(registry.dir, "htpasswd");
  writeFileSync(file, htpasswdFile(users));
  const t = new Date(Date.now() + ++htpasswdWrites * 2000);
  utimesSync(file, t, t);
}

function authConfig(auth: RegistryAuth, dir: string): Record<string, unknown> | undefined {
  switch (auth.type) {
    case "none":
      return undefined;
    case "htpasswd": {
      const file = path.join(dir, "htpasswd");
      writeFileSync(file, htpasswdFile(auth.users));
      return { htpasswd: { realm: auth.realm ?? "berth-test", path: file } };
    }
    case "token": {
      const bundle = path.join(dir, "token-signers.pem");
      writeFileSync(bundle, auth.rootCertBundlePem);
      return {
        token: { realm: auth.realm, service: auth.service, issuer: auth.issuer, rootcertbundle: bundle },
      };
    }
  }
}

interface TlsFiles {
  ca: TestCa;
  certificate: string;
  key: string;
}

function prepareTls(tls: RegistryTlsOptions | undefined, dir: string): TlsFiles | undefined {
  if (!tls) return undefined;
  const ca = tls.ca ?? createTestCa(dir);
  const server = issueServerCert(ca, dir, "registry", tls.sans ?? LOCAL_SANS);
  return { ca, certificate: server.certPath, key: server.keyPath };
}

/** The config as JSON, which YAML parsers read as flow-style YAML. */
function writeConfig(dir: string, addr: string, auth: Record<string, unknown> | undefined, tls?: TlsFiles): string {
  const config = {
    version: "0.1",
    log: { level: "info", formatter: "text" },
    storage: { filesystem: { rootdirectory: path.join(dir, "data") }, delete: { enabled: true } },
    http: {
      addr,
      secret: "berth-test-secret",
      ...(tls ? { tls: { certificate: tls.certificate, key: tls.key } } : {}),
    },
    ...(auth ? { auth } : {}),
  };
  const file = path.join(dir, "config.yml");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** The environment without `REGISTRY_*` variables, which would override the config. */
function registryEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("REGISTRY_")) delete env[key];
  return env;
}

function probe(url: string, caPem: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const client = url.startsWith("https:") ? https : http;
    const request = client.get(`${url}/v2/`, { ca: caPem, rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

async function waitUntilAnswering(
  child: ChildProcess,
  url: string,
  caPem: string | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("registry exited during start");
    if (await probe(url, caPem)) return;
    await sleep(50);
  }
  throw new Error(`registry did not answer within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

interface Attempt {
  child: ChildProcess;
  port: number;
  log: () => string;
}

async function launch(configFor: (addr: string) => string, listenHost: string, dir: string): Promise<Attempt> {
  const port = await getFreePort(listenHost);
  const config = configFor(hostPort(listenHost, port));
  const chunks: Buffer[] = [];
  const child = spawn(REGISTRY_BIN, ["serve", config], { cwd: dir, env: registryEnv(), stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error) =>
      reject(new Error(`cannot start ${REGISTRY_BIN}: ${error.message}. Install it with apt-get install docker-registry.`)),
    );
  });
  return { child, port, log: () => Buffer.concat(chunks).toString("utf8") };
}

/** Starts a registry; see the module comment. */
export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const listenHost = options.listenHost ?? "127.0.0.1";
  assertLoopbackHost(listenHost);
  if (!registryAvailable()) {
    throw new Error(`${REGISTRY_BIN} is not installed (apt-get install docker-registry apache2-utils).`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "berth-registry-"));
  try {
    const auth = authConfig(options.auth, dir);
    const tls = prepareTls(options.tls, dir);
    const caPem = tls?.ca.certPem;
    const configFor = (addr: string) => writeConfig(dir, addr, auth, tls);
    let lastError: unknown;
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
      const started = await launch(configFor, listenHost, dir);
      const host = hostPort(listenHost, started.port);
      const url = `${tls ? "https" : "http"}://${host}`;
      try {
        await waitUntilAnswering(started.child, url, caPem, options.startTimeoutMs ?? 15_000);
      } catch (error) {
        await stopChild(started.child);
        lastError = new Error(`${(error as Error).message}\n--- registry output ---\n${started.log()}`);
        if (/address already in use/i.test(started.log())) continue;
        throw lastError;
      }
      return {
        host,
        url,
        port: started.port,
        caPem,
        ca: tls?.ca,
        dir,
        log: started.log,
        stop: async () => {
          await stopChild(started.child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    throw lastError;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
