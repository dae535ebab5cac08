/** Reading registry and token-service answers. Pure functions. */
import { parseWwwAuthenticate, type AuthChallenge } from "./challenge";
import type { HttpResponse } from "./transport";

export interface RegistryErrorInfo {
  code?: string;
  message?: string;
}

/**
 * Security decision: Berth does not quote what a registry or token service writes in its error
 * bodies: a hostile or broken one can echo the credentials it was sent (issue 16: a secret cut
 * where the quote was clipped survived redaction). Only the error codes of the distribution
 * spec and of OAuth2 are taken, and said in Berth's own words.
 */
const KNOWN_ERRORS: Record<string, string> = {
  BLOB_UNKNOWN: "blob unknown to registry",
  BLOB_UPLOAD_INVALID: "blob upload invalid",
  BLOB_UPLOAD_UNKNOWN: "blob upload unknown to registry",
  DIGEST_INVALID: "provided digest did not match uploaded content",
  MANIFEST_BLOB_UNKNOWN: "manifest references a manifest or blob unknown to registry",
  MANIFEST_INVALID: "manifest invalid",
  MANIFEST_UNKNOWN: "manifest unknown",
  MANIFEST_UNVERIFIED: "manifest failed signature verification",
  NAME_INVALID: "invalid repository name",
  NAME_UNKNOWN: "repository name not known to registry",
  SIZE_INVALID: "provided length did not match content length",
  TAG_INVALID: "manifest tag did not match URI",
  UNAUTHORIZED: "authentication required",
  DENIED: "requested access to the resource is denied",
  UNSUPPORTED: "the operation is unsupported",
  TOOMANYREQUESTS: "too many requests",
  invalid_request: "the token request was malformed",
  invalid_client: "the client was not accepted",
  invalid_grant: "the credentials or refresh token were refused",
  unauthorized_client: "this client may not use this grant",
  unsupported_grant_type: "the grant type is not supported",
  invalid_scope: "the requested scope is invalid",
  access_denied: "access denied",
  insufficient_scope: "the token does not cover the requested scope",
  invalid_token: "the token was refused",
  server_error: "the token service had an error",
  temporarily_unavailable: "the token service is temporarily unavailable",
};

/** A known error code as the spec spells it (distribution codes are upper case), else undefined. */
function knownCode(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > 40) return undefined;
  if (Object.hasOwn(KNOWN_ERRORS, value)) return value;
  const upper = value.toUpperCase();
  return Object.hasOwn(KNOWN_ERRORS, upper) ? upper : undefined;
}

function known(code: unknown): RegistryErrorInfo {
  const name = knownCode(code);
  return name ? { code: name, message: KNOWN_ERRORS[name] } : {};
}

function firstHeader(response: Pick<HttpResponse, "headers">, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function challengesOf(response: Pick<HttpResponse, "distinct">): AuthChallenge[] {
  return parseWwwAuthenticate(response.distinct["www-authenticate"]);
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date). */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

export function retryAfterOf(response: Pick<HttpResponse, "headers">): number | undefined {
  return retryAfterSeconds(firstHeader(response, "retry-after"));
}

export function apiVersionOf(response: Pick<HttpResponse, "headers">): string | undefined {
  return firstHeader(response, "docker-distribution-api-version");
}

/**
 * Code of a `{"errors": [{code, message}]}` or OAuth2 `{error, error_description}` body, when it
 * is a known one, with Berth's wording of it; the body's own message is never taken.
 */
export function registryErrorOf(body: Buffer): RegistryErrorInfo {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    const errors = parsed.errors;
    if (Array.isArray(errors) && errors[0] && typeof errors[0] === "object") return known((errors[0] as Record<string, unknown>).code);
    if (typeof parsed.error === "string") return known(parsed.error);
  } catch {
    // not JSON
  }
  return {};
}

/**
 * Whether an anonymous 200 on `/v2/` comes from a registry: the API version
 * header, or a JSON (usually `{}`) or empty body. An HTML page is not one.
 */
export function looksLikeRegistry(response: Pick<HttpResponse, "headers" | "body">): boolean {
  if (apiVersionOf(response)?.startsWith("registry/")) return true;
  const contentType = firstHeader(response, "content-type") ?? "";
  const text = response.body.toString("utf8").trim();
  if (contentType.includes("html") || text.startsWith("<")) return false;
  if (text === "") return true;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** Go's answer to plain HTTP on a TLS port. */
export function isHttpToHttpsAnswer(response: Pick<HttpResponse, "status" | "body">): boolean {
  return response.status === 400 && /HTTP request to an HTTPS server|plain HTTP request was sent to HTTPS port/i.test(response.body.toString("utf8"));
}

/** The token of a token-service answer: `token` or `access_token`. */
export function tokenOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    const token = parsed.token ?? parsed.access_token;
    return typeof token === "string" && token.length > 0 ? token : undefined;
  } catch {
    return undefined;
  }
}
