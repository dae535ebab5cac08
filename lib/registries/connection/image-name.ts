/**
 * The one parser of image references, following Docker's grammar (distribution's `reference`
 * package): `[domain/]path[:tag][@digest]`. Pure functions, client-safe.
 *
 * - The first `/`-separated part is a registry domain when it contains `.` or `:`, is
 *   `localhost`, or has upper-case letters (Docker's rule: `Team/app` names the host `Team`);
 *   otherwise the reference has no domain (Docker Hub, or the registry it is relative to).
 * - Path components are lower-case `[a-z0-9]+` joined by `.`, `_`, `__` or dashes; a tag is
 *   `[\w][\w.-]{0,127}`; a digest is `sha256:` + 64, `sha384:` + 96 or `sha512:` + 128
 *   lower-case hex digits. A tag and a digest together are allowed (the digest wins).
 * - Docker Hub: no domain or `index.docker.io` is `docker.io`, and a single-component path gets
 *   `library/` (`postgres` is `docker.io/library/postgres`).
 */
import { canonicalAddress, parseIpLiteral } from "./policy";

export type ImageParse<T> = { ok: true; value: T } | { ok: false; message: string };

/** A reference split into its parts; `domain` is absent for a relative reference. */
export interface ImageNameParts {
  /** `host[:port]` lower-cased, IPv6 in brackets: `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  domain?: string;
  /** The repository path without the domain: `org/api`. */
  path: string;
  tag?: string;
  digest?: string;
}

/** A reference normalised as Docker does: always with a domain. */
export interface NormalizedImage extends Required<Pick<ImageNameParts, "domain" | "path">> {
  tag?: string;
  digest?: string;
  /** `domain/path`, e.g. `docker.io/library/postgres`. */
  name: string;
}

export const DOCKER_HUB_DOMAIN = "docker.io";
/** Docker's longest name (domain and path). */
export const MAX_IMAGE_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const DIGEST = /^([A-Za-z][A-Za-z0-9]*(?:[+._-][A-Za-z][A-Za-z0-9]*)*):([0-9a-fA-F]{32,})$/;
/** Hex digits of the digest algorithms Docker accepts. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const IMAGE_ID = /^[a-f0-9]{64}$/;

function looksLikeDomain(part: string): boolean {
  return part.includes(".") || part.includes(":") || part === "localhost" || part.toLowerCase() !== part;
}

function checkDigest(digest: string): string | undefined {
  const match = DIGEST.exec(digest);
  if (!match) return `the digest "${digest}" is not ALGORITHM:HEX (e.g. sha256: and 64 hex digits)`;
  const [, algorithm, hex] = match as unknown as [string, string, string];
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return `the digest algorithm "${algorithm}" is not supported (use sha256, sha384 or sha512)`;
  if (hex.length !== length) return `a ${algorithm} digest has ${length} hex digits, not ${hex.length}`;
  if (hex !== hex.toLowerCase()) return "the digest's hex digits must be lower case";
  return undefined;
}

/** The domain as `host[:port]`, lower case with a canonical IPv6 literal in brackets; or why it is not one. */
export function parseImageDomain(domain: string): ImageParse<string> {
  let host = domain;
  let port: string | undefined;
  if (domain.startsWith("[")) {
    const end = domain.indexOf("]");
    if (end < 0) return { ok: false, message: `the registry host "${domain}" has an unclosed [` };
    host = domain.slice(1, end);
    const rest = domain.slice(end + 1);
    if (rest !== "" && !rest.startsWith(":")) return { ok: false, message: `"${domain}" is not a registry host` };
    if (rest) port = rest.slice(1);
    if (!host.includes(":") || !parseIpLiteral(host)) return { ok: false, message: `"${host}" in brackets is not an IPv6 address` };
    host = `[${canonicalAddress(host)}]`;
  } else {
    const colon = domain.indexOf(":");
    if (colon >= 0) {
      port = domain.slice(colon + 1);
      host = domain.slice(0, colon);
    }
    if (host === "") return { ok: false, message: "the registry host is empty" };
    if (!host.split(".").every((component) => DOMAIN_COMPONENT.test(component))) return { ok: false, message: `"${host}" is not a valid registry host` };
    host = host.toLowerCase();
  }
  if (port !== undefined) {
    const n = Number(port);
    if (!/^\d+$/.test(port) || n < 1 || n > 65535) return { ok: false, message: `the port "${port}" is not a number from 1 to 65535` };
    return { ok: true, value: `${host}:${n}` };
  }
  return { ok: true, value: host };
}

function checkPath(path: string): string | undefined {
  if (path === "") return "the repository path is empty";
  for (const component of path.split("/")) {
    if (component === "") return "the repository path has an empty part (two slashes, or one at an end)";
    if (component.toLowerCase() !== component) return `the repository path must be lower case ("${component}")`;
    if (!PATH_COMPONENT.test(component)) return `"${component}" is not a repository name part (letters, digits and single ., _, __ or - between them)`;
  }
  return undefined;
}

/**
 * Splits a reference into domain (when it has one), path, tag and digest, refusing what Docker
 * refuses; the message says why (without the word "image", so callers can frame it).
 */
export function splitImageName(image: string): ImageParse<ImageNameParts> {
  const text = image.trim();
  const fail = (reason: string) => ({ ok: false as const, message: `"${text}" is not an image reference: ${reason}.` });
  if (text === "") return { ok: false, message: "The image reference is empty." };
  if (/\s/.test(text)) return fail("it contains spaces");
  let name = text;
  let digest: string | undefined;
  const at = name.indexOf("@");
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    const problem = checkDigest(digest);
    if (problem) return fail(problem);
  }
  let tag: string | undefined;
  const colon = name.lastIndexOf(":");
  const lastSlash = name.lastIndexOf("/");
  // A colon after the last slash starts the tag, unless it is inside an IPv6 domain (`[::1]:5000` has no path).
  if (colon > lastSlash && !(lastSlash < 0 && name.startsWith("["))) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) return fail(tag === "" ? "the tag after ':' is empty" : `the tag "${tag}" may hold only letters, digits, _, . and - (at most 128, not starting with . or -)`);
  }
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  let domain: string | undefined;
  let path = name;
  if (slash >= 0 && looksLikeDomain(first)) {
    const checked = parseImageDomain(first);
    if (!checked.ok) return fail(checked.message);
    domain = checked.value;
    path = name.slice(slash + 1);
  } else if (slash === 0) {
    return fail("the registry host is empty");
  }
  const problem = checkPath(path);
  if (problem) return fail(problem);
  if (!domain && IMAGE_ID.test(path)) return fail("a 64-digit hexadecimal string is an image ID, not a repository name");
  if ((domain ? domain.length + 1 : 0) + path.length > MAX_IMAGE_NAME_LENGTH) return fail(`the name is longer than ${MAX_IMAGE_NAME_LENGTH} characters`);
  return { ok: true, value: { ...(domain ? { domain } : {}), path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) } };
}

/** Parses a reference the way `docker pull` reads it: `postgres:17-alpine` is `docker.io/library/postgres`. */
export function parseImageName(image: string): ImageParse<NormalizedImage> {
  const split = splitImageName(image);
  if (!split.ok) return split;
  const { path: given, tag, digest } = split.value;
  const domain = split.value.domain === undefined || split.value.domain === "index.docker.io" ? DOCKER_HUB_DOMAIN : split.value.domain;
  const path = domain === DOCKER_HUB_DOMAIN && !given.includes("/") ? `library/${given}` : given;
  return { ok: true, value: { domain, path, name: `${domain}/${path}`, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) } };
}
