import { downloadResponse } from "@/lib/clients/downloads";
import { withErrors } from "@/lib/http";

export const dynamic = "force-dynamic";

/** The docker-credential-berth script, without authentication (see lib/clients/downloads.ts). */
export const GET = withErrors(async (req) => downloadResponse(req, "docker-credential-berth"));
export const HEAD = GET;
