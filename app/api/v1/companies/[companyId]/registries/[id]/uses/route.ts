import { listRegistryUsesRoute } from "@/lib/registries/route-handlers";

export const dynamic = "force-dynamic";

export const GET = listRegistryUsesRoute;
