import { testRegistryRoute } from "@/lib/registries/http";

export const dynamic = "force-dynamic";

export const POST = testRegistryRoute;
