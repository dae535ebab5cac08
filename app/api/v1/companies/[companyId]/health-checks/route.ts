import { getHealthChecksRoute, patchHealthChecksRoute } from "@/lib/health/route-handlers";

export const dynamic = "force-dynamic";

export const GET = getHealthChecksRoute;
export const PATCH = patchHealthChecksRoute;
