import { redirect } from "next/navigation";
import { listUserCompanies } from "@/lib/companies/service";
import { requireUser } from "@/lib/page-auth";

export const dynamic = "force-dynamic";

/** Home: the first company's registries, or company creation for a user with none. */
export default async function Home() {
  const user = await requireUser();
  const companies = await listUserCompanies(user.id);
  redirect(companies[0] ? `/${companies[0].slug}/settings/registries` : "/companies/new");
}
