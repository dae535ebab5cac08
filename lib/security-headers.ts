import { addressInCidrs } from "@/lib/cidr";
import { PEER_HEADER } from "@/lib/client-address";
import { readStampedPeer } from "@/lib/server/peer-stamp.mjs";

/**
 * The browser-facing hardening that proxy.ts applies to every answer: a Content-Security-Policy
 * with a fresh script nonce per page, the same-origin rule for state-changing requests, and HSTS
 * only where the browser really talked https. Pure functions of the request's headers, so that
 * they are tested without a server.
 */

export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

/**
 * Answers that are not pages (JSON, problem+json, the client scripts, the OpenAPI document) load
 * nothing and may be framed by nobody: a browser tricked into rendering one runs nothing.
 */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** 128 random bits, base64: unguessable, and new for every page answer. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The pages' policy. Scripts run only with this answer's nonce (Next stamps it on its own scripts
 * when it finds it in the request's CSP header), and 'strict-dynamic' lets those load the route
 * chunks. Styles allow 'unsafe-inline' because React `style` attributes and the API reference
 * (Scalar) set inline styles; a nonce in style-src would switch 'unsafe-inline' off, so there is
 * none. Styles cannot run code, so this leaves script injection fully closed. `next dev` needs
 * 'unsafe-eval' for React's error overlays; the production build does not.
 */
export function pageCsp(nonce: string, options: { dev?: boolean } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

/** Route handlers (`/api/…`) and the client downloads answer with data, never with a page. */
export function isNonPagePath(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/") || pathname.startsWith("/downloads/");
}

/**
 * Whether the browser reached us over https. Berth itself listens on plain http, so https means a
 * TLS-terminating proxy said so in `X-Forwarded-Proto`, and that header counts only from a peer
 * listed in BERTH_TRUSTED_PROXIES (anyone else can send it). The value nearest to us (the last
 * one of a list) is the one our own proxy wrote. HSTS over plain http would be ignored by
 * browsers at best, and from a forged header it would lock users out of a http-only install.
 */
export function servedOverHttps(headers: Headers, trustedProxies: readonly string[]): boolean {
  const proto = headers.get("x-forwarded-proto");
  if (!proto || trustedProxies.length === 0) return false;
  // The stamped TCP peer only (lib/server/peer-stamp.mjs): an unmarked value is the client's own.
  const peer = readStampedPeer(headers.get(PEER_HEADER));
  if (!peer || !addressInCidrs(peer, trustedProxies)) return false;
  const nearest = proto.split(",").pop()!.trim().toLowerCase();
  return nearest === "https";
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Whether a request says it comes from a page of this site: its Origin names the host it was
 * sent to (`X-Forwarded-Host` first, as Next itself compares for server actions), and the browser's
 * `Sec-Fetch-Site`, when sent, does not say cross-site or same-site (a sibling subdomain is
 * another site's page too). `Origin: null` (sandboxed frames, redirects, file: pages) is foreign.
 */
export function sameOriginVerdict(headers: Headers): "same" | "foreign" | "absent" {
  const fetchSite = headers.get("sec-fetch-site")?.toLowerCase();
  if (fetchSite === "cross-site" || fetchSite === "same-site") return "foreign";
  const origin = headers.get("origin");
  if (origin === null) return "absent";
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  if (!host) return "foreign";
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === host.split(",")[0]!.trim() ? "same" : "foreign";
  } catch {
    return "foreign";
  }
}

/**
 * The proxy's own refusal, before any route, action or Auth.js sees the request: a state-changing
 * request that a browser sent from another site (a foreign Origin or `Sec-Fetch-Site:
 * cross-site`). This covers server actions and Auth.js' form endpoints (sign-in, sign-out) on top
 * of their own checks, and every route handler. Requests without an Origin (scripts, curl) pass
 * here: the route wrapper refuses those when they carry a session cookie. Exception: an OpenID
 * provider may answer with a form POST from its own origin to `/api/auth/callback/<provider>`
 * (response_mode=form_post); Auth.js checks that answer's state itself.
 */
export function refusesCrossSite(method: string, pathname: string, headers: Headers): boolean {
  if (isSafeMethod(method)) return false;
  if (pathname.startsWith("/api/auth/callback/") && pathname !== "/api/auth/callback/credentials") return false;
  return sameOriginVerdict(headers) === "foreign";
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/** `application/json` or a `+json` type (parameters such as charset allowed). */
export function isJsonContentType(type: string): boolean {
  return JSON_TYPE.test(type.trim());
}
