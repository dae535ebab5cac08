import { downloadResponse } from "@/lib/clients/downloads";
import { withErrors, otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

/** The docker-credential-berth script, without authentication (see lib/clients/downloads.ts). */
export const GET = withErrors(async (req) => downloadResponse(req, "docker-credential-berth"));
export const HEAD = GET;

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
