import { downloadResponse } from "@/lib/clients/downloads";
import { withErrors } from "@/lib/http";

export const dynamic = "force-dynamic";

/** The berth-credential-provider script, without authentication (see lib/clients/downloads.ts). */
export const GET = withErrors(async (req) => downloadResponse(req, "berth-credential-provider"));
export const HEAD = GET;
