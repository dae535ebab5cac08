import { openApiJson } from "@/lib/openapi/document";
import { withErrors, otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

/** The OpenAPI 3.1 document of the REST API, served without authentication so clients and tools can read it. */
export const GET = withErrors(async () => {
  return new Response(openApiJson(), {
    status: 200,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=300" },
  });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
