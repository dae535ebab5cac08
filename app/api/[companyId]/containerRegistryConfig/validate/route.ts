import { otherMethods } from "@/lib/http";
export { POST } from "@/app/api/v1/companies/[companyId]/registries/validate/route";

export const dynamic = "force-dynamic";

export const { GET, PUT, PATCH, DELETE, HEAD } = otherMethods("OPTIONS, POST");
