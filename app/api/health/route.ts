import { json, withErrors, otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Liveness: the process answers. */
export const GET = withErrors(async (_req, { requestId }) => json({ status: "ok" }, { requestId }));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
