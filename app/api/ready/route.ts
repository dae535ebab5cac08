import { json, withErrors, otherMethods } from "@/lib/http";
import { readiness } from "@/lib/server/startup";

export const dynamic = "force-dynamic";

/** Readiness: database reachable, migrations applied, first-run bootstrap done. */
export const GET = withErrors(async (_req, { requestId }) => {
  const { ready, checks } = await readiness();
  return json({ status: ready ? "ready" : "not_ready", checks }, { status: ready ? 200 : 503, requestId });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
