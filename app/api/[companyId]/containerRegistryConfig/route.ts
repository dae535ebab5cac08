import { createRegistryRoute, listRegistriesRoute } from "@/lib/registries/route-handlers";

/** The container-registry-config path that existing clients call: the same handlers as /api/v1/companies/{companyId}/registries. */
export const dynamic = "force-dynamic";

export const GET = listRegistriesRoute;
export const POST = createRegistryRoute((companyId) => `/api/${companyId}/containerRegistryConfig`);
