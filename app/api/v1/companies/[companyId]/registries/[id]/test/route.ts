import { testRegistryRoute } from "@/lib/registries/route-handlers";
import { otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

export const POST = testRegistryRoute;

export const { GET, PUT, PATCH, DELETE, HEAD } = otherMethods("OPTIONS, POST");
