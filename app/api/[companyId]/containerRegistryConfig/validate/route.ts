export { POST } from "@/app/api/v1/companies/[companyId]/registries/validate/route";

export const dynamic = "force-dynamic";
