import { resolveRegistryRoute } from "@/lib/registries/route-handlers";

export const dynamic = "force-dynamic";

export const POST = resolveRegistryRoute;
