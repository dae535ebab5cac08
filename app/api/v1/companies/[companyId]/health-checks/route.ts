import { getHealthChecksRoute, patchHealthChecksRoute } from "@/lib/health/route-handlers";
import { otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = getHealthChecksRoute;
export const PATCH = patchHealthChecksRoute;

export const { POST, PUT, DELETE } = otherMethods("GET, HEAD, OPTIONS, PATCH");
