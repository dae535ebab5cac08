import { pullSecretRoute } from "@/lib/registries/route-handlers";
import { otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

export const POST = pullSecretRoute;

export const { GET, PUT, PATCH, DELETE, HEAD } = otherMethods("OPTIONS, POST");
