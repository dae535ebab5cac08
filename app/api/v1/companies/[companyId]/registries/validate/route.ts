import { validateRegistryRoute } from "@/lib/registries/http";

export const dynamic = "force-dynamic";

export const POST = validateRegistryRoute;
