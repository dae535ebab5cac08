import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/auth";
import { AppError, ERROR_STATUS, type ErrorCode } from "@/lib/errors";
import { otherMethods, problemResponse, requestIdOf } from "@/lib/http";

/**
 * Auth.js answers a request it cannot parse (an unknown action such as `/api/auth/nope`, a
 * malformed body) with a bare JSON string: under /api every error is problem+json, so its 4xx
 * answers are rewritten with the same status. Redirects, pages and successful answers pass through.
 */
function withProblems(handler: (req: NextRequest) => Promise<Response>) {
  return async (req: NextRequest): Promise<Response> => {
    const res = await handler(req);
    const type = res.headers.get("content-type") ?? "";
    if (res.status < 400 || res.status >= 500 || type.startsWith("application/problem+json") || type.startsWith("text/html")) return res;
    const code = res.status === 400 ? "bad_request" : ((Object.keys(ERROR_STATUS) as ErrorCode[]).find((c) => ERROR_STATUS[c] === res.status) ?? "bad_request");
    return problemResponse(new AppError(code, "The sign-in service refused the request"), requestIdOf(req));
  };
}

export const GET = withProblems(handlers.GET);
export const POST = withProblems(handlers.POST);

export const { PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS, POST");
