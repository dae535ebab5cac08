import { NextResponse, type NextRequest } from "next/server";
import { INSTANCE_HEADER, instanceId } from "@/lib/instance-id";

const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

/**
 * Gives every request an id (kept from a well-formed incoming X-Request-Id), echoed in the response,
 * and names the instance that answered (`X-Berth-Instance`, a random per-process id).
 */
export function proxy(request: NextRequest) {
  const incoming = request.headers.get("x-request-id");
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  const headers = new Headers(request.headers);
  headers.set("x-request-id", requestId);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("X-Request-Id", requestId);
  response.headers.set(INSTANCE_HEADER, instanceId());
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
