import { Skeleton } from "@/components/ui/skeleton";
import { ROW_GRID, TABLE_GRID } from "./list/table-layout";

/** Placeholder rows with the real rows' height (desktop grid, mobile card). */
export function RegistryRowsSkeleton({ rows = 3 }: { rows?: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} aria-hidden="true" className={`${ROW_GRID} px-4 py-3`}>
          <div className="flex items-center gap-2.5">
            <Skeleton className="h-7 w-7 rounded-md lg:hidden" />
            <div className="space-y-1.5">
              <Skeleton className="h-4 w-32" />
              <Skeleton className="h-3 w-24" />
            </div>
          </div>
          <div className="flex items-center gap-2 max-lg:hidden">
            <Skeleton className="h-5 w-5 rounded-md" />
            <Skeleton className="h-3 w-20" />
          </div>
          <Skeleton className="h-3 w-28 max-lg:col-span-2 max-lg:row-start-2" />
          <Skeleton className="h-5 w-9 rounded-full max-lg:col-start-2 max-lg:row-start-1 max-lg:justify-self-end" />
          <Skeleton className="h-5 w-20 rounded-full max-lg:row-start-3" />
          <div className="space-y-1 max-lg:col-start-2 max-lg:row-start-3 max-lg:justify-self-end">
            <Skeleton className="h-5 w-20 rounded-full" />
            <Skeleton className="h-3 w-16" />
          </div>
          <div className="flex gap-1 max-lg:col-span-2 max-lg:row-start-4 max-lg:pt-2 lg:justify-end">
            <Skeleton className="h-8 w-14 max-lg:flex-1" />
            <Skeleton className="h-8 w-14 max-lg:flex-1" />
            <Skeleton className="h-8 w-16 max-lg:flex-1" />
          </div>
        </div>
      ))}
    </>
  );
}

/** The whole list while the page itself loads (route-level loading.tsx). */
export function RegistriesPageSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading registries" className="space-y-4">
      <div className="flex flex-col gap-2 sm:flex-row">
        <Skeleton className="h-9 sm:w-64" />
        <Skeleton className="h-9 sm:w-56" />
        <Skeleton className="h-9 sm:ml-auto sm:w-32" />
      </div>
      <div className={`divide-y divide-zinc-100 rounded-xl bg-white shadow-sm ring-1 ring-zinc-200 dark:divide-zinc-800 dark:bg-zinc-900 dark:ring-zinc-800 ${TABLE_GRID}`}>
        <div className="hidden px-4 py-3 lg:col-span-full lg:block">
          <Skeleton className="h-3 w-full max-w-md" />
        </div>
        <RegistryRowsSkeleton rows={4} />
      </div>
    </div>
  );
}
