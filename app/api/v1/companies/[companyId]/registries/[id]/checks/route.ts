import { listChecksRoute } from "@/lib/health/route-handlers";

export const dynamic = "force-dynamic";

export const GET = listChecksRoute;
