import { createRegistryRoute, listRegistriesRoute } from "@/lib/registries/route-handlers";
import { otherMethods } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = listRegistriesRoute;
export const POST = createRegistryRoute((companyId) => `/api/v1/companies/${companyId}/registries`);

export const { PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS, POST");
