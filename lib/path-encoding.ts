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
    return Response.json(
      {
        type: "https://berth.dev/problems/bad-request",
        title: "Bad request",
        status: 400,
        detail: "The path's percent-encoding is not valid UTF-8",
        requestId,
      },
      { status: 400, headers: { "Content-Type": "application/problem+json", "Cache-Control": "no-store", "X-Request-Id": requestId } },
    );
  }
}
