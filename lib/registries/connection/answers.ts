/** Reading registry and token-service answers. Pure functions. */
import { parseWwwAuthenticate, type AuthChallenge } from "./challenge";
import type { HttpResponse } from "./transport";

export interface RegistryErrorInfo {
  code?: string;
  message?: string;
}

const MAX_QUOTED = 200;

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

function clip(text: string): string {
  const single = text.replace(/\s+/g, " ").trim();
  return single.length > MAX_QUOTED ? `${single.slice(0, MAX_QUOTED)}…` : single;
}

/** Code and message of a `{"errors": [{code, message}]}` or OAuth2 `{error, error_description}` body. */
export function registryErrorOf(body: Buffer): RegistryErrorInfo {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    const errors = parsed.errors;
    if (Array.isArray(errors) && errors[0] && typeof errors[0] === "object") {
      const first = errors[0] as Record<string, unknown>;
      return {
        code: typeof first.code === "string" ? first.code : undefined,
        message: typeof first.message === "string" ? clip(first.message) : undefined,
      };
    }
    if (typeof parsed.error === "string") {
      const description = parsed.error_description ?? parsed.details ?? parsed.message;
      return { code: parsed.error, message: typeof description === "string" ? clip(description) : undefined };
    }
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
