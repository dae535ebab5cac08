"use client";

import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { setRegistryActiveAction } from "@/app/[company]/settings/registries/actions";
import { Button, buttonClass } from "@/components/ui/button";
import { Alert, Badge, Card } from "@/components/ui/card";
import { Input, Select } from "@/components/ui/input";
import { BoltIcon, PencilIcon, PlusIcon, SearchIcon, Spinner, TrashIcon } from "@/components/ui/icons";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import type { RegistryDto, RegistryPage } from "@/lib/registries/dto";
import { REGISTRY_TYPES, getRegistryType } from "@/lib/registries/schemas";
import { ApiError, fetchRegistryPage, registryKeys, testSavedRegistry, type ListFilters } from "./api";
import { DeleteRegistryDialog } from "./delete-dialog";
import { LastTestBadge } from "./last-test-badge";
import { ROWGROUP, ROW_GRID, RegistryRowsSkeleton, TABLE_GRID } from "./list-skeleton";
import { RegistryIcon } from "./registry-icon";
import { resultHeadline } from "./test-status";

export interface ListPermissions {
  write: boolean;
  test: boolean;
  /** Delete any registry (admins, owners). */
  deleteAll: boolean;
  /** Delete registries one created (members with Manage registries). */
  deleteOwn: boolean;
}

type Pages = InfiniteData<RegistryPage, string | null>;

function mapRows(data: Pages | undefined, fn: (row: RegistryDto) => RegistryDto | null): Pages | undefined {
  if (!data) return data;
  return {
    ...data,
    pages: data.pages.map((page) => ({ ...page, items: page.items.map(fn).filter((row): row is RegistryDto => row !== null) })),
  };
}

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
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const queryClient = useQueryClient();
  const toast = useToast();
  const base = `/${companySlug}/settings/registries`;

  const filters: ListFilters = { name: searchParams.get("name")?.trim() ?? "", type: getRegistryType(searchParams.get("type") ?? "") ? searchParams.get("type")! : "" };
  const filtered = filters.name !== "" || filters.type !== "";
  const [nameInput, setNameInput] = useState(filters.name);

  const setFilter = (next: Partial<ListFilters>) => {
    const qs = new URLSearchParams(searchParams.toString());
    for (const [key, value] of Object.entries(next)) {
      if (value) qs.set(key, value);
      else qs.delete(key);
    }
    const search = qs.toString();
    if (search === searchParams.toString()) return;
    window.history.replaceState(null, "", search ? `${pathname}?${search}` : pathname);
  };

  // The name filter follows typing after a short pause.
  const latestSetFilter = useRef(setFilter);
  useEffect(() => {
    latestSetFilter.current = setFilter;
  });
  useEffect(() => {
    const timer = window.setTimeout(() => latestSetFilter.current({ name: nameInput.trim() }), 250);
    return () => window.clearTimeout(timer);
  }, [nameInput]);

  const sameAsServer = filters.name === initial.filters.name && filters.type === initial.filters.type;
  const query = useInfiniteQuery({
    queryKey: registryKeys.list(companyId, filters),
    queryFn: ({ pageParam, signal }) => fetchRegistryPage(companyId, filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextPageToken,
    placeholderData: keepPreviousData,
    ...(sameAsServer ? { initialData: { pages: [initial.page], pageParams: [null] }, initialDataUpdatedAt: serverNow } : {}),
  });

  const rows = useMemo(() => {
    const seen = new Set<string>();
    return (query.data?.pages ?? []).flatMap((p) => p.items).filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
  }, [query.data]);

  const updateRows = (fn: (row: RegistryDto) => RegistryDto | null) =>
    queryClient.setQueriesData<Pages>({ queryKey: registryKeys.all(companyId) }, (data) => mapRows(data, fn));

  // Activate / deactivate: optimistic, rolled back when the server refuses.
  const toggle = useMutation({
    mutationFn: async ({ row, isActive }: { row: RegistryDto; isActive: boolean }) => {
      const result = await setRegistryActiveAction(companySlug, row.id, isActive);
      if (!result.ok) throw new Error(result.error);
      return result.data;
    },
    onMutate: async ({ row, isActive }) => {
      await queryClient.cancelQueries({ queryKey: registryKeys.all(companyId) });
      const snapshot = queryClient.getQueriesData<Pages>({ queryKey: registryKeys.all(companyId) });
      updateRows((r) => (r.id === row.id ? { ...r, isActive } : r));
      return { snapshot };
    },
    onError: (err, { row, isActive }, context) => {
      for (const [key, data] of context?.snapshot ?? []) queryClient.setQueryData(key, data);
      toast({ tone: "error", title: `Could not ${isActive ? "activate" : "deactivate"} ${row.name}`, description: err.message });
    },
    onSuccess: (dto) => {
      updateRows((r) => (r.id === dto.id ? { ...r, ...dto, createdByEmail: dto.createdByEmail ?? r.createdByEmail } : r));
      toast({ title: `${dto.isActive ? "Activated" : "Deactivated"} ${dto.name}`, description: dto.isActive ? undefined : "Berth no longer hands out its credentials." });
    },
  });

  // Re-test a saved registry; its badge shows progress, then the stored result.
  const [testing, setTesting] = useState<ReadonlySet<string>>(new Set());
  const runTest = async (row: RegistryDto) => {
    if (testing.has(row.id)) return;
    setTesting((s) => new Set(s).add(row.id));
    try {
      const result = await testSavedRegistry(companyId, row.id);
      const checkedAt = new Date().toISOString();
      updateRows((r) => (r.id === row.id ? { ...r, lastTest: { status: result.status, message: result.message, checkedAt } } : r));
      const headline = resultHeadline(result);
      toast({
        tone: result.status === "success" ? "success" : result.status === "not_verified" || result.status === "not_supported" ? "warning" : "error",
        title: headline === "Connection successful" ? `${row.name}: test passed (${result.latencyMs} ms)` : `${row.name}: ${headline.toLowerCase()}`,
        description: headline === "Connection successful" ? undefined : result.message,
      });
      void queryClient.invalidateQueries({ queryKey: registryKeys.all(companyId) });
    } catch (err) {
      toast({ tone: "error", title: `Could not test ${row.name}`, description: err instanceof Error ? err.message : String(err) });
    } finally {
      setTesting((s) => {
        const next = new Set(s);
        next.delete(row.id);
        return next;
      });
    }
  };

  const [deleting, setDeleting] = useState<RegistryDto | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const deletedIndex = useRef(0);

  const canDelete = (row: RegistryDto) => permissions.deleteAll || (permissions.deleteOwn && row.createdBy === userId);
  const addHref = filters.type ? `${base}/new?type=${filters.type}` : `${base}/new`;
  const addButton = permissions.write ? (
    <Link href={addHref} className={buttonClass("primary", "md", "w-full sm:w-auto")}>
      <PlusIcon />
      Add Registry
    </Link>
  ) : null;

  const clearFilters = () => {
    setNameInput("");
    setFilter({ name: "", type: "" });
  };

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
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
          <div className="relative sm:w-64">
            <label htmlFor="registry-filter-name" className="sr-only">
              Filter by name
            </label>
            <SearchIcon className="pointer-events-none absolute top-1/2 left-2.5 h-4 w-4 -translate-y-1/2 text-zinc-400" />
            <Input
              id="registry-filter-name"
              type="search"
              value={nameInput}
              onChange={(e) => setNameInput(e.target.value)}
              placeholder="Filter by name"
              autoComplete="off"
              className="pl-8"
            />
          </div>
          <div className="flex items-center gap-2">
            <label htmlFor="registry-filter-type" className="sr-only">
              Filter by type
            </label>
            <Select id="registry-filter-type" value={filters.type} onChange={(e) => setFilter({ type: e.target.value })} className="min-w-0 sm:w-56">
              <option value="">All types</option>
              {REGISTRY_TYPES.map((t) => (
                <option key={t.key} value={t.key}>
                  {t.label}
                </option>
              ))}
            </Select>
            {filtered && !empty ? (
              <Button variant="ghost" onClick={clearFilters} className="shrink-0 whitespace-nowrap">
                Clear filters
              </Button>
            ) : null}
          </div>
          <div className="sm:ml-auto">{addButton}</div>
        </div>
      )}

      {query.isError && rows.length === 0 ? (
        <Card className="p-6">
          <div role="alert" className="flex flex-col items-start gap-3 sm:flex-row sm:items-center">
            <p className="flex-1 text-sm text-red-700 dark:text-red-300">
              Could not load the registries. {query.error instanceof ApiError ? query.error.message : "Check your connection and try again."}
            </p>
            <Button variant="secondary" onClick={() => void query.refetch()}>
              Try again
            </Button>
          </div>
        </Card>
      ) : nothingAtAll ? (
        <EmptyState addButton={addButton} canWrite={permissions.write} />
      ) : empty ? (
        <Card className="px-4 py-10 text-center">
          <div className="space-y-3 text-sm text-zinc-600 dark:text-zinc-400">
            <p>
              No registries match {filters.name ? <>“{filters.name}”</> : "this filter"}
              {filters.type ? <> of type {getRegistryType(filters.type)?.label}</> : null}.
            </p>
            <Button variant="secondary" onClick={clearFilters}>
              Clear filters
            </Button>
          </div>
        </Card>
      ) : (
        <Card className="overflow-visible">
          <div role="table" aria-label="Container registries" aria-busy={query.isFetching && !query.isFetchingNextPage ? true : undefined} className={TABLE_GRID}>
            <div role="rowgroup" className={`max-lg:sr-only ${ROWGROUP}`}>
              <div role="row" className={`${ROW_GRID} border-b border-zinc-200 px-4 py-2 text-xs font-medium tracking-wide text-zinc-500 uppercase dark:border-zinc-800 dark:text-zinc-400`}>
                <span role="columnheader">Name</span>
                <span role="columnheader">Type</span>
                <span role="columnheader">Host</span>
                <span role="columnheader">Active</span>
                <span role="columnheader">Last test</span>
                <span role="columnheader">
                  <span className="sr-only">Actions</span>
                </span>
              </div>
            </div>
            <div
              role="rowgroup"
              className={`divide-y divide-zinc-100 transition-opacity dark:divide-zinc-800 ${ROWGROUP} ${query.isPlaceholderData ? "opacity-60" : ""}`}
            >
              {firstLoad ? (
                <RegistryRowsSkeleton rows={3} />
              ) : (
                rows.map((row) => (
                  <RegistryRow
                    key={row.id}
                    row={row}
                    serverNow={serverNow}
                    permissions={permissions}
                    canDelete={canDelete(row)}
                    testing={testing.has(row.id)}
                    togglePending={toggle.isPending && toggle.variables?.row.id === row.id}
                    onEdit={() => router.push(`${base}/${row.id}`)}
                    onTest={() => void runTest(row)}
                    onToggle={(isActive) => toggle.mutate({ row, isActive })}
                    onDelete={() => {
                      deletedIndex.current = rows.indexOf(row);
                      setDeleting(row);
                    }}
                    href={`${base}/${row.id}`}
                  />
                ))
              )}
            </div>
          </div>
          {rows.length > 0 ? (
            <div className="flex flex-col items-center gap-2 border-t border-zinc-100 px-4 py-3 text-xs text-zinc-500 sm:flex-row sm:justify-between dark:border-zinc-800 dark:text-zinc-400">
              <p aria-live="polite">
                Showing {rows.length} registr{rows.length === 1 ? "y" : "ies"}
                {query.hasNextPage ? "" : filtered ? " matching the filters" : ""}
              </p>
              {query.hasNextPage ? (
                <Button
                  variant="secondary"
                  size="sm"
                  aria-busy={query.isFetchingNextPage || undefined}
                  onClick={() => {
                    if (!query.isFetchingNextPage) void query.fetchNextPage();
                  }}
                >
                  {query.isFetchingNextPage ? <Spinner className="h-3.5 w-3.5" /> : null}
                  Load more
                </Button>
              ) : null}
            </div>
          ) : null}
          {query.isError && rows.length > 0 ? (
            <div className="border-t border-zinc-100 p-3 dark:border-zinc-800">
              <Alert>
                Could not refresh the list: {query.error.message}{" "}
                <button type="button" className="font-medium underline" onClick={() => void query.refetch()}>
                  Try again
                </button>
              </Alert>
            </div>
          ) : null}
        </Card>
      )}

      <DeleteRegistryDialog
        companySlug={companySlug}
        registry={deleting}
        open={deleting !== null}
        serverNow={serverNow}
        onClose={() => setDeleting(null)}
        fallbackFocus={() => {
          // The deleted row is gone: continue at the row that took its place, else the one before.
          const links = document.querySelectorAll<HTMLElement>('[data-testid="registry-row"] [role="cell"]:first-child a');
          return links[deletedIndex.current] ?? links[deletedIndex.current - 1] ?? headingRef.current;
        }}
        onDeleted={(registry) => {
          setDeleting(null);
          updateRows((r) => (r.id === registry.id ? null : r));
          toast({ title: `Deleted ${registry.name}` });
          void queryClient.invalidateQueries({ queryKey: registryKeys.all(companyId) });
        }}
      />
    </div>
  );
}

function RegistryRow({
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
  const type = getRegistryType(row.type);
  const readOnlyReason = "Needs the Manage registries permission";
  return (
    <div role="row" data-testid="registry-row" data-registry-id={row.id} className={`${ROW_GRID} px-4 py-3`}>
      <div role="cell" className="flex min-w-0 items-center gap-2.5">
        <RegistryIcon type={row.type} className="h-7 w-7 lg:hidden" />
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
      </div>
      <div role="cell" className="flex min-w-0 items-center gap-2 max-lg:hidden">
        <RegistryIcon type={row.type} className="h-5 w-5" />
        <span className="text-xs leading-tight">{type?.label ?? row.type}</span>
      </div>
      <div role="cell" className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-0.5 max-lg:col-span-2 max-lg:row-start-2 lg:flex-col lg:items-start">
        <span className="line-clamp-2 max-w-full font-mono text-xs break-words text-zinc-700 dark:text-zinc-300" title={row.url}>
          <BreakableHost host={row.url} />
        </span>
        {row.plainHttp ? <Badge tone="warning">Plain HTTP</Badge> : null}
      </div>
      <div role="cell" className="flex items-center gap-2 max-lg:col-start-2 max-lg:row-start-1 max-lg:justify-end">
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
      </div>
      <div role="cell" className="min-w-0 max-lg:col-span-2 max-lg:row-start-3">
        <LastTestBadge lastTest={row.lastTest} serverNow={serverNow} testing={testing} />
      </div>
      <div role="cell" className="flex items-center gap-1 max-lg:col-span-2 max-lg:row-start-4 max-lg:border-t max-lg:border-zinc-100 max-lg:pt-2 lg:justify-end dark:max-lg:border-zinc-800">
        <Button
          variant="ghost"
          size="sm"
          aria-describedby={nameId}
          aria-disabled={testing || undefined}
          disabled={!permissions.test}
          title={permissions.test ? "Test the saved credentials" : "Viewers cannot run tests"}
          onClick={() => {
            if (!testing) onTest();
          }}
          className="max-lg:flex-1"
        >
          {testing ? <Spinner className="h-3.5 w-3.5" /> : <BoltIcon />}
          Test
        </Button>
        <Button variant="ghost" size="sm" aria-describedby={nameId} disabled={!permissions.write} title={permissions.write ? undefined : readOnlyReason} onClick={onEdit} className="max-lg:flex-1">
          <PencilIcon />
          Edit
        </Button>
        <Button
          variant="ghost"
          size="sm"
          aria-describedby={nameId}
          disabled={!canDelete}
          title={canDelete ? undefined : permissions.deleteOwn ? "You can delete only the registries you added" : readOnlyReason}
          onClick={onDelete}
          className="text-red-700 hover:bg-red-50 max-lg:flex-1 dark:text-red-400 dark:hover:bg-red-950/50"
        >
          <TrashIcon />
          Delete
        </Button>
      </div>
    </div>
  );
}

/** A host that may wrap after "/" and before "." rather than anywhere. */
function BreakableHost({ host }: { host: string }) {
  const parts = host.split(/(?<=\/)|(?=\.)/);
  return (
    <>
      {parts.map((part, i) => (
        <span key={i}>
          {i > 0 ? <wbr /> : null}
          {part}
        </span>
      ))}
    </>
  );
}

function EmptyState({ addButton, canWrite }: { addButton: React.ReactNode; canWrite: boolean }) {
  return (
    <Card className="px-6 py-10 text-center sm:px-10">
      <div aria-hidden="true" className="mx-auto flex w-fit gap-2">
        {["ghcr", "dockerhub", "ecr", "gar", "harbor", "custom"].map((t) => (
          <RegistryIcon key={t} type={t} className="h-8 w-8" />
        ))}
      </div>
      <h2 className="mt-5 text-base font-semibold">No container registries yet</h2>
      <p className="mx-auto mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">
        A registry entry holds the credentials for one private container registry, such as GitHub Container Registry, Docker Hub, Amazon ECR or your own
        Harbor. Berth encrypts them, tests that they sign in, and hands deploy agents and CI jobs a ready pull secret for the images they need.
      </p>
      <div className="mt-6 flex justify-center">
        {canWrite ? addButton : <p className="text-sm text-zinc-500 dark:text-zinc-400">An owner or admin can add the first one.</p>}
      </div>
    </Card>
  );
}
