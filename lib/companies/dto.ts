import type { Role } from "@/db/schema";

export interface CompanyDto {
  id: string;
  slug: string;
  name: string;
  role: Role;
}
