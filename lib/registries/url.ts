/** Registry URLs: normalisation of what a user types. Client-safe (imports only pure helpers). */
import { trimTrailingSlashes } from "./text";

export interface NormalizedRegistryUrl {
  ok: true;
  /** `host[:port][/pathPrefix]`: no scheme, no trailing slash, lower-case host. */
  url: string;
  /** Lower-case host name, IPv4 address or bracketed IPv6 address (`[::1]`), without port. */
  host: string;
  port?: number;
  /** The path after the host without leading or trailing slash (`my-org/team`); "" when none. Case is kept. */
  pathPrefix: string;
  /** `http://` was typed: the registry is spoken to without TLS. */
  plainHttp: boolean;
  /** `https://` was typed and removed. */
  strippedHttps: boolean;
}

export type NormalizeRegistryUrlResult = NormalizedRegistryUrl | { ok: false; message: string };

const MAX_URL_LENGTH = 2048;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

const fail = (message: string) => ({ ok: false as const, message });

/**
 * Normalises a registry URL as typed: trims, removes `https://` and trailing
 * slashes, keeps `http://` as `plainHttp`, lower-cases the host. Rejects other
 * schemes, `user:password@`, queries, fragments, spaces, bad hosts and ports.
 * Error messages never repeat the input (it may hold a password).
 */
export function normalizeRegistryUrl(input: string): NormalizeRegistryUrlResult {
  let rest = input.trim();
  if (rest === "") return fail("Enter a registry host, e.g. registry.example.com");
  if (rest.length > MAX_URL_LENGTH) return fail(`Must be at most ${MAX_URL_LENGTH} characters`);

  let plainHttp = false;
  let strippedHttps = false;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name === "https") strippedHttps = true;
    else if (name === "http") plainHttp = true;
    else return fail(`Unsupported scheme “${name}://”: use a host name, https:// or http://`);
    rest = rest.slice(scheme[0].length);
  }
  if (/\s/.test(rest)) return fail("Must not contain spaces");
  if (rest.includes("?")) return fail("Must not contain a query string (?…)");
  if (rest.includes("#")) return fail("Must not contain a fragment (#…)");

  rest = trimTrailingSlashes(rest);
  const slash = rest.indexOf("/");
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const pathPrefix = slash === -1 ? "" : rest.slice(slash + 1);
  if (authority.includes("@")) {
    return fail("Must not contain a user name or password (user:password@host): enter them in their own fields");
  }

  const hostAndPort = splitHostPort(authority);
  if (!hostAndPort.ok) return hostAndPort;
  const { host, portText } = hostAndPort;

  let port: number | undefined;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) return fail("Port must be a number from 1 to 65535");
  }

  if (pathPrefix !== "") {
    for (const segment of pathPrefix.split("/")) {
      if (!PATH_SEGMENT.test(segment) || segment === "." || segment === "..") {
        return fail("The path may only contain letters, digits, “.”, “_”, “-” and single “/” between names");
      }
    }
  }

  const url = `${host}${port === undefined ? "" : `:${port}`}${pathPrefix ? `/${pathPrefix}` : ""}`;
  return { ok: true, url, host, ...(port === undefined ? {} : { port }), pathPrefix, plainHttp, strippedHttps };
}

function splitHostPort(
  authority: string,
): { ok: true; host: string; portText: string | undefined } | { ok: false; message: string } {
  if (authority.startsWith("[")) {
    const end = authority.indexOf("]");
    if (end === -1) return fail("Missing “]” after the IPv6 address");
    const after = authority.slice(end + 1);
    if (after !== "" && !after.startsWith(":")) return fail("Only a port may follow an IPv6 address, e.g. [::1]:5000");
    const address = canonicalIpv6(authority.slice(1, end));
    if (!address) return fail("Invalid IPv6 address");
    return { ok: true, host: address, portText: after === "" ? undefined : after.slice(1) };
  }

  const colon = authority.indexOf(":");
  if (colon !== authority.lastIndexOf(":")) return fail("Put IPv6 addresses in brackets, e.g. [::1]:5000");
  const host = (colon === -1 ? authority : authority.slice(0, colon)).toLowerCase();
  const portText = colon === -1 ? undefined : authority.slice(colon + 1);

  if (host === "") return fail("Enter a host name");
  if (/[^\x20-\x7e]/.test(host)) return fail("Use the ASCII (xn--) form of the host name");
  if (host.length > 253) return fail("The host name is too long");
  const labels = host.split(".");
  if (!labels.every((label) => HOST_LABEL.test(label))) {
    return fail("Invalid host name: use letters, digits and “-” between dots, e.g. registry.example.com");
  }
  // Top-level domains are never numeric: a numeric last label must be a whole IPv4 address.
  if (/^\d+$/.test(labels.at(-1)!) && !IPV4.test(host)) return fail("Invalid IPv4 address");
  return { ok: true, host, portText };
}

/** The WHATWG URL parser (browser and Node) validates and compresses IPv6 literals. */
function canonicalIpv6(address: string): string | null {
  if (!/^[0-9a-f:.]+$/i.test(address) || !address.includes(":")) return null;
  try {
    return new URL(`http://[${address}]/`).hostname;
  } catch {
    return null;
  }
}

/**
 * The canonical stored form of a URL field: `host[:port][/prefix]`, with
 * `http://` kept in front for a plain-HTTP registry. `null` when invalid.
 */
export function canonicalRegistryUrl(input: string): string | null {
  const result = normalizeRegistryUrl(input);
  if (!result.ok) return null;
  return result.plainHttp ? `http://${result.url}` : result.url;
}
