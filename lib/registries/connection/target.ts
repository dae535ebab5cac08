/** Parsing of the registry host and of the optional image reference. Pure functions. */
import { dockerhub } from "@/lib/registries/types/dockerhub";
import { splitImageName } from "./image-name";
import { canonicalAddress, parseIpLiteral } from "./policy";
import { trimTrailingSlashes } from "../text";

export interface RegistryTarget {
  scheme: "https" | "http";
  /** Host as typed (lower case), IPv6 without brackets, e.g. `docker.io`. */
  hostname: string;
  /** Host the API is called at: `registry-1.docker.io` for Docker Hub, else `hostname`. */
  apiHostname: string;
  port: number;
  /** `host[:port]` as typed, for messages. */
  displayHost: string;
  /** Path prefix without slashes (`my-org`), or "". */
  pathPrefix: string;
  /** Canonical address when the host is an IP literal. */
  ipLiteral?: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Docker Hub's API host: images name it `docker.io`, the registry API answers here. */
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

/** A host of Docker Hub (whatever the registry's type: public images live there too). */
export function isDockerHubHost(host: string): boolean {
  return dockerhub.hostPattern.regex?.test(host.toLowerCase()) === true;
}

/** `host` or `[v6]` for use in URLs and `Host` headers. */
export function urlHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

function splitHostPort(authority: string): { hostname: string; port?: string } | undefined {
  if (authority.startsWith("[")) {
    const end = authority.indexOf("]");
    if (end < 0) return undefined;
    const rest = authority.slice(end + 1);
    if (rest !== "" && !rest.startsWith(":")) return undefined;
    return { hostname: authority.slice(1, end), port: rest ? rest.slice(1) : undefined };
  }
  const colon = authority.lastIndexOf(":");
  if (colon >= 0 && authority.indexOf(":") !== colon) return { hostname: authority }; // bare IPv6, no port
  return colon < 0 ? { hostname: authority } : { hostname: authority.slice(0, colon), port: authority.slice(colon + 1) };
}

function stripScheme(host: string, plainHttp: boolean): ParseResult<string> {
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host);
  if (!match) return { ok: true, value: host };
  const scheme = match[1]?.toLowerCase();
  if (scheme === "https" && !plainHttp) return { ok: true, value: host.slice(match[0].length) };
  if (scheme === "http" && plainHttp) return { ok: true, value: host.slice(match[0].length) };
  return { ok: false, message: `Remove "${match[0]}" from the registry URL (use host[:port][/path]; plain HTTP is a separate setting).` };
}

/** Parses `host[:port][/path-prefix]` (a leading `https://` is tolerated). */
export function parseRegistryHost(host: string, plainHttp: boolean): ParseResult<RegistryTarget> {
  const stripped = stripScheme(host.trim(), plainHttp);
  if (!stripped.ok) return stripped;
  const text = trimTrailingSlashes(stripped.value);
  const slash = text.indexOf("/");
  const authority = (slash < 0 ? text : text.slice(0, slash)).toLowerCase();
  const pathPrefix = slash < 0 ? "" : text.slice(slash + 1);
  const parts = splitHostPort(authority);
  if (!authority || !parts || !parts.hostname) return { ok: false, message: "Enter the registry host, e.g. registry.example.com:5000." };
  if (/[?#@%\s\\]/.test(text)) return { ok: false, message: "The registry URL may hold only host[:port][/path]." };
  const port = parts.port === undefined ? (plainHttp ? 80 : 443) : Number(parts.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || (parts.port !== undefined && !/^\d+$/.test(parts.port))) {
    return { ok: false, message: `The port "${parts.port}" is not a number from 1 to 65535.` };
  }
  const literal = parseIpLiteral(parts.hostname);
  if (!literal && !HOSTNAME.test(parts.hostname)) return { ok: false, message: `"${parts.hostname}" is not a valid host name.` };
  if (pathPrefix && !/^[a-z0-9._\-/]+$/i.test(pathPrefix)) return { ok: false, message: `The path prefix "${pathPrefix}" has characters a repository path cannot hold.` };
  const hostname = parts.hostname.replace(/\.$/, "");
  const ipLiteral = literal ? canonicalAddress(parts.hostname) : undefined;
  const value: RegistryTarget = {
    scheme: plainHttp ? "http" : "https",
    hostname,
    apiHostname: isDockerHubHost(hostname) && parts.port === undefined ? DOCKER_HUB_API_HOST : hostname,
    port,
    displayHost: parts.port === undefined ? urlHost(hostname) : `${urlHost(hostname)}:${port}`,
    pathPrefix,
    ipLiteral,
  };
  if (!URL.canParse(`${apiOrigin(value)}/v2/`)) return { ok: false, message: `"${host}" is not a usable registry address.` };
  return { ok: true, value };
}

/** Base URL of the API (`https://host:port`), always at the host root: `/v2/` ignores path prefixes. */
export function apiOrigin(target: RegistryTarget): string {
  const host = target.ipLiteral ? urlHost(target.ipLiteral) : urlHost(target.apiHostname);
  return `${target.scheme}://${host}:${target.port}`;
}

export interface ImageReference {
  repository: string;
  /** Tag or digest to `HEAD`. */
  reference: string;
}

function sameRegistry(domain: string, target: RegistryTarget): boolean {
  if (isDockerHubHost(domain) && isDockerHubHost(target.hostname)) return true;
  const key = registryHostKey(target);
  return domain === key || domain === `${key.replace(/:\d+$/, "")}:${target.port}`;
}

/**
 * Resolves `image` against the registry: a full reference must name this
 * registry; a relative one gets the path prefix (unless it already starts
 * with it) and Docker Hub's `library/` for single names.
 */
export function parseImageReference(
  image: string,
  target: RegistryTarget,
  /** Hosts a placeholder target stands for (ECR's "any account in REGION"): `(domain, targetHost) => boolean`. */
  standsFor?: (domain: string, targetHost: string) => boolean,
): ParseResult<ImageReference> {
  const split = splitImageName(image);
  if (!split.ok) return split;
  const { domain, path, tag, digest } = split.value;
  if (domain && !sameRegistry(domain, target) && !standsFor?.(domain, target.displayHost)) {
    return { ok: false, message: `The image ${image.trim()} belongs to ${domain}, not to ${target.displayHost}.` };
  }
  let repository = path;
  const prefix = target.pathPrefix.toLowerCase();
  if (prefix && repository !== prefix && !repository.startsWith(`${prefix}/`)) repository = `${prefix}/${repository}`;
  if (isDockerHubHost(target.hostname) && !repository.includes("/")) repository = `library/${repository}`;
  return { ok: true, value: { repository, reference: digest ?? tag ?? "latest" } };
}

/**
 * The registry part of a target as image references write it, for comparing with an image's
 * domain: lower case, the IPv6 literal canonical and in brackets, the port only when given.
 */
export function registryHostKey(target: RegistryTarget): string {
  const host = target.ipLiteral ? urlHost(target.ipLiteral) : urlHost(target.hostname);
  return target.displayHost === urlHost(target.hostname) ? host : `${host}:${target.port}`;
}
