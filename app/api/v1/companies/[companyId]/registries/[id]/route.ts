import { deleteRegistryRoute, getRegistryRoute, patchRegistryRoute, replaceRegistryRoute } from "@/lib/registries/route-handlers";

export const dynamic = "force-dynamic";

export const GET = getRegistryRoute;
export const PUT = replaceRegistryRoute;
export const PATCH = patchRegistryRoute;
export const DELETE = deleteRegistryRoute;
