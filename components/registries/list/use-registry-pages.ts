"use client";

import { keepPreviousData, useInfiniteQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useMemo } from "react";
import type { RegistryDto, RegistryPage } from "@/lib/registries/dto";
import { fetchRegistryPage, registryKeys, type ListFilters } from "../api";

type Pages = InfiniteData<RegistryPage, string | null>;

/** Changes (or, returning null, removes) rows in every cached page. */
export type UpdateRows = (fn: (row: RegistryDto) => RegistryDto | null) => void;

function mapRows(data: Pages | undefined, fn: (row: RegistryDto) => RegistryDto | null): Pages | undefined {
  if (!data) return data;
  return {
    ...data,
    pages: data.pages.map((page) => ({ ...page, items: page.items.map(fn).filter((row): row is RegistryDto => row !== null) })),
  };
}

/**
 * The registries matching the filters, as keyset pages over the API's cursor ("Load more"). The
 * first page comes from the server render when the filters are the ones it rendered; the previous
 * list stays on screen (dimmed by the caller) while a new filter loads. Rows are de-duplicated
 * across pages, since a row can move between pages while the list is read.
 */
export function useRegistryPages({
  companyId,
  filters,
  initial,
  serverNow,
}: {
  companyId: string;
  filters: ListFilters;
  initial: { filters: ListFilters; page: RegistryPage };
  serverNow: number;
}) {
  const queryClient = useQueryClient();
  const sameAsServer = filters.name === initial.filters.name && filters.type === initial.filters.type && filters.health === initial.filters.health;
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

  const updateRows: UpdateRows = (fn) => queryClient.setQueriesData<Pages>({ queryKey: registryKeys.all(companyId) }, (data) => mapRows(data, fn));

  return { query, rows, updateRows };
}
