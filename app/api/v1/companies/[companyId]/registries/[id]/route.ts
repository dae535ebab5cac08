import { deleteRegistryRoute, getRegistryRoute, patchRegistryRoute, replaceRegistryRoute } from "@/lib/registries/route-handlers";
import { otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = getRegistryRoute;
export const PUT = replaceRegistryRoute;
export const PATCH = patchRegistryRoute;
export const DELETE = deleteRegistryRoute;

export const { POST } = otherMethods("DELETE, GET, HEAD, OPTIONS, PATCH, PUT");
