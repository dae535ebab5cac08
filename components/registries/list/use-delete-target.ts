"use client";

import { useRef, useState } from "react";
import type { RegistryDto } from "@/lib/registries/dto";

/**
 * Which registry the delete dialog asks about, and where focus goes once it is gone: to the row
 * that took its place, else the row before, else `fallback` (the list's heading).
 */
export function useDeleteTarget(fallback: React.RefObject<HTMLElement | null>) {
  const [target, setTarget] = useState<RegistryDto | null>(null);
  const index = useRef(0);
  return {
    target,
    ask: (row: RegistryDto, rowIndex: number) => {
      index.current = rowIndex;
      setTarget(row);
    },
    close: () => setTarget(null),
    focusAfterDelete: () => {
      const links = document.querySelectorAll<HTMLElement>('[data-testid="registry-row"] [role="cell"]:first-child a');
      return links[index.current] ?? links[index.current - 1] ?? fallback.current;
    },
  };
}
