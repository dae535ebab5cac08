"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export const SETTINGS_SECTIONS = [
  { segment: "registries", label: "Container Registries" },
  { segment: "notifications", label: "Notifications" },
  { segment: "integrations", label: "Integrations" },
  { segment: "tokens", label: "API tokens" },
  { segment: "members", label: "Members" },
  { segment: "audit", label: "Audit log" },
  { segment: "security", label: "Security" },
] as const;

/**
 * `expiring`: registries expiring within 14 days or expired, and API tokens expiring within 14
 * days, shown as a count on "Container Registries" (where the banner lists them).
 */
export function SettingsNav({ companySlug, expiring = 0 }: { companySlug: string; expiring?: number }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings" className="flex gap-1 overflow-x-auto md:flex-col">
      {SETTINGS_SECTIONS.map((s) => {
        const href = `/${companySlug}/settings/${s.segment}`;
        const current = pathname === href || pathname.startsWith(href + "/");
        return (
          <Link
            key={s.segment}
            href={href}
            aria-current={current ? "page" : undefined}
            className={`whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium transition-colors ${
              current
                ? "bg-white text-zinc-900 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:text-white dark:ring-zinc-800"
                : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-900 dark:hover:text-white"
            }`}
          >
            {s.label}
            {s.segment === "registries" && expiring > 0 ? (
              <span className="ml-2 inline-flex min-w-5 items-center justify-center rounded-full bg-amber-100 px-1.5 text-xs font-semibold text-amber-900 dark:bg-amber-900/40 dark:text-amber-200">
                {expiring}
                <span className="sr-only"> expiring or expired</span>
              </span>
            ) : null}
          </Link>
        );
      })}
    </nav>
  );
}
