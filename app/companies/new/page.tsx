import { SimpleActionForm } from "@/components/auth/simple-action-form";
import { AccountMenu } from "@/components/shell/account-menu";
import { AppHeader } from "@/components/shell/app-header";
import { listUserCompanies } from "@/lib/companies/service";
import { requireUser } from "@/lib/page-auth";
import { createCompanyAction } from "../actions";

export const metadata = { title: "Create company" };
export const dynamic = "force-dynamic";

export default async function NewCompanyPage() {
  const user = await requireUser("/companies/new");
  const companies = await listUserCompanies(user.id);
  return (
    <>
      <AppHeader>
        <AccountMenu email={user.email} companies={companies} />
      </AppHeader>
      <main className="mx-auto max-w-md px-4 py-10">
        <div className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
          <h1 className="mb-1 text-lg font-semibold">Create a company</h1>
          <p className="mb-5 text-sm text-zinc-600 dark:text-zinc-400">A company keeps its own registries, members and API tokens. You will be its owner.</p>
          <SimpleActionForm
            action={createCompanyAction}
            fields={[{ name: "companyName", label: "Company name", required: true, hint: "Its address becomes /company-name." }]}
            submitLabel="Create company"
            pendingLabel="Creating…"
          />
        </div>
      </main>
    </>
  );
}
