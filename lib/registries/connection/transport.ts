/**
 * HTTP for Test Connection on `node:net`/`node:tls`/`node:http`.
 *
 * Security decision: every request resolves the host itself, checks each
 * address with the outbound policy and connects to exactly a checked
 * address (SNI and `Host` carry the name), so a second DNS answer
 * (rebinding) never reaches the socket. Redirects repeat all of that,
 * `Authorization` is dropped as soon as a redirect leaves the original
 * origin, and bodies are cut at 1 MiB.
 */
import "server-only";
import dns from "node:dns";
import { readFileSync } from "node:fs";
import http, { type IncomingHttpHeaders } from "node:http";
import net from "node:net";
import tls from "node:tls";
import { Deadline, STAGE_LIMITS_MS, withinBudget } from "./deadline";
import { classifyNetworkError, codedError, errorCode, NetworkFailure } from "./network-errors";
import { canonicalAddress, refusedAddressesText, type AddressVerdict, type OutboundPolicy } from "./policy";
import type { LookupAddress, LookupFunction, TestStatus } from "./types";

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_REDIRECTS = 3;

export interface TransportSettings {
  policy: OutboundPolicy;
  lookup: LookupFunction;
  /**
   * Whether `http:` URLs may be used at all (the registry is flagged plain HTTP); `allow-listed`:
   * only to addresses an `OUTBOUND_ALLOW_CIDRS` entry admits (webhooks, provider APIs), so a
   * request in clear text never crosses the public internet.
   */
  allowPlainHttp: boolean | "allow-listed";
  caPem?: string;
  insecureSkipVerify: boolean;
  deadline: Deadline;
}

/** Receives the connection stages of a request (used for the first request only). */
export type StageTrace = (name: "dns" | "policy" | "tcp" | "tls", ok: boolean, ms: number, detail?: string) => void;

export interface RequestSpec {
  method: "GET" | "HEAD" | "POST";
  url: URL;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every value of repeated headers (several `WWW-Authenticate`). */
  distinct: NodeJS.Dict<string[]>;
  body: Buffer;
  truncated: boolean;
  /** The URL that answered (after redirects). */
  url: URL;
  address: string;
  tlsProtocol?: string;
  redirects: number;
  /** Time from sending the request to the end of the answer. */
  ms: number;
}

export const defaultLookup: LookupFunction = async (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

const CONNECT_RETRY_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

function describe(url: URL): string {
  return url.host;
}

/** Clearer wording than "… failed" for the failures an operator can act on. */
function explain(status: TestStatus, url: URL, fallback: string): string {
  switch (status) {
    case "tls_untrusted":
      return `The certificate of ${url.host} is not trusted`;
    case "tls_hostname_mismatch":
      return `The certificate of ${url.host} is not valid for the name ${url.hostname}`;
    case "tls_protocol":
      return `${url.host} did not answer the TLS handshake like a TLS server`;
    default:
      return fallback;
  }
}

function failure(phase: NetworkFailure["phase"], error: unknown, url: URL, message: string): NetworkFailure {
  const code = errorCode(error);
  const status = classifyNetworkError(phase, error);
  const text = explain(status, url, message);
  return new NetworkFailure(phase, status, code ? `${text} (${code})` : text, code);
}

/** The DNS stage's detail: allowed addresses as they are, refused ones by class only (policy.ts). */
function resolvedDetail(addresses: readonly LookupAddress[], settings: TransportSettings): string {
  const verdicts = addresses.map((entry) => settings.policy.check(entry.address));
  const shown = verdicts.filter((verdict) => verdict.allowed).map((verdict) => verdict.address);
  const hidden = verdicts.filter((verdict) => !verdict.allowed);
  return [...shown, ...(hidden.length ? [`${refusedAddressesText(hidden)} (not shown)`] : [])].join(", ");
}

async function resolveAddresses(url: URL, hostname: string, settings: TransportSettings, trace?: StageTrace): Promise<LookupAddress[]> {
  const literal = canonicalAddress(hostname);
  if (literal) {
    trace?.("dns", true, 0, "IP address, no lookup");
    return [{ address: literal, family: net.isIP(literal) }];
  }
  const started = performance.now();
  try {
    const addresses = await withinBudget(settings.lookup(hostname), settings.deadline, STAGE_LIMITS_MS.dns, `Resolving ${hostname}`);
    if (addresses.length === 0) throw codedError("ENOTFOUND", `${hostname} has no addresses`);
    trace?.("dns", true, performance.now() - started, resolvedDetail(addresses, settings));
    return addresses;
  } catch (error) {
    trace?.("dns", false, performance.now() - started);
    throw failure("dns", error, url, `Could not resolve ${hostname}`);
  }
}

function checkAddresses(hostname: string, addresses: LookupAddress[], settings: TransportSettings, trace?: StageTrace): AddressVerdict[] {
  const started = performance.now();
  const verdicts = addresses.map((entry) => settings.policy.check(entry.address));
  const allowed = verdicts.filter((verdict) => verdict.allowed);
  const refused = verdicts.filter((verdict) => !verdict.allowed);
  if (allowed.length === 0) {
    // An address typed as the host is the caller's own input; a resolved one is not shown.
    const what = canonicalAddress(hostname) ? `${hostname} is ${refusedAddressesText(refused)}` : `${hostname} resolves to ${refusedAddressesText(refused)}`;
    trace?.("policy", false, performance.now() - started, `refused ${refusedAddressesText(refused)}`);
    throw new NetworkFailure("policy", "blocked_by_policy", `${what}, which the outbound policy refuses`);
  }
  const admitted = allowed.filter((verdict) => verdict.allowedBy).map((verdict) => `${verdict.address} allowed by ${verdict.allowedBy}`);
  const detail = [admitted.length ? admitted.join(", ") : "public address", refused.length ? `skipped ${refusedAddressesText(refused)}` : ""].filter(Boolean).join("; ");
  trace?.("policy", true, performance.now() - started, detail);
  return allowed;
}

function connectTcp(address: string, port: number, deadline: Deadline): Promise<net.Socket> {
  const socket = net.connect({ host: address, port, noDelay: true });
  const connected = new Promise<net.Socket>((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
  return withinBudget(connected, deadline, STAGE_LIMITS_MS.tcp, `Connecting to ${address}:${port}`, (error) => socket.destroy(error));
}

async function connectAny(url: URL, port: number, allowed: AddressVerdict[], settings: TransportSettings, trace?: StageTrace) {
  const started = performance.now();
  let lastError: unknown;
  for (const verdict of allowed) {
    try {
      const socket = await connectTcp(verdict.address, port, settings.deadline);
      trace?.("tcp", true, performance.now() - started, `${verdict.address}:${port}`);
      return { socket, address: verdict.address };
    } catch (error) {
      lastError = error;
      if (!CONNECT_RETRY_CODES.has(errorCode(error) ?? "")) break;
    }
  }
  trace?.("tcp", false, performance.now() - started);
  throw failure("tcp", lastError, url, `Could not connect to ${describe(url)}`);
}

const SECURE_CONTEXT_CACHE_SIZE = 32;
const secureContexts = new Map<string, tls.SecureContext>();
let extraCa: { file: string; pem: string | undefined } | undefined;

/**
 * The certificates of `NODE_EXTRA_CA_CERTS` (a PEM file an operator adds to the system's CAs:
 * a corporate CA, a VPC endpoint's, a test CA), read once per file name. Node adds them to its
 * default store only when it starts with the variable set, and a `ca` option replaces that store
 * anyway: so Berth reads them itself and adds them to every trust store it builds.
 */
export function extraCaCertificates(): string | undefined {
  const file = process.env.NODE_EXTRA_CA_CERTS?.trim();
  if (!file) return undefined;
  if (extraCa?.file !== file) {
    let pem: string | undefined;
    try {
      pem = readFileSync(file, "utf8");
    } catch {
      pem = undefined; // Node itself only warns about an unreadable file; so do not fail here either
    }
    extraCa = { file, pem };
  }
  return extraCa.pem;
}

/**
 * The trust store for a request: the system store, plus `NODE_EXTRA_CA_CERTS`, plus the
 * registry's own CA when given. Building one parses every root certificate (~45 ms), so
 * contexts are kept, least recently used first out, keyed by the extra and own CAs' PEM ("" =
 * system store only). A context holds certificates only, nothing about a connection or a secret.
 */
export function secureContextFor(caPem: string | undefined): tls.SecureContext {
  const extra = extraCaCertificates();
  const key = `${extra ?? ""}\n${caPem ?? ""}`;
  const cached = secureContexts.get(key);
  if (cached) {
    secureContexts.delete(key);
    secureContexts.set(key, cached);
    return cached;
  }
  const added = [extra, caPem].filter((pem): pem is string => Boolean(pem));
  const context = tls.createSecureContext(added.length > 0 ? { ca: [...tls.rootCertificates, ...added] } : {});
  secureContexts.set(key, context);
  if (secureContexts.size > SECURE_CONTEXT_CACHE_SIZE) secureContexts.delete(secureContexts.keys().next().value!);
  return context;
}

function tlsOptions(socket: net.Socket, hostname: string, settings: TransportSettings): tls.ConnectionOptions {
  const isIp = net.isIP(hostname) !== 0;
  return {
    socket,
    servername: isIp ? undefined : hostname,
    ALPNProtocols: ["http/1.1"],
    rejectUnauthorized: !settings.insecureSkipVerify,
    secureContext: secureContextFor(settings.caPem),
    checkServerIdentity: (_servername, certificate) => tls.checkServerIdentity(hostname, certificate),
  };
}

async function startTls(socket: net.Socket, url: URL, hostname: string, settings: TransportSettings, trace?: StageTrace) {
  const started = performance.now();
  const secure = tls.connect(tlsOptions(socket, hostname, settings));
  const handshake = new Promise<tls.TLSSocket>((resolve, reject) => {
    secure.once("secureConnect", () => resolve(secure));
    secure.once("error", reject);
  });
  try {
    await withinBudget(handshake, settings.deadline, STAGE_LIMITS_MS.tls, `TLS handshake with ${describe(url)}`, (error) => secure.destroy(error));
  } catch (error) {
    socket.destroy();
    trace?.("tls", false, performance.now() - started);
    throw failure("tls", error, url, `TLS handshake with ${describe(url)} failed`);
  }
  const protocol = secure.getProtocol() ?? undefined;
  const verified = settings.insecureSkipVerify ? "verification skipped" : "certificate verified";
  trace?.("tls", true, performance.now() - started, `${protocol ?? "TLS"}, ${verified}`);
  return { socket: secure, protocol };
}

interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  distinct: NodeJS.Dict<string[]>;
  body: Buffer;
  truncated: boolean;
}

function exchange(socket: net.Socket, spec: RequestSpec): { done: Promise<Exchange>; abort: (error: Error) => void } {
  const request = http.request({
    createConnection: () => socket,
    method: spec.method,
    path: `${spec.url.pathname}${spec.url.search}`,
    setHost: false,
    headers: { Host: spec.url.host, "User-Agent": "berth-test-connection/1", Connection: "close", ...spec.headers },
  });
  const done = new Promise<Exchange>((resolve, reject) => {
    request.once("error", reject);
    request.once("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = () => resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          distinct: response.headersDistinct,
          body: Buffer.concat(chunks),
          truncated,
        });
      response.on("data", (chunk: Buffer) => {
        if (truncated) return;
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          truncated = true;
          chunks.push(chunk.subarray(0, chunk.length - (size - MAX_BODY_BYTES)));
          response.destroy();
          finish();
          return;
        }
        chunks.push(chunk);
      });
      response.once("end", finish);
      response.once("error", (error) => (truncated ? undefined : reject(error)));
    });
  });
  request.end(spec.body);
  return { done, abort: (error) => request.destroy(error) };
}

/** One request without redirects: resolve, check, connect, (TLS), send, read. A 3xx answer is returned as it is. */
export async function requestOnce(spec: RequestSpec, settings: TransportSettings, trace?: StageTrace): Promise<HttpResponse> {
  const url = spec.url;
  if (url.protocol !== "https:" && !(url.protocol === "http:" && settings.allowPlainHttp)) {
    throw new NetworkFailure("policy", "blocked_by_policy", `${url.protocol.replace(":", "")}://${url.host} is not allowed: only HTTPS is used unless the registry is flagged plain HTTP`);
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const addresses = await resolveAddresses(url, hostname, settings, trace);
  let allowed = checkAddresses(hostname, addresses, settings, trace);
  if (url.protocol === "http:" && settings.allowPlainHttp === "allow-listed") {
    allowed = allowed.filter((verdict) => verdict.allowedBy);
    if (allowed.length === 0) {
      throw new NetworkFailure("policy", "blocked_by_policy", `http://${url.host} is not allowed: plain HTTP only goes to addresses listed in OUTBOUND_ALLOW_CIDRS; use https://`);
    }
  }
  const connection = await connectAny(url, port, allowed, settings, trace);
  let socket: net.Socket = connection.socket;
  let tlsProtocol: string | undefined;
  if (url.protocol === "https:") {
    const secured = await startTls(socket, url, hostname, settings, trace);
    socket = secured.socket;
    tlsProtocol = secured.protocol;
  }
  const started = performance.now();
  const { done, abort } = exchange(socket, spec);
  try {
    const answer = await withinBudget(done, settings.deadline, STAGE_LIMITS_MS.http, `Waiting for ${describe(url)} to answer`, abort);
    return { ...answer, url, address: connection.address, tlsProtocol, redirects: 0, ms: performance.now() - started };
  } catch (error) {
    const closed = errorCode(error) === "ECONNRESET";
    throw failure("http", error, url, closed ? `${describe(url)} closed the connection without answering ${spec.method} ${url.pathname}` : `${spec.method} ${url.pathname} on ${describe(url)} failed`);
  } finally {
    socket.destroy();
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function redirectTarget(response: HttpResponse): URL | undefined {
  const location = response.headers.location;
  if (!REDIRECT_STATUSES.has(response.status) || !location) return undefined;
  try {
    return new URL(location, response.url);
  } catch {
    throw new NetworkFailure("http", "registry_error", `${describe(response.url)} redirected to an invalid location`);
  }
}

function withoutAuthorization(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return headers;
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization"));
}

/**
 * A request following at most {@link MAX_REDIRECTS} redirects, each target
 * checked like the first; `trace` sees the first connection's stages.
 */
export async function request(spec: RequestSpec, settings: TransportSettings, trace?: StageTrace): Promise<HttpResponse> {
  const origin = spec.url.origin;
  let current = spec;
  let response = await requestOnce(current, settings, trace);
  for (let redirects = 1; ; redirects += 1) {
    const target = redirectTarget(response);
    if (!target) return { ...response, redirects: redirects - 1 };
    if (redirects > MAX_REDIRECTS) {
      throw new NetworkFailure("http", "registry_error", `More than ${MAX_REDIRECTS} redirects, last from ${describe(response.url)}`);
    }
    if (current.body !== undefined && target.origin !== origin) {
      // A form may hold credentials: it never follows a redirect to another origin.
      throw new NetworkFailure("http", "registry_error", `${describe(response.url)} redirected a form post to ${target.host}; not followed`);
    }
    const method = response.status === 303 && current.method === "POST" ? "GET" : current.method;
    current = {
      method,
      url: target,
      headers: target.origin === origin ? current.headers : withoutAuthorization(current.headers),
      body: method === "POST" ? current.body : undefined,
    };
    response = await requestOnce(current, settings);
  }
}
