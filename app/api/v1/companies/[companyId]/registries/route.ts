import { createRegistryRoute, listRegistriesRoute } from "@/lib/registries/route-handlers";

export const dynamic = "force-dynamic";

export const GET = listRegistriesRoute;
export const POST = createRegistryRoute((companyId) => `/api/v1/companies/${companyId}/registries`);
