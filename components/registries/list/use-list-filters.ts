"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useRegistryTypes } from "../type-summaries";
import type { ListFilters } from "../api";
import { HEALTH_STATUSES, type HealthStatus } from "@/lib/health/health";

const isHealthStatus = (v: string): v is HealthStatus => (HEALTH_STATUSES as readonly string[]).includes(v);

/**
 * The list's filters, kept in the URL (`?name=&type=&health=`) so a filtered list can be shared and
 * survives a reload. The URL is replaced, not pushed: filtering adds no history entries. The name
 * box follows typing after a short pause; an unknown type or health in the URL counts as "all".
 */
export function useListFilters() {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const type = searchParams.get("type") ?? "";
  const types = useRegistryTypes();
  const health = searchParams.get("health") ?? "";
  const filters: ListFilters = { name: searchParams.get("name")?.trim() ?? "", type: types.of(type) ? type : "", health: isHealthStatus(health) ? health : "" };
  const filtered = filters.name !== "" || filters.type !== "" || filters.health !== "";
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

  const latestSetFilter = useRef(setFilter);
  useEffect(() => {
    latestSetFilter.current = setFilter;
  });
  useEffect(() => {
    const timer = window.setTimeout(() => latestSetFilter.current({ name: nameInput.trim() }), 250);
    return () => window.clearTimeout(timer);
  }, [nameInput]);

  const clearFilters = () => {
    setNameInput("");
    setFilter({ name: "", type: "", health: "" });
  };

  return { filters, filtered, nameInput, setNameInput, setType: (value: string) => setFilter({ type: value }), setHealth: (value: string) => setFilter({ health: value }), clearFilters };
}
