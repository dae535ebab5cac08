export { DELETE, GET, PATCH, PUT } from "@/app/api/v1/companies/[companyId]/registries/[id]/route";

export const dynamic = "force-dynamic";
