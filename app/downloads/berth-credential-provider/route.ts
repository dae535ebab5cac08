import { downloadResponse } from "@/lib/clients/downloads";
import { withErrors, otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

/** The berth-credential-provider script, without authentication (see lib/clients/downloads.ts). */
export const GET = withErrors(async (req) => downloadResponse(req, "berth-credential-provider"));
export const HEAD = GET;

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
