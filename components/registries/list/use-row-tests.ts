"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useToast } from "@/components/ui/toast";
import type { RegistryDto } from "@/lib/registries/dto";
import { registryKeys, testSavedRegistry } from "../api";
import { testResultToast } from "../test-status";
import type { UpdateRows } from "./use-registry-pages";

/** Re-tests a saved registry from its row: its badge shows progress, then the stored result; a toast says how it went. */
export function useRowTests({ companyId, updateRows }: { companyId: string; updateRows: UpdateRows }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [testing, setTesting] = useState<ReadonlySet<string>>(new Set());

  const runTest = async (row: RegistryDto) => {
    if (testing.has(row.id)) return;
    setTesting((s) => new Set(s).add(row.id));
    try {
      const result = await testSavedRegistry(companyId, row.id);
      const checkedAt = new Date().toISOString();
      updateRows((r) => (r.id === row.id ? { ...r, lastTest: { status: result.status, message: result.message, checkedAt } } : r));
      toast(testResultToast(row.name, result));
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

  return { runTest, isTesting: (row: RegistryDto) => testing.has(row.id) };
}
