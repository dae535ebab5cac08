#!/usr/bin/env node
// @ts-check
/**
 * docker-credential-berth: a Docker credential helper (the `docker-credential-helpers` protocol,
 * used by Docker, Podman, Buildah, skopeo and containers/image through `credHelpers`) that asks
 * Berth for the registry credentials of a host at the moment they are needed.
 *
 *   get      stdin: a server URL (`ghcr.io`, `https://index.docker.io/v1/`, `127.0.0.1:5000`)
 *            stdout: {"ServerURL","Username","Secret"}; no credentials in Berth: exactly
 *            "credentials not found in native keychain" and exit 1 (the client goes anonymous)
 *   list     stdout: {"URL":"Username",…} for the company's active registries
 *   store    stdin: {"ServerURL","Username","Secret"}; ignored (Berth is the source of truth), exit 0
 *   erase    stdin: a server URL; ignored, exit 0
 *   version  the helper's version
 *
 * Configuration: BERTH_URL, BERTH_TOKEN (a `registries:pull` API token), BERTH_COMPANY (id or
 * slug); any of them missing is read from $XDG_CONFIG_HOME/berth/credential-helper.json
 * (default ~/.config/berth/credential-helper.json) `{"url","token","company"}`, which must not
 * be readable by group or others (chmod 600).
 *
 * One dependency-free file for Node 20 or later: only `node:` built-ins and the global fetch.
 * Every answer comes within 10 seconds; errors go to stderr (and, for `get`, the same one line
 * to stdout, which is what Docker shows), never a partial JSON answer. Nothing is cached beyond
 * the one call.
 */
"use strict";

const VERSION = "1.0.0";
const NAME = "docker-credential-berth";
const NOT_FOUND = "credentials not found in native keychain";
/** The whole call, reading stdin included, ends within this many milliseconds. */
const DEADLINE_MS = 10_000;
const STARTED = Date.now();

/** A failure to report on stderr (exit 1). */
class HelperError extends Error {}

/** Berth has no credentials for the host: "not found" on stdout, an optional reason on stderr. */
class NotFound extends Error {}

/** Docker Hub's host names; Berth (and images) write Docker Hub as `docker.io`. */
const DOCKER_HUB_HOSTS = ["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"];

/**
 * `host[:port]` of what a client passes to `get`: scheme, credentials, path and a trailing
 * slash dropped, lower-cased, Docker Hub's aliases as `docker.io`. Empty when nothing is left.
 * @param {string} serverUrl
 * @returns {string}
 */
function normaliseServerUrl(serverUrl) {
  let s = serverUrl.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  s = s.replace(/[/?#].*$/s, "").replace(/^[^@]*@/, "").toLowerCase();
  return DOCKER_HUB_HOSTS.includes(s) ? "docker.io" : s;
}

/**
 * An `auths` key of Berth's `.dockerconfigjson` as `host[:port][/prefix]` (lower case,
 * Docker Hub as `docker.io`, the legacy `/v1/` API path dropped).
 * @param {string} key
 * @returns {string}
 */
function normaliseKey(key) {
  const s = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "");
  const slash = s.indexOf("/");
  const host = normaliseServerUrl(slash === -1 ? s : s.slice(0, slash));
  const path = slash === -1 ? "" : s.slice(slash + 1).replace(/^v[12](\/|$)/, "").toLowerCase();
  return path ? `${host}/${path}` : host;
}

/**
 * @typedef {{ id: string, name: string, host: string, prefix: string }} IssuedRegistry
 * @typedef {{ username?: string, password?: string, auth?: string }} AuthEntry
 */

/**
 * The registry `get` answers with for a host: the one without a path prefix, else the only one.
 * Several path-prefixed registries on one host cannot be told apart by host alone.
 * @param {IssuedRegistry[]} registries
 * @param {string} host
 * @returns {IssuedRegistry}
 */
function chooseRegistry(registries, host) {
  const unprefixed = registries.find((r) => !r.prefix);
  if (unprefixed) return unprefixed;
  if (registries.length === 1 && registries[0]) return registries[0];
  if (registries.length === 0) throw new NotFound("");
  const names = registries.map((r) => `${r.host}/${r.prefix} ("${r.name}")`).join(", ");
  throw new NotFound(
    `${NAME}: ${registries.length} registries share ${host}, each with its own path prefix: ${names}. ` +
      "A credential helper is asked by host only, so it cannot choose. Use Berth's kubelet credential provider " +
      "or a .dockerconfigjson pull secret, which are keyed by path.",
  );
}

/**
 * The username and password of `registry` in the `auths` of a `.dockerconfigjson`.
 * @param {Record<string, AuthEntry>} auths
 * @param {IssuedRegistry} registry
 * @returns {{ username: string, password: string } | undefined}
 */
function credentialsOf(auths, registry) {
  const want = normaliseKey(registry.prefix ? `${registry.host}/${registry.prefix}` : registry.host);
  const entries = Object.entries(auths);
  const found = entries.find(([key]) => normaliseKey(key) === want)?.[1] ?? (entries.length === 1 ? entries[0]?.[1] : undefined);
  if (!found) return undefined;
  if (typeof found.username === "string" && typeof found.password === "string") return { username: found.username, password: found.password };
  if (typeof found.auth !== "string") return undefined;
  const decoded = Buffer.from(found.auth, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * @typedef {{ url: string, token: string, company: string }} Config
 */

/**
 * Where the config file is: $XDG_CONFIG_HOME/berth/credential-helper.json, or under ~/.config.
 * @param {Record<string, string | undefined>} env
 * @param {string} home
 */
function configPath(env, home) {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith("/") ? env.XDG_CONFIG_HOME : `${home}/.config`;
  return `${base}/berth/credential-helper.json`;
}

/**
 * The configuration: each of BERTH_URL, BERTH_TOKEN and BERTH_COMPANY from the environment,
 * else from the config file (refused when group or others may read it).
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<Config>}
 */
async function loadConfig(env) {
  const fs = await import("node:fs/promises");
  const os = await import("node:os");
  /** @type {Partial<Config>} */
  const config = { url: env.BERTH_URL, token: env.BERTH_TOKEN, company: env.BERTH_COMPANY };
  const file = configPath(env, os.homedir());
  if (!config.url || !config.token || !config.company) {
    /** @type {import("node:fs").Stats | undefined} */
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      stat = undefined;
    }
    if (stat) {
      if ((stat.mode & 0o077) !== 0) {
        throw new HelperError(`${NAME}: ${file} holds a token and may be read by others (mode ${(stat.mode & 0o777).toString(8).padStart(4, "0")}): run chmod 600 ${file}. Refusing to use it.`);
      }
      /** @type {unknown} */
      let parsed;
      try {
        parsed = JSON.parse(await fs.readFile(file, "utf8"));
      } catch (err) {
        throw new HelperError(`${NAME}: ${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
      }
      if (!parsed || typeof parsed !== "object") throw new HelperError(`${NAME}: ${file} must hold {"url","token","company"}.`);
      const fromFile = /** @type {Record<string, unknown>} */ (parsed);
      for (const key of /** @type {const} */ (["url", "token", "company"])) {
        const value = fromFile[key];
        if (!config[key] && typeof value === "string") config[key] = value;
      }
    }
  }
  const missing = [["url", "BERTH_URL"], ["token", "BERTH_TOKEN"], ["company", "BERTH_COMPANY"]].filter(([k]) => !config[/** @type {keyof Config} */ (k)]).map(([, v]) => v);
  if (missing.length > 0 || !config.url || !config.token || !config.company) {
    throw new HelperError(`${NAME}: not configured: set ${missing.join(", ")} or write {"url","token","company"} to ${file} (chmod 600).`);
  }
  let url;
  try {
    url = new URL(config.url);
  } catch {
    throw new HelperError(`${NAME}: BERTH_URL "${config.url}" is not a URL like https://berth.example.com.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new HelperError(`${NAME}: BERTH_URL must start with https:// (or http://).`);
  return { url: url.origin + url.pathname.replace(/\/+$/, ""), token: config.token.trim(), company: config.company.trim() };
}

/**
 * One call to Berth's API within what is left of the deadline, Berth's problem detail turned
 * into a message that says what to fix. The token is never part of a message.
 * @param {Config} config
 * @param {string} path below /api/v1/companies/{company}
 * @param {unknown} [body] a JSON body (POST), or none (GET)
 * @returns {Promise<{ status: number, json: any }>}
 */
async function berth(config, path, body) {
  const url = `${config.url}/api/v1/companies/${encodeURIComponent(config.company)}${path}`;
  let res;
  try {
    res = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${config.token}`, Accept: "application/json", "User-Agent": `${NAME}/${VERSION}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(Math.max(1, DEADLINE_MS - 500 - (Date.now() - STARTED))),
    });
  } catch (err) {
    const e = /** @type {{ name?: string, cause?: { code?: string, message?: string } }} */ (err);
    if (e.name === "TimeoutError" || e.name === "AbortError") throw new HelperError(`${NAME}: Berth at ${config.url} did not answer within ${DEADLINE_MS / 1000} s.`);
    throw new HelperError(`${NAME}: cannot reach Berth at ${config.url} (${e.cause?.code ?? e.cause?.message ?? String(err)}).`);
  }
  const text = await res.text().catch(() => "");
  /** @type {any} */
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const detail = json && typeof json.detail === "string" ? ` Berth says: ${json.detail}` : "";
  if (res.ok && json) return { status: res.status, json };
  if (res.status === 404 && json && Array.isArray(json.missing)) return { status: 404, json };
  if (res.status === 401) throw new HelperError(`${NAME}: Berth rejected the token (401): it is wrong, revoked or expired. Create a registries:pull token in Berth and set BERTH_TOKEN.${detail}`);
  if (res.status === 403) throw new HelperError(`${NAME}: Berth refused (403): the token needs the registries:pull scope, its owner a role that may pull, and this address must be allowed.${detail}`);
  if (res.status === 404) throw new HelperError(`${NAME}: Berth has no company "${config.company}" for this token (404): check BERTH_COMPANY (the company's id or slug).${detail}`);
  if (res.status === 429) throw new HelperError(`${NAME}: too many requests to Berth (429): retry in ${res.headers.get("retry-after") ?? "a few"} s.${detail}`);
  if (res.ok) throw new HelperError(`${NAME}: Berth at ${config.url} gave an answer that is not JSON: is BERTH_URL the Berth server?`);
  throw new HelperError(`${NAME}: Berth answered HTTP ${res.status}.${detail}`);
}

/**
 * @param {string} text
 * @param {Config} config
 * @returns {Promise<string>} the JSON line to print
 */
async function get(text, config) {
  const host = normaliseServerUrl(text);
  if (!host) throw new HelperError(`${NAME}: get expects a registry host on stdin (e.g. ghcr.io or 127.0.0.1:5000).`);
  const { status, json } = await berth(config, "/registries/pull-secret", { hosts: [host], format: "dockerconfigjson" });
  if (status === 404) throw new NotFound("");
  /** @type {IssuedRegistry[]} */
  const registries = Array.isArray(json.registries) ? json.registries : [];
  const auths = json.content && typeof json.content === "object" && json.content.auths && typeof json.content.auths === "object" ? json.content.auths : {};
  const chosen = chooseRegistry(registries, host);
  const creds = credentialsOf(auths, chosen);
  if (!creds) throw new HelperError(`${NAME}: Berth's answer holds no credentials for ${host}.`);
  return JSON.stringify({ ServerURL: text.trim(), Username: creds.username, Secret: creds.password });
}

/**
 * @param {Config} config
 * @returns {Promise<string>}
 */
async function list(config) {
  /** @type {Record<string, string>} */
  const out = {};
  let pageToken = "";
  for (let page = 0; page < 100; page++) {
    const { json } = await berth(config, `/registries?limit=100${pageToken ? `&pagination.token=${encodeURIComponent(pageToken)}` : ""}`);
    const items = Array.isArray(json.items) ? json.items : [];
    for (const r of items) {
      if (!r || r.isActive !== true || r.isDeleted === true || r.type === "public" || typeof r.url !== "string") continue;
      // Keyed as Docker keys logins: host[:port][/prefix] without a scheme, Docker Hub by its legacy URL.
      const url = normaliseKey(r.url) === "docker.io" ? "https://index.docker.io/v1/" : r.url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
      const username = r.credentials && typeof r.credentials.username === "string" ? r.credentials.username : "";
      out[url] = username;
    }
    if (typeof json.nextPageToken !== "string" || !json.nextPageToken) break;
    pageToken = json.nextPageToken;
  }
  return JSON.stringify(out);
}

/** @returns {Promise<string>} */
async function readStdin() {
  /** @type {Buffer[]} */
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(/** @type {Buffer} */ (chunk));
  return Buffer.concat(chunks).toString("utf8");
}

const USAGE = `Usage: ${NAME} <get|list|store|erase|version>
A Docker credential helper that fetches registry credentials from Berth.
Configure BERTH_URL, BERTH_TOKEN and BERTH_COMPANY, or ~/.config/berth/credential-helper.json (chmod 600).
Then name it in ~/.docker/config.json: {"credHelpers": {"ghcr.io": "berth"}}`;

/**
 * @param {string[]} argv
 * @returns {Promise<number>} the exit code
 */
async function main(argv) {
  const command = argv[0] ?? "";
  const timer = setTimeout(() => {
    process.stderr.write(`${NAME}: no answer within ${DEADLINE_MS / 1000} s.\n`);
    process.exit(1);
  }, DEADLINE_MS);
  timer.unref();
  try {
    switch (command) {
      case "get": {
        const text = await readStdin();
        const config = await loadConfig(process.env);
        process.stdout.write(`${await get(text, config)}\n`);
        return 0;
      }
      case "list":
        process.stdout.write(`${await list(await loadConfig(process.env))}\n`);
        return 0;
      case "store":
      case "erase":
        await readStdin();
        process.stderr.write(`${NAME}: ${command} does nothing: Berth keeps these credentials; change them in Berth. (Other hosts' logins are unaffected.)\n`);
        return 0;
      case "version":
      case "--version":
        process.stdout.write(`${NAME} ${VERSION}\n`);
        return 0;
      default:
        process.stderr.write(`${USAGE}\n`);
        return 1;
    }
  } catch (err) {
    if (err instanceof NotFound) {
      if (err.message) process.stderr.write(`${err.message}\n`);
      process.stdout.write(`${NOT_FOUND}\n`);
      return 1;
    }
    const message = err instanceof HelperError ? err.message : `${NAME}: unexpected error: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`${message}\n`);
    // Docker and containers/image show a helper's stdout when it fails: one plain line, never JSON.
    if (command === "get") process.stdout.write(`${message}\n`);
    return 1;
  }
}

module.exports = { VERSION, normaliseServerUrl, normaliseKey, chooseRegistry, credentialsOf, configPath };

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
