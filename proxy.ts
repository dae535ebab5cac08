import { NextResponse, type NextRequest } from "next/server";
import { INSTANCE_HEADER, instanceId } from "@/lib/instance-id";

const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

/** A path no route serves: rewriting to it answers with the app's own 404 page. */
const NO_ROUTE = "/_berth/no-such-route";

/**
 * Gives every request an id (kept from a well-formed incoming X-Request-Id), echoed in the
 * response, and names the instance that answered (`X-Berth-Instance`, a random per-process id).
 * `/api/metrics` exists only with BERTH_METRICS_TOKEN set: otherwise it is rewritten to a path no
 * route serves, so that its 404 is the one of a route that does not exist.
 */
export function proxy(request: NextRequest) {
  const incoming = request.headers.get("x-request-id");
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  const headers = new Headers(request.headers);
  headers.set("x-request-id", requestId);
  const metricsOff = request.nextUrl.pathname.replace(/\/+$/, "") === "/api/metrics" && !process.env.BERTH_METRICS_TOKEN?.trim();
  const response = metricsOff
    ? NextResponse.rewrite(new URL(NO_ROUTE, request.url), { request: { headers } })
    : NextResponse.next({ request: { headers } });
  response.headers.set("X-Request-Id", requestId);
  response.headers.set(INSTANCE_HEADER, instanceId());
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
