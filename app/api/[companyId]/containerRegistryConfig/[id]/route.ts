import { otherMethods } from "@/lib/http";
export { DELETE, GET, PATCH, PUT } from "@/app/api/v1/companies/[companyId]/registries/[id]/route";

export const dynamic = "force-dynamic";

export const { POST } = otherMethods("DELETE, GET, HEAD, OPTIONS, PATCH, PUT");
