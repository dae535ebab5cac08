import { createRegistryRoute, listRegistriesRoute } from "@/lib/registries/route-handlers";
import { otherMethods } from "@/lib/http";

/** The container-registry-config path that existing clients call: the same handlers as /api/v1/companies/{companyId}/registries. */
export const dynamic = "force-dynamic";

export const GET = listRegistriesRoute;
export const POST = createRegistryRoute((companyId) => `/api/${companyId}/containerRegistryConfig`);

export const { PUT, PATCH, DELETE } = otherMethods("GET, HEAD, OPTIONS, POST");
