"use client";

import { createContext, useContext, useMemo, type ReactNode } from "react";
import type { RegistryTypeSummary } from "@/lib/registries/types";

/**
 * The registry types' keys, labels and icon ids, handed down by the server page: the list needs
 * nothing else of the type modules, so their fields, help and rules stay out of its bundle.
 */
const TypesContext = createContext<readonly RegistryTypeSummary[]>([]);

export function RegistryTypesProvider({ types, children }: { types: readonly RegistryTypeSummary[]; children: ReactNode }) {
  return <TypesContext.Provider value={types}>{children}</TypesContext.Provider>;
}

export function useRegistryTypes() {
  const types = useContext(TypesContext);
  return useMemo(() => {
    const byKey = new Map<string, RegistryTypeSummary>(types.map((t) => [t.key, t]));
    return { list: types, of: (key: string) => byKey.get(key) };
  }, [types]);
}
