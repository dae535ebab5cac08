import "server-only";
import type { NextRequest } from "next/server";
import { clientAddress } from "@/lib/client-address";
import { authenticate, requirePermission, resolveContext, unauthenticated, type Caller, type RequestContext } from "@/lib/context";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { noteRequestCompany } from "@/lib/server/request-hooks";
import { assertNoNulInQuery, problemResponse, requestIdOf } from "@/lib/http";
import { isJsonContentType, isSafeMethod, sameOriginVerdict } from "@/lib/security-headers";
import type { Operation } from "@/lib/auth/permissions";

/**
 * CSRF: a cookie-authenticated request that changes state must come from a page of this site
 * (its Origin matches the Host, and `Sec-Fetch-Site` does not say another site; no Origin or
 * `Origin: null` is refused too). Bearer-token requests carry no ambient credentials and skip it.
 */
export function assertSameOrigin(req: Request): void {
  // Without a cookie there are no ambient credentials to abuse: authentication answers instead (401).
  if (isSafeMethod(req.method) || req.headers.has("authorization") || !req.headers.has("cookie")) return;
  if (sameOriginVerdict(req.headers) !== "same") {
    throw new AppError("forbidden", "Cross-site request refused: send the request from Berth's own pages, or use an API token");
  }
}

/**
 * A state-changing request carries JSON or nothing, on every handler, before it has any effect:
 * also where the handler reads no body (DELETE, `POST …/webhooks/{id}/test`). A page of another
 * site can send text/plain, form and multipart bodies without asking the browser's permission
 * (no CORS preflight), so refusing them closes that road whatever the handler does. A body needs
 * a JSON Content-Type (415 otherwise); no Content-Type is fine only without a body.
 */
export function assertJsonOrNoBody(req: Request): void {
  if (isSafeMethod(req.method)) return;
  const type = req.headers.get("content-type");
  if (type !== null) {
    if (isJsonContentType(type)) return;
    throw new AppError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json");
  }
  const length = req.headers.get("content-length");
  if ((length !== null && length.trim() !== "0") || req.headers.has("transfer-encoding")) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json");
  }
}

type Params = Record<string, string | string[] | undefined>;

interface CompanyHandlerArgs<P> {
  ctx: RequestContext;
  params: P;
  requestId: string;
}

/**
 * The one wrapper for company-scoped route handlers: authenticates (session cookie or API token),
 * resolves the company from the path (another company is 404), checks the declared permission
 * against the permission table (lib/auth/permissions.ts), and maps every error to problem+json.
 */
export function companyRoute<P extends Params & { companyId: string }>(
  options: { permission: Operation },
  handler: (req: NextRequest, args: CompanyHandlerArgs<P>) => Promise<Response>,
) {
  return async (req: NextRequest, segment: { params: Promise<P> }): Promise<Response> => {
    const requestId = requestIdOf(req);
    try {
      const params = await segment.params;
      assertSameOrigin(req);
      assertJsonOrNoBody(req);
      assertNoNulInQuery(req.nextUrl.searchParams);
      const ctx = await resolveContext(req.headers, params.companyId, requestId);
      noteRequestCompany(ctx.companyId);
      requirePermission(ctx, options.permission);
      const res = await handler(req, { ctx, params, requestId });
      res.headers.set("X-Request-Id", requestId);
      return res;
    } catch (err) {
      return problemResponse(err, requestId);
    }
  };
}

/** For routes about the caller rather than a company (`/api/v1/me`). */
export function callerRoute(handler: (req: NextRequest, args: { caller: Caller; requestId: string; ip: string | null }) => Promise<Response>) {
  return async (req: NextRequest): Promise<Response> => {
    const requestId = requestIdOf(req);
    try {
      assertSameOrigin(req);
      assertJsonOrNoBody(req);
      const ip = clientAddress(req.headers, env().BERTH_TRUSTED_PROXIES);
      const caller = await authenticate(req.headers, ip);
      if (!caller) throw unauthenticated();
      const res = await handler(req, { caller, requestId, ip });
      res.headers.set("X-Request-Id", requestId);
      return res;
    } catch (err) {
      return problemResponse(err, requestId);
    }
  };
}
