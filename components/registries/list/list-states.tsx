import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { ListFilters } from "../api";
import { RegistryTypeIcon } from "@/components/ui/icons";
import type { HealthStatus } from "@/lib/health/health";
import { HEALTH_LABELS } from "../health-badge";
import { useRegistryTypes } from "../type-summaries";

/** What the list shows instead of rows: a load error, no registries at all, or none matching the filters. */

export function ListLoadError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <Card className="p-6">
      <div role="alert" className="flex flex-col items-start gap-3 sm:flex-row sm:items-center">
        <p className="flex-1 text-sm text-red-700 dark:text-red-300">Could not load the registries. {message}</p>
        <Button variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      </div>
    </Card>
  );
}

export function NoRegistries({ addButton, canWrite }: { addButton: React.ReactNode; canWrite: boolean }) {
  const { of } = useRegistryTypes();
  return (
    <Card className="px-6 py-10 text-center sm:px-10">
      <div aria-hidden="true" className="mx-auto flex w-fit gap-2">
        {["ghcr", "dockerhub", "ecr", "gar", "harbor", "custom"].map((t) => (
          <RegistryTypeIcon key={t} icon={of(t)?.icon} className="h-8 w-8" />
        ))}
      </div>
      <h2 className="mt-5 text-base font-semibold">No container registries yet</h2>
      <p className="mx-auto mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">
        A registry entry holds the credentials for one private container registry, such as {of("ghcr")?.label}, {of("dockerhub")?.label},{" "}
        {of("ecr")?.label} or your own {of("harbor")?.label}. Berth encrypts them, tests that they sign in, and hands deploy agents and CI jobs a ready pull secret for the images they need.
      </p>
      <div className="mt-6 flex justify-center">
        {canWrite ? addButton : <p className="text-sm text-zinc-500 dark:text-zinc-400">An owner or admin can add the first one.</p>}
      </div>
    </Card>
  );
}

export function NoMatches({ filters, onClear }: { filters: ListFilters; onClear: () => void }) {
  const { of } = useRegistryTypes();
  return (
    <Card className="px-4 py-10 text-center">
      <div className="space-y-3 text-sm text-zinc-600 dark:text-zinc-400">
        <p>
          No registries match {filters.name ? <>“{filters.name}”</> : "this filter"}
          {filters.type ? <> of type {of(filters.type)?.label}</> : null}
          {filters.health ? <> with health “{HEALTH_LABELS[filters.health as HealthStatus] ?? filters.health}”</> : null}.
        </p>
        <Button variant="secondary" onClick={onClear}>
          Clear filters
        </Button>
      </div>
    </Card>
  );
}
