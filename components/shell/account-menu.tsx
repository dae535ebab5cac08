import Link from "next/link";
import { ChevronDownIcon } from "@/components/ui/icons";
import { signOutAction } from "@/app/(auth)/actions";
import type { CompanyDto } from "@/lib/companies/dto";

/** Company switcher and account menu: a native <details> disclosure, keyboard-friendly without script. */
export function AccountMenu({ email, companies, currentSlug }: { email: string; companies: CompanyDto[]; currentSlug?: string }) {
  const current = companies.find((c) => c.slug === currentSlug);
  return (
    <details className="group relative">
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-2.5 py-1.5 text-sm font-medium ring-1 ring-zinc-200 hover:bg-zinc-50 dark:ring-zinc-800 dark:hover:bg-zinc-900 [&::-webkit-details-marker]:hidden">
        <span className="max-w-[10rem] truncate">{current?.name ?? "Companies"}</span>
        <ChevronDownIcon className="h-4 w-4 text-zinc-500 transition group-open:rotate-180" />
      </summary>
      <div className="absolute right-0 z-40 mt-2 w-64 rounded-lg bg-white p-1 shadow-lg ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
        <p className="truncate px-3 py-2 text-xs text-zinc-500">Signed in as {email}</p>
        <nav aria-label="Companies" className="border-t border-zinc-100 py-1 dark:border-zinc-800">
          {companies.map((c) => (
            <Link
              key={c.id}
              href={`/${c.slug}/settings/registries`}
              aria-current={c.slug === currentSlug ? "true" : undefined}
              className="flex items-center justify-between rounded-md px-3 py-1.5 text-sm hover:bg-zinc-100 aria-[current=true]:font-semibold dark:hover:bg-zinc-800"
            >
              <span className="truncate">{c.name}</span>
              <span className="text-xs text-zinc-500">{c.role}</span>
            </Link>
          ))}
          <Link href="/companies/new" className="block rounded-md px-3 py-1.5 text-sm text-brand-600 hover:bg-zinc-100 dark:hover:bg-zinc-800">
            Create company
          </Link>
        </nav>
        <Link href="/account" className="block border-t border-zinc-100 px-3 py-1.5 text-sm hover:bg-zinc-100 dark:border-zinc-800 dark:hover:bg-zinc-800">
          Account and security
        </Link>
        <form action={signOutAction} className="border-t border-zinc-100 pt-1 dark:border-zinc-800">
          <button type="submit" className="w-full rounded-md px-3 py-1.5 text-left text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800">
            Sign out
          </button>
        </form>
      </div>
    </details>
  );
}
