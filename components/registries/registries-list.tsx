"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useRef } from "react";
import { Alert, Card } from "@/components/ui/card";
import { useToast } from "@/components/ui/toast";
import type { RegistryPage } from "@/lib/registries/dto";
import { ApiError, registryKeys, type ListFilters } from "./api";
import { DeleteRegistryDialog } from "./delete-dialog";
import { ImportButton } from "./import/import-button";
import { AddRegistryLink } from "./list/add-registry-link";
import { ListFooter } from "./list/list-footer";
import { ListLoadError, NoMatches, NoRegistries } from "./list/list-states";
import { canDeleteRegistry, type ListPermissions } from "./list/permissions";
import { RegistriesTable } from "./list/registries-table";
import { RegistryFilters } from "./list/registry-filters";
import { RegistryRow } from "./list/registry-row";
import { useActiveToggle } from "./list/use-active-toggle";
import { useDeleteTarget } from "./list/use-delete-target";
import { useListFilters } from "./list/use-list-filters";
import { useRegistryPages } from "./list/use-registry-pages";
import { useRowTests } from "./list/use-row-tests";

export type { ListPermissions } from "./list/permissions";

/**
 * The registries of a company: filters kept in the URL (`?name=&type=`), keyset pages over the
 * API's cursor ("Load more"), row actions (Edit, Test, activate, Delete) enabled per permission.
 * The first page comes from the server render; react-query keeps it fresh afterwards.
 */
export function RegistriesList({
  companyId,
  companySlug,
  userId,
  permissions,
  initial,
  serverNow,
}: {
  companyId: string;
  companySlug: string;
  userId: string;
  permissions: ListPermissions;
  initial: { filters: ListFilters; page: RegistryPage };
  serverNow: number;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const base = `/${companySlug}/settings/registries`;
  const headingRef = useRef<HTMLHeadingElement>(null);

  const { filters, filtered, nameInput, setNameInput, setType, setHealth, clearFilters } = useListFilters();
  const { query, rows, updateRows } = useRegistryPages({ companyId, filters, initial, serverNow });
  const toggle = useActiveToggle({ companyId, companySlug, updateRows });
  const tests = useRowTests({ companyId, updateRows });
  const deletion = useDeleteTarget(headingRef);

  const addButton = permissions.write ? (
    <div className="flex flex-col gap-2 sm:flex-row sm:justify-center">
      <ImportButton companyId={companyId} onImported={() => void queryClient.invalidateQueries({ queryKey: registryKeys.all(companyId) })} />
      <AddRegistryLink base={base} type={filters.type} />
    </div>
  ) : null;
  const firstLoad = query.isPending;
  const empty = !firstLoad && !query.isError && rows.length === 0;
  const nothingAtAll = empty && !filtered;

  return (
    <div className="space-y-4">
      <h2 ref={headingRef} tabIndex={-1} className="sr-only">
        Registries
      </h2>
      {!permissions.write ? (
        <Alert tone="info" role="note">
          You have read-only access to {permissions.test ? "registries: you can test them, but not add, change or delete them" : "registries"}. Ask an owner or admin for the
          Manage registries permission.
        </Alert>
      ) : null}

      {nothingAtAll ? null : (
        <RegistryFilters
          nameInput={nameInput}
          onNameInput={setNameInput}
          type={filters.type}
          onType={setType}
          health={filters.health}
          onHealth={setHealth}
          onClear={filtered && !empty ? clearFilters : undefined}
          action={addButton}
        />
      )}

      {query.isError && rows.length === 0 ? (
        <ListLoadError message={query.error instanceof ApiError ? query.error.message : "Check your connection and try again."} onRetry={() => void query.refetch()} />
      ) : nothingAtAll ? (
        <NoRegistries addButton={addButton} canWrite={permissions.write} />
      ) : empty ? (
        <NoMatches filters={filters} onClear={clearFilters} />
      ) : (
        <Card className="overflow-visible">
          <RegistriesTable loading={firstLoad} busy={query.isFetching && !query.isFetchingNextPage} dimmed={query.isPlaceholderData}>
            {rows.map((row, index) => (
              <RegistryRow
                key={row.id}
                row={row}
                href={`${base}/${row.id}`}
                serverNow={serverNow}
                permissions={permissions}
                canDelete={canDeleteRegistry(permissions, row, userId)}
                testing={tests.isTesting(row)}
                togglePending={toggle.isPending(row)}
                onEdit={() => router.push(`${base}/${row.id}`)}
                onTest={() => void tests.runTest(row)}
                onToggle={(isActive) => toggle.setActive(row, isActive)}
                onDelete={() => deletion.ask(row, index)}
              />
            ))}
          </RegistriesTable>
          <ListFooter
            count={rows.length}
            filtered={filtered}
            hasMore={query.hasNextPage}
            loadingMore={query.isFetchingNextPage}
            onLoadMore={() => void query.fetchNextPage()}
            refreshError={query.isError ? query.error.message : null}
            onRetry={() => void query.refetch()}
          />
        </Card>
      )}

      <DeleteRegistryDialog
        companySlug={companySlug}
        registry={deletion.target}
        open={deletion.target !== null}
        serverNow={serverNow}
        onClose={deletion.close}
        fallbackFocus={deletion.focusAfterDelete}
        onDeleted={(registry) => {
          deletion.close();
          updateRows((r) => (r.id === registry.id ? null : r));
          toast({ title: `Deleted ${registry.name}` });
          void queryClient.invalidateQueries({ queryKey: registryKeys.all(companyId) });
        }}
      />
    </div>
  );
}
