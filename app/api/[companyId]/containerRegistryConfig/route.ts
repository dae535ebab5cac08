import { createRegistryRoute, listRegistriesRoute } from "@/lib/registries/route-handlers";

/** The seed's path (000_dbd92f4628eaebda.txt): the same handlers as /api/v1/companies/{companyId}/registries. */
export const dynamic = "force-dynamic";

export const GET = listRegistriesRoute;
export const POST = createRegistryRoute((companyId) => `/api/${companyId}/containerRegistryConfig`);
