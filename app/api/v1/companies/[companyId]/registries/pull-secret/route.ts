import { pullSecretRoute } from "@/lib/registries/route-handlers";

export const dynamic = "force-dynamic";

export const POST = pullSecretRoute;
