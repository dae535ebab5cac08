"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { setRegistryActiveAction } from "@/app/[company]/settings/registries/actions";
import { useToast } from "@/components/ui/toast";
import type { RegistryDto } from "@/lib/registries/dto";
import { registryKeys } from "../api";
import type { UpdateRows } from "./use-registry-pages";

/** Activate / deactivate a registry: optimistic, rolled back (with a toast) when the server refuses. */
export function useActiveToggle({ companyId, companySlug, updateRows }: { companyId: string; companySlug: string; updateRows: UpdateRows }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const toggle = useMutation({
    mutationFn: async ({ row, isActive }: { row: RegistryDto; isActive: boolean }) => {
      const result = await setRegistryActiveAction(companySlug, row.id, isActive);
      if (!result.ok) throw new Error(result.error);
      return result.data;
    },
    onMutate: async ({ row, isActive }) => {
      await queryClient.cancelQueries({ queryKey: registryKeys.all(companyId) });
      const snapshot = queryClient.getQueriesData({ queryKey: registryKeys.all(companyId) });
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

  return {
    setActive: (row: RegistryDto, isActive: boolean) => toggle.mutate({ row, isActive }),
    isPending: (row: RegistryDto) => toggle.isPending && toggle.variables?.row.id === row.id,
  };
}
