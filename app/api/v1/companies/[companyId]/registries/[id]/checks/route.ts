import { listChecksRoute } from "@/lib/health/route-handlers";
import { otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = listChecksRoute;

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
