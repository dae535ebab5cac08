/**
 * Reading a Docker client configuration (`~/.docker/config.json`, a `.dockerconfigjson`, a CI
 * variable such as GitLab's `DOCKER_AUTH_CONFIG`) for the import: each `auths` entry becomes a
 * generic create body `{url, username, password}`, or a reason why it cannot (no secret in the
 * file, an identity token only). Only the shape is checked here: the generic-body mapping and
 * the create schema decide the type and validate the values. Client-safe.
 *
 * Nothing here repeats a secret: reasons and error messages name keys and fields, never values,
 * and a key holding `user:password@` is reported with that part masked.
 */
import * as z from "zod";
import type { FieldIssue } from "@/lib/errors";
import type { RegistryDto } from "./dto";
import { isRecord, type RegistryTypeKey } from "./schemas";

/** At most this many `auths` and `credHelpers` entries in one import. */
export const MAX_IMPORT_ENTRIES = 100;
/** The largest config accepted as JSON text (the whole request body has the same limit). */
export const MAX_DOCKER_CONFIG_BYTES = 64 * 1024;

const typeError = (expected: string) => (issue: { input?: unknown }) => (issue.input === undefined ? "Required" : `Must be ${expected}`);

/** `POST …/registries/import`: the Docker config as an object or as its JSON text, and `dryRun`. */
export const importRequestSchema = z.strictObject({
  dockerconfigjson: z.union(
    [
      z.string().refine((text) => new TextEncoder().encode(text).length <= MAX_DOCKER_CONFIG_BYTES, `Must be at most ${MAX_DOCKER_CONFIG_BYTES / 1024} KiB`),
      z.record(z.string(), z.unknown()),
    ],
    { error: typeError('the Docker config: a JSON object such as {"auths": {…}}, or its JSON text') },
  ),
  dryRun: z.boolean({ error: typeError("true or false") }).default(false),
});

/** A key that was skipped or is in conflict, and why (never a secret). */
export interface ImportOutcome {
  key: string;
  reason: string;
  /** The registry already holding the URL, when there is one. */
  registryId?: string;
  /** The registry URL and type the entry maps to, when it maps. */
  url?: string;
  type?: RegistryTypeKey;
}

/** The answer of an import, per key. In a dry run `created` shows what would be stored; those ids are never kept. */
export interface ImportAnswer {
  dryRun: boolean;
  created: { key: string; registry: RegistryDto }[];
  skipped: ImportOutcome[];
  conflicts: ImportOutcome[];
}

/** One entry of the config, ready for the generic-body mapping, or the reason it cannot be imported. */
export type DockerConfigEntry =
  | { key: string; url: string; username: string; password: string }
  | { key: string; reason: string };

export type DockerConfigParseResult = { ok: true; entries: DockerConfigEntry[] } | { ok: false; errors: FieldIssue[] };

/** Docker Hub's keys: the legacy `https://index.docker.io/v1/` Docker itself writes, and its host names. */
const DOCKER_HUB_KEY = /^(?:https?:\/\/)?(?:index\.|registry-1\.)?docker\.io(?:\/v[12])?\/*$/i;
/** A key that ends in the registry API's own path (`https://registry.example.com/v2/`): not a path prefix. */
const API_PATH_SUFFIX = /^((?:[a-z][a-z0-9+.-]*:\/\/)?[^/]+)\/v[12]\/*$/i;

/** The key as it may be shown: a `user:password@` in front of the host is masked. */
export function displayKey(key: string): string {
  return key.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?)[^/]*@/i, "$1***@");
}

/**
 * The registry URL an `auths` key names, for the create API's URL rules (`https://` dropped,
 * `http://` kept as plain HTTP, a path kept as the path prefix): Docker Hub's keys are
 * `docker.io`, and a trailing `/v1` or `/v2` (the API path old clients wrote) is dropped.
 */
export function registryUrlOfKey(key: string): string {
  const trimmed = key.trim();
  if (DOCKER_HUB_KEY.test(trimmed)) return "docker.io";
  return API_PATH_SUFFIX.exec(trimmed)?.[1] ?? trimmed;
}

const STRING_FIELDS = ["auth", "username", "password", "identitytoken", "registrytoken", "email", "serveraddress"] as const;

/** Standard base64 (padding optional, as Docker and kubelet accept it). */
function decodeBase64(value: string): string | null {
  const compact = value.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
  // atob (browsers and Node) is forgiving about missing padding; the bytes are UTF-8.
  return new TextDecoder().decode(Uint8Array.from(atob(compact), (c) => c.charCodeAt(0)));
}

/**
 * What an `auths` entry signs in with. `auth` (base64 of `username:password`, split at the
 * first colon) wins over separate `username`/`password` fields, as in Docker and kubelet.
 */
function credentialsOf(entry: Record<string, string | undefined>, credsStore: string | undefined): { username: string; password: string } | { reason: string } {
  let username = entry.username ?? "";
  let password = entry.password ?? "";
  if (entry.auth?.trim()) {
    const decoded = decodeBase64(entry.auth);
    const colon = decoded?.indexOf(":") ?? -1;
    if (decoded === null || colon === -1) return { reason: "Its auth value is not base64 of username:password" };
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (username && password) return { username, password };
  if (entry.identitytoken?.trim()) {
    return {
      reason:
        "It holds an identity token (an OAuth refresh token) and no password: Kubernetes and Berth's pull secrets cannot use it. Sign in with a password or access token (docker login -u USER --password-stdin) and import again",
    };
  }
  if (entry.registrytoken?.trim()) return { reason: "It holds a short-lived registry token and no password: sign in with a password or access token and import again" };
  if (username) return { reason: "It has a username but no password" };
  if (credsStore) {
    return {
      reason: `It holds no credentials: they are kept by the credential store "${credsStore}" (docker-credential-${credsStore}), not in this file. Sign in without the store or add the registry by hand`,
    };
  }
  return { reason: "It holds no credentials (no auth, or username and password)" };
}

/**
 * The entries of a Docker config object, in file order: every `auths` key, then every
 * `credHelpers` key that has no `auths` entry (its secret lives in the helper: never importable).
 * A config of the wrong shape (not an object, `auths` not an object, a field that is not text)
 * is a list of field errors with paths under `dockerconfigjson`.
 */
export function parseDockerConfig(config: unknown): DockerConfigParseResult {
  const base = "dockerconfigjson";
  if (!isRecord(config)) return fail(base, 'Must be a JSON object such as {"auths": {…}}');
  const errors: FieldIssue[] = [];
  const auths = config.auths ?? {};
  const helpers = config.credHelpers ?? {};
  if (!isRecord(auths)) errors.push({ path: `${base}.auths`, message: "Must be an object of registry hosts" });
  if (!isRecord(helpers)) errors.push({ path: `${base}.credHelpers`, message: "Must be an object of registry hosts and helper names" });
  if (config.credsStore !== undefined && typeof config.credsStore !== "string") errors.push({ path: `${base}.credsStore`, message: "Must be text" });
  if (errors.length > 0) return { ok: false, errors };
  const authEntries = Object.entries(auths as Record<string, unknown>);
  const helperEntries = Object.entries(helpers as Record<string, unknown>).filter(([key]) => !(key in (auths as object)));
  if (authEntries.length + helperEntries.length === 0) return fail(`${base}.auths`, "Has no registries: a Docker config lists them under auths");
  if (authEntries.length + helperEntries.length > MAX_IMPORT_ENTRIES) return fail(`${base}.auths`, `Import at most ${MAX_IMPORT_ENTRIES} registries at a time`);

  const credsStore = (config.credsStore as string | undefined)?.trim() || undefined;
  const entries: DockerConfigEntry[] = [];
  for (const [rawKey, value] of authEntries) {
    const key = displayKey(rawKey);
    const path = `${base}.auths.${key}`;
    if (!isRecord(value)) {
      errors.push({ path, message: 'Must be an object such as {"auth": "…"}' });
      continue;
    }
    const fields: Record<string, string | undefined> = {};
    for (const name of STRING_FIELDS) {
      const v = value[name];
      if (v === undefined || v === null) continue;
      if (typeof v !== "string") errors.push({ path: `${path}.${name}`, message: "Must be text" });
      else fields[name] = v;
    }
    if (key !== rawKey) {
      entries.push({ key, reason: "Its key holds a user name or password (user:password@host): use the registry host as the key" });
      continue;
    }
    const credentials = credentialsOf(fields, credsStore);
    entries.push("reason" in credentials ? { key, reason: credentials.reason } : { key, url: registryUrlOfKey(rawKey), ...credentials });
  }
  for (const [rawKey, helper] of helperEntries) {
    const key = displayKey(rawKey);
    if (typeof helper !== "string") {
      errors.push({ path: `${base}.credHelpers.${key}`, message: "Must be the name of a credential helper" });
      continue;
    }
    entries.push({
      key,
      reason: `Its credentials are kept by the credential helper docker-credential-${helper}, not in this file. Sign in without the helper or add the registry by hand`,
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, entries };
}

function fail(path: string, message: string): DockerConfigParseResult {
  return { ok: false, errors: [{ path, message }] };
}
