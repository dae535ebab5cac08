/**
 * A request path whose percent-encoding does not decode to UTF-8 (`%ED%A0%80`, a lone surrogate;
 * `%C0%AF`, an overlong form; `%zz`) makes Next's route matcher throw while decoding a dynamic
 * segment, and Next answers that with a bare 500. The proxy refuses such paths first with this
 * 400 problem+json (no dependencies: the proxy bundle stays small).
 */
export function malformedPathResponse(pathname: string, requestId: string): Response | null {
  try {
    decodeURIComponent(pathname);
    return null;
  } catch {
    return badRequest("The path's percent-encoding is not valid UTF-8", requestId);
  }
}

/** The API's 400 problem+json, built here without the app's error module (the proxy bundle stays small). */
function badRequest(detail: string, requestId: string): Response {
  return Response.json(
    { type: "https://berth.dev/problems/bad-request", title: "Bad request", status: 400, detail, requestId },
    { status: 400, headers: { "Content-Type": "application/problem+json", "Cache-Control": "no-store", "X-Request-Id": requestId } },
  );
}

/**
 * A POST to a page with a multipart/form-data body is decoded by Next itself as a form's server
 * action (progressive enhancement: a form whose action is a server action posts without
 * JavaScript as multipart), and a body that
 * does not parse as multipart is Next's bare 500 ("Failed to parse body as FormData"). The proxy
 * parses such a body first (a copy: the page still reads its own) and answers one that does not
 * parse with this 400 problem+json.
 */
export async function malformedFormResponse(request: Request, pathname: string, requestId: string): Promise<Response | null> {
  if (request.method !== "POST" || pathname === "/api" || pathname.startsWith("/api/") || pathname.startsWith("/downloads/")) return null;
  if (!/^\s*multipart\/form-data/i.test(request.headers.get("content-type") ?? "")) return null;
  try {
    await request.clone().formData();
    return null;
  } catch {
    return badRequest("The body is not valid multipart/form-data", requestId);
  }
}
