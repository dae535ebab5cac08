import { listRegistryUsesRoute } from "@/lib/registries/route-handlers";
import { otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = listRegistryUsesRoute;

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS");
