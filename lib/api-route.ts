import "server-only";
import type { NextRequest } from "next/server";
import { clientAddress } from "@/lib/client-address";
import { authenticate, requirePermission, resolveContext, unauthenticated, type Caller, type RequestContext } from "@/lib/context";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { noteRequestCompany } from "@/lib/server/request-hooks";
import { assertNoNulInQuery, problemResponse, requestIdOf } from "@/lib/http";
import type { Operation } from "@/lib/auth/permissions";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: a cookie-authenticated request that changes state must come from a page of this site
 * (its Origin matches the Host). Bearer-token requests carry no ambient credentials and skip it;
 * JSON bodies are enforced by readJson.
 */
export function assertSameOrigin(req: Request): void {
  // Without a cookie there are no ambient credentials to abuse: authentication answers instead (401).
  if (SAFE_METHODS.has(req.method) || req.headers.has("authorization") || !req.headers.has("cookie")) return;
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  let ok = false;
  try {
    ok = !!origin && !!host && new URL(origin).host === host;
  } catch {
    ok = false;
  }
  if (!ok) throw new AppError("forbidden", "Cross-site request refused: send the request from Berth's own pages, or use an API token");
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
