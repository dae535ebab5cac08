#!/usr/bin/env node
// @ts-check
/**
 * berth-credential-provider: a kubelet credential provider plugin
 * (`credentialprovider.kubelet.k8s.io/v1`) that asks Berth for the credentials of every
 * registry on the requested image's host at pull time.
 *
 * stdin:  {"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"…"}
 * stdout: {"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderResponse",
 *          "cacheKeyType":"Registry","cacheDuration":"5m0s","auth":{"host[/prefix]":{"username","password"}}}
 *
 * `auth` has one entry per registry on the host, keyed `host` or `host/prefix` (the kubelet uses
 * the longest matching path); Docker Hub registries are keyed both `docker.io` and
 * `index.docker.io`. A host without registries in Berth gets an empty `auth` (the kubelet pulls
 * anonymously). `cacheDuration` is BERTH_CACHE_SECONDS (default 300), shortened to half the
 * remaining life of the shortest-lived credential (ECR tokens), as a Go duration.
 *
 * Configuration from the environment the kubelet's CredentialProviderConfig gives: BERTH_URL,
 * BERTH_TOKEN_FILE (a file holding a `registries:pull` token), BERTH_COMPANY (id or slug),
 * BERTH_CACHE_SECONDS. One dependency-free file for Node 20 or later. Errors: exit 1 with the
 * reason on stderr (the kubelet logs it) and nothing on stdout, within 10 seconds.
 */
"use strict";

const VERSION = "1.0.0";
const NAME = "berth-credential-provider";
const API_VERSION = "credentialprovider.kubelet.k8s.io/v1";
const DEADLINE_MS = 10_000;
const STARTED = Date.now();
const DEFAULT_CACHE_SECONDS = 300;

class ProviderError extends Error {}

/**
 * The registry host of an image reference, as Docker parses it: the first path component when
 * it has a `.` or `:` or is `localhost`, else Docker Hub (`docker.io`); `index.docker.io` is
 * Docker Hub too. Also the repository path, with `library/` for official Docker Hub images.
 * @param {string} image
 * @returns {{ host: string, path: string }}
 */
function parseImage(image) {
  const name = image.trim().replace(/@.*$/s, "");
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  const hasDomain = slash !== -1 && (/[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase());
  let host = hasDomain ? first.toLowerCase() : "docker.io";
  if (host === "index.docker.io" || host === "registry-1.docker.io") host = "docker.io";
  let path = (hasDomain ? name.slice(slash + 1) : name).replace(/:[^/:]*$/, "");
  if (host === "docker.io" && !path.includes("/")) path = `library/${path}`;
  if (!host || !path || /\s/.test(name)) throw new ProviderError(`${NAME}: "${image}" is not an image reference.`);
  return { host, path };
}

/**
 * A whole number of seconds as Go's time.Duration prints it: `0s`, `45s`, `5m0s`, `5h59m30s`.
 * @param {number} seconds
 * @returns {string}
 */
function goDuration(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * How long the kubelet may keep the answer: the configured seconds, at most half the time
 * until the earliest credential expires.
 * @param {number} configured
 * @param {string | null | undefined} expiresAt
 * @param {number} now
 */
function cacheSeconds(configured, expiresAt, now) {
  if (!expiresAt) return configured;
  const left = Date.parse(expiresAt) - now;
  if (!Number.isFinite(left)) return configured;
  return Math.max(0, Math.min(configured, Math.floor(left / 2000)));
}

/**
 * The kubelet `auth` keys of one `.dockerconfigjson` key: `host[:port][/prefix]`, scheme and the
 * legacy `/v1/` dropped; Docker Hub under both `docker.io` and `index.docker.io`.
 * @param {string} key
 * @returns {string[]}
 */
function authKeys(key) {
  const s = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "");
  const slash = s.indexOf("/");
  const host = (slash === -1 ? s : s.slice(0, slash)).toLowerCase();
  const path = slash === -1 ? "" : s.slice(slash + 1).replace(/^v[12](\/|$)/, "");
  const suffix = path ? `/${path}` : "";
  if (["docker.io", "index.docker.io", "registry-1.docker.io"].includes(host)) return [`docker.io${suffix}`, `index.docker.io${suffix}`];
  return [`${host}${suffix}`];
}

/**
 * The request the kubelet sent, checked.
 * @param {string} text
 * @returns {string} the image
 */
function parseRequest(text) {
  /** @type {any} */
  let req;
  try {
    req = JSON.parse(text);
  } catch {
    throw new ProviderError(`${NAME}: stdin is not JSON; expected a ${API_VERSION} CredentialProviderRequest.`);
  }
  if (!req || typeof req !== "object") throw new ProviderError(`${NAME}: stdin must be a CredentialProviderRequest object.`);
  if (req.apiVersion !== API_VERSION) throw new ProviderError(`${NAME}: apiVersion must be ${API_VERSION} (got ${JSON.stringify(req.apiVersion)}); set apiVersion: ${API_VERSION} in the CredentialProviderConfig.`);
  if (req.kind !== "CredentialProviderRequest") throw new ProviderError(`${NAME}: kind must be CredentialProviderRequest (got ${JSON.stringify(req.kind)}).`);
  if (typeof req.image !== "string" || !req.image.trim()) throw new ProviderError(`${NAME}: the request has no image.`);
  return req.image;
}

/**
 * @typedef {{ url: string, token: string, company: string, cacheSeconds: number }} Config
 */

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<Config>}
 */
async function loadConfig(env) {
  const fs = await import("node:fs/promises");
  const missing = ["BERTH_URL", "BERTH_TOKEN_FILE", "BERTH_COMPANY"].filter((k) => !env[k]);
  if (missing.length > 0) throw new ProviderError(`${NAME}: not configured: set ${missing.join(", ")} in the provider's env of the CredentialProviderConfig.`);
  let url;
  try {
    url = new URL(String(env.BERTH_URL));
  } catch {
    throw new ProviderError(`${NAME}: BERTH_URL "${env.BERTH_URL}" is not a URL like https://berth.example.com.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ProviderError(`${NAME}: BERTH_URL must start with https:// (or http://).`);
  let cache = DEFAULT_CACHE_SECONDS;
  if (env.BERTH_CACHE_SECONDS !== undefined && env.BERTH_CACHE_SECONDS !== "") {
    if (!/^\d{1,9}$/.test(env.BERTH_CACHE_SECONDS.trim())) throw new ProviderError(`${NAME}: BERTH_CACHE_SECONDS must be a whole number of seconds (got "${env.BERTH_CACHE_SECONDS}").`);
    cache = Number(env.BERTH_CACHE_SECONDS.trim());
  }
  let token;
  try {
    token = (await fs.readFile(String(env.BERTH_TOKEN_FILE), "utf8")).trim();
  } catch (err) {
    throw new ProviderError(`${NAME}: cannot read BERTH_TOKEN_FILE ${env.BERTH_TOKEN_FILE} (${/** @type {{ code?: string }} */ (err).code ?? String(err)}).`);
  }
  if (!token) throw new ProviderError(`${NAME}: BERTH_TOKEN_FILE ${env.BERTH_TOKEN_FILE} is empty.`);
  return { url: url.origin + url.pathname.replace(/\/+$/, ""), token, company: String(env.BERTH_COMPANY).trim(), cacheSeconds: cache };
}

/**
 * Asks Berth for the pull secret of `host`; null when Berth has no registry there.
 * @param {Config} config
 * @param {string} host
 * @returns {Promise<any>}
 */
async function pullSecret(config, host) {
  let res;
  try {
    res = await fetch(`${config.url}/api/v1/companies/${encodeURIComponent(config.company)}/registries/pull-secret`, {
      method: "POST",
      headers: { Authorization: `Bearer ${config.token}`, Accept: "application/json", "Content-Type": "application/json", "User-Agent": `${NAME}/${VERSION}` },
      body: JSON.stringify({ hosts: [host], format: "dockerconfigjson" }),
      signal: AbortSignal.timeout(Math.max(1, DEADLINE_MS - 500 - (Date.now() - STARTED))),
    });
  } catch (err) {
    const e = /** @type {{ name?: string, cause?: { code?: string, message?: string } }} */ (err);
    if (e.name === "TimeoutError" || e.name === "AbortError") throw new ProviderError(`${NAME}: Berth at ${config.url} did not answer within ${DEADLINE_MS / 1000} s.`);
    throw new ProviderError(`${NAME}: cannot reach Berth at ${config.url} (${e.cause?.code ?? e.cause?.message ?? String(err)}).`);
  }
  /** @type {any} */
  let json = null;
  try {
    json = JSON.parse(await res.text());
  } catch {
    json = null;
  }
  const detail = json && typeof json.detail === "string" ? ` Berth says: ${json.detail}` : "";
  if (res.ok && json && json.content && typeof json.content === "object") return json;
  if (res.status === 404 && json && Array.isArray(json.missing)) return null;
  if (res.status === 401) throw new ProviderError(`${NAME}: Berth rejected the token in BERTH_TOKEN_FILE (401): it is wrong, revoked or expired.${detail}`);
  if (res.status === 403) throw new ProviderError(`${NAME}: Berth refused (403): the token needs the registries:pull scope, its owner a role that may pull, and this node's address must be allowed.${detail}`);
  if (res.status === 404) throw new ProviderError(`${NAME}: Berth has no company "${config.company}" for this token (404): check BERTH_COMPANY.${detail}`);
  if (res.status === 429) throw new ProviderError(`${NAME}: too many requests to Berth (429): retry in ${res.headers.get("retry-after") ?? "a few"} s.${detail}`);
  throw new ProviderError(`${NAME}: Berth answered HTTP ${res.status}${res.ok ? " without a pull secret: is BERTH_URL the Berth server?" : "."}${detail}`);
}

/**
 * The CredentialProviderResponse for one request.
 * @param {string} text stdin
 * @param {Config} config
 * @returns {Promise<string>}
 */
async function respond(text, config) {
  const { host } = parseImage(parseRequest(text));
  const answer = await pullSecret(config, host);
  /** @type {Record<string, { username: string, password: string }>} */
  const auth = {};
  const auths = answer && answer.content.auths && typeof answer.content.auths === "object" ? answer.content.auths : {};
  for (const [key, entry] of Object.entries(auths)) {
    const e = /** @type {{ username?: unknown, password?: unknown }} */ (entry);
    if (typeof e.username !== "string" || typeof e.password !== "string") continue;
    for (const k of authKeys(key)) auth[k] = { username: e.username, password: e.password };
  }
  const seconds = cacheSeconds(config.cacheSeconds, answer ? answer.expiresAt : null, Date.now());
  return JSON.stringify({ apiVersion: API_VERSION, kind: "CredentialProviderResponse", cacheKeyType: "Registry", cacheDuration: goDuration(seconds), auth });
}

/** @returns {Promise<string>} */
async function readStdin() {
  /** @type {Buffer[]} */
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(/** @type {Buffer} */ (chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * @param {string[]} argv
 * @returns {Promise<number>}
 */
async function main(argv) {
  if (argv[0] === "version" || argv[0] === "--version") {
    process.stdout.write(`${NAME} ${VERSION}\n`);
    return 0;
  }
  const timer = setTimeout(() => {
    process.stderr.write(`${NAME}: no answer within ${DEADLINE_MS / 1000} s.\n`);
    process.exit(1);
  }, DEADLINE_MS);
  timer.unref();
  try {
    const text = await readStdin();
    const response = await respond(text, await loadConfig(process.env));
    process.stdout.write(`${response}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${err instanceof ProviderError ? err.message : `${NAME}: unexpected error: ${err instanceof Error ? err.message : String(err)}`}\n`);
    return 1;
  }
}

module.exports = { VERSION, parseImage, goDuration, cacheSeconds, authKeys, parseRequest };

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
