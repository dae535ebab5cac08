import Link from "next/link";
import { useId } from "react";
import { Badge } from "@/components/ui/card";
import { Switch } from "@/components/ui/switch";
import { GridCell, GridRow } from "@/components/ui/table";
import type { RegistryDto } from "@/lib/registries/dto";
import { HealthBadge } from "../health-badge";
import { LastTestBadge } from "../last-test-badge";
import { RelativeTime } from "../relative-time";
import { RegistryHost, anyAccountRegion } from "../registry-host";
import { RegistryTypeIcon } from "@/components/ui/icons";
import { useRegistryTypes } from "../type-summaries";
import type { ListPermissions } from "./permissions";
import { BreakableHost } from "./breakable-host";
import { RegistryRowActions } from "./registry-row-actions";
import { ROW_GRID } from "./table-layout";

/**
 * One registry: name (a link to its page) and creator, type, host, the Active switch (a badge for
 * read-only users), its health, the last test, and the row's actions. The row's buttons are described by the
 * registry's name, so "Test", "Edit" and "Delete" say which registry they act on.
 */
export function RegistryRow({
  row,
  href,
  serverNow,
  permissions,
  canDelete,
  testing,
  togglePending,
  onEdit,
  onTest,
  onToggle,
  onDelete,
}: {
  row: RegistryDto;
  href: string;
  serverNow: number;
  permissions: ListPermissions;
  canDelete: boolean;
  testing: boolean;
  togglePending: boolean;
  onEdit: () => void;
  onTest: () => void;
  onToggle: (isActive: boolean) => void;
  onDelete: () => void;
}) {
  const nameId = useId();
  const type = useRegistryTypes().of(row.type);
  return (
    <GridRow data-testid="registry-row" data-registry-id={row.id} className={`${ROW_GRID} px-4 py-3`}>
      <GridCell className="flex min-w-0 items-center gap-2.5">
        <RegistryTypeIcon icon={type?.icon} className="h-7 w-7 lg:hidden" />
        <div className="min-w-0">
          <Link id={nameId} href={href} className={`block truncate font-medium hover:underline ${row.isActive ? "" : "text-zinc-500 dark:text-zinc-400"}`}>
            {row.name}
          </Link>
          <span className="block truncate text-xs text-zinc-500 lg:hidden dark:text-zinc-400">{type?.label ?? row.type}</span>
          <span className="block truncate text-xs text-zinc-500 dark:text-zinc-400" title={row.createdByEmail ?? undefined}>
            {row.createdByEmail ? (
              <>
                <span className="sr-only">Created </span>by {row.createdByEmail}
              </>
            ) : (
              "Creator unknown"
            )}
          </span>
        </div>
      </GridCell>
      <GridCell className="flex min-w-0 items-center gap-2 max-lg:hidden">
        <RegistryTypeIcon icon={type?.icon} className="h-5 w-5" />
        <span className="text-xs leading-tight">{type?.label ?? row.type}</span>
      </GridCell>
      <GridCell className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-0.5 max-lg:col-span-2 max-lg:row-start-2 lg:flex-col lg:items-start">
        {anyAccountRegion(row) !== null ? (
          <RegistryHost registry={row} className="max-w-full text-zinc-700 dark:text-zinc-300" />
        ) : (
          <span className="line-clamp-2 max-w-full font-mono text-xs break-words text-zinc-700 dark:text-zinc-300" title={row.url}>
            <BreakableHost host={row.url} />
          </span>
        )}
        {row.plainHttp ? <Badge tone="warning">Plain HTTP</Badge> : null}
        {row.lastUsedAt ? (
          <span className="text-xs text-zinc-500 dark:text-zinc-400">
            Used <RelativeTime iso={row.lastUsedAt} serverNow={serverNow} />
          </span>
        ) : null}
      </GridCell>
      <GridCell className="flex items-center gap-2 max-lg:col-start-2 max-lg:row-start-1 max-lg:justify-end">
        {permissions.write ? (
          <>
            <span aria-hidden="true" className="text-xs text-zinc-500 lg:hidden dark:text-zinc-400">
              {row.isActive ? "Active" : "Inactive"}
            </span>
            <Switch checked={row.isActive} aria-label="Active" aria-describedby={nameId} disabled={togglePending} onCheckedChange={onToggle} />
          </>
        ) : (
          <Badge tone={row.isActive ? "success" : "neutral"}>{row.isActive ? "Active" : "Inactive"}</Badge>
        )}
      </GridCell>
      <GridCell className="flex min-w-0 items-center max-lg:row-start-3">
        <span className="sr-only lg:hidden">Health: </span>
        <HealthBadge health={row.health} />
      </GridCell>
      <GridCell className="min-w-0 max-lg:col-start-2 max-lg:row-start-3 max-lg:justify-self-end">
        <LastTestBadge lastTest={row.lastTest} serverNow={serverNow} testing={testing} />
      </GridCell>
      <GridCell className="flex items-center gap-1 max-lg:col-span-2 max-lg:row-start-4 max-lg:border-t max-lg:border-zinc-100 max-lg:pt-2 lg:justify-end dark:max-lg:border-zinc-800">
        <RegistryRowActions describedBy={nameId} permissions={permissions} canDelete={canDelete} testing={testing} onTest={onTest} onEdit={onEdit} onDelete={onDelete} />
      </GridCell>
    </GridRow>
  );
}
