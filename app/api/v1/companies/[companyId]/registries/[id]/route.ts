import { deleteRegistryRoute, getRegistryRoute, patchRegistryRoute, replaceRegistryRoute } from "@/lib/registries/http";

export const dynamic = "force-dynamic";

export const GET = getRegistryRoute;
export const PUT = replaceRegistryRoute;
export const PATCH = patchRegistryRoute;
export const DELETE = deleteRegistryRoute;
