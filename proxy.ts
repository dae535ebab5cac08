import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { AppError, toProblem } from "@/lib/errors";
import { INSTANCE_HEADER, instanceId } from "@/lib/instance-id";
import { malformedFormResponse, malformedPathResponse } from "@/lib/path-encoding";
import { HSTS_VALUE, NON_PAGE_CSP, isNonPagePath, newNonce, pageCsp, refusesCrossSite, servedOverHttps } from "@/lib/security-headers";

const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

/** An API path no route serves: rewriting to it answers with the API's own problem+json 404. */
const NO_ROUTE = "/api/_berth/no-such-route";

/**
 * Gives every request an id (kept from a well-formed incoming X-Request-Id), echoed in the
 * response, and names the instance that answered (`X-Berth-Instance`, a random per-process id).
 * `/api/metrics` exists only with BERTH_METRICS_TOKEN set: otherwise it is rewritten to a path no
 * route serves, so that its 404 is the one of a route that does not exist.
 *
 * Security headers (lib/security-headers.ts): pages get a Content-Security-Policy with a fresh
 * script nonce, also set on the request, where Next reads it to stamp its own scripts (pages are
 * rendered per request: the root layout reads the headers); everything else gets a policy that
 * loads nothing. HSTS only when a trusted proxy says the browser used https. A state-changing
 * request sent by another site's page is refused here, before any route, server action or Auth.js.
 */
export async function proxy(request: NextRequest) {
  const incoming = request.headers.get("x-request-id");
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  // Next's route matcher throws (a bare 500) on a path that does not decode to UTF-8: a 400 first.
  const malformed = malformedPathResponse(request.nextUrl.pathname, requestId);
  const pathname = request.nextUrl.pathname;
  // Next decodes a multipart POST to a page as a form action, and a body that is not multipart
  // is its bare 500: a 400 first (a cross-site one is refused below without reading its body).
  const crossSite = refusesCrossSite(request.method, pathname, request.headers);
  const refused = malformed ?? (crossSite ? null : await malformedFormResponse(request, pathname, requestId));
  if (refused) {
    refused.headers.set(INSTANCE_HEADER, instanceId());
    refused.headers.set("Content-Security-Policy", NON_PAGE_CSP);
    return refused;
  }
  const page = !isNonPagePath(pathname);
  const nonce = page ? newNonce() : null;
  const csp = nonce ? pageCsp(nonce, { dev: process.env.NODE_ENV === "development" }) : NON_PAGE_CSP;

  let response: NextResponse;
  if (crossSite) {
    const problem = toProblem(new AppError("forbidden", "Cross-site request refused: send the request from Berth's own pages, or use an API token"), requestId);
    response = NextResponse.json(problem, { status: problem.status, headers: { "Content-Type": "application/problem+json", "Cache-Control": "no-store" } });
  } else {
    const headers = new Headers(request.headers);
    headers.set("x-request-id", requestId);
    if (nonce) {
      headers.set("content-security-policy", csp);
      headers.set("x-nonce", nonce);
    } else {
      headers.delete("x-nonce");
    }
    const metricsOff = pathname.replace(/\/+$/, "") === "/api/metrics" && !process.env.BERTH_METRICS_TOKEN?.trim();
    response = metricsOff
      ? NextResponse.rewrite(new URL(NO_ROUTE, request.url), { request: { headers } })
      : NextResponse.next({ request: { headers } });
  }
  response.headers.set("X-Request-Id", requestId);
  response.headers.set(INSTANCE_HEADER, instanceId());
  response.headers.set("Content-Security-Policy", csp);
  if (servedOverHttps(request.headers, env().BERTH_TRUSTED_PROXIES)) response.headers.set("Strict-Transport-Security", HSTS_VALUE);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
