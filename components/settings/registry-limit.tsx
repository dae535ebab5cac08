"use client";

import { useId, useState } from "react";
import { Badge } from "@/components/ui/card";
import { Input } from "@/components/ui/input";

/** What the picker and the chips show of a registry (no credentials). */
export interface RegistryOption {
  id: string;
  name: string;
  url: string;
  isActive: boolean;
}

/**
 * "Limit to registries": an optional, searchable list of the company's registries with a checkbox
 * each (native checkboxes: Tab and Space work). Nothing chosen means every registry.
 */
export function RegistryLimitPicker({
  registries,
  value,
  onChange,
  error,
}: {
  registries: readonly RegistryOption[];
  value: readonly string[];
  onChange: (ids: string[]) => void;
  error?: string;
}) {
  const [query, setQuery] = useState("");
  const ids = { search: useId(), list: useId(), hint: useId() };
  const q = query.trim().toLowerCase();
  const shown = q ? registries.filter((r) => r.name.toLowerCase().includes(q) || r.url.toLowerCase().includes(q)) : registries;
  const chosen = new Set(value);
  const toggle = (id: string, on: boolean) => onChange(on ? [...value, id] : value.filter((v) => v !== id));
  return (
    <fieldset className="space-y-2" aria-describedby={ids.hint}>
      <legend className="text-sm font-medium">Limit to registries</legend>
      <p id={ids.hint} className="text-xs text-zinc-500 dark:text-zinc-400">
        Optional. A limited token sees, resolves and fetches only the chosen registries, and cannot create registries. None chosen: all registries.
      </p>
      {registries.length === 0 ? (
        <p className="text-xs text-zinc-500">No registries yet: the token covers every registry added later.</p>
      ) : (
        <>
          <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
            <label htmlFor={ids.search} className="sr-only">
              Search registries
            </label>
            <Input id={ids.search} type="search" placeholder="Search registries" value={query} onChange={(e) => setQuery(e.target.value)} aria-controls={ids.list} className="sm:max-w-xs" />
            <span className="whitespace-nowrap text-xs text-zinc-500" aria-live="polite">
              {value.length === 0 ? "All registries" : `${value.length} chosen`}
            </span>
            {value.length > 0 ? (
              <button type="button" className="text-xs font-medium text-zinc-700 underline underline-offset-2 dark:text-zinc-300" onClick={() => onChange([])}>
                Clear
              </button>
            ) : null}
          </div>
          <ul id={ids.list} className="max-h-48 space-y-1 overflow-y-auto rounded-md p-1 ring-1 ring-zinc-200 dark:ring-zinc-800" aria-label="Registries">
            {shown.length === 0 ? <li className="p-2 text-xs text-zinc-500">No registry matches “{query.trim()}”.</li> : null}
            {shown.map((r) => (
              <li key={r.id}>
                <label className="flex cursor-pointer items-start gap-2 rounded p-1.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-900">
                  <input type="checkbox" className="mt-0.5 h-4 w-4 shrink-0" checked={chosen.has(r.id)} onChange={(e) => toggle(r.id, e.target.checked)} />
                  <span className="min-w-0">
                    <span className="block font-medium break-words">
                      {r.name}
                      {r.isActive ? null : <span className="ml-1 text-xs font-normal text-zinc-500">(inactive)</span>}
                    </span>
                    <span className="block text-xs break-all text-zinc-500">{r.url}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </>
      )}
      {error ? <p className="text-xs font-medium text-red-600 dark:text-red-400">{error}</p> : null}
    </fieldset>
  );
}

/** How many names the chips show before "+N more". */
const CHIPS_SHOWN = 3;

/** A token's limit: "All registries", or the registries' names (a deleted one as such), then "+N more". */
export function RegistryLimitChips({ registryIds, names }: { registryIds: readonly string[] | null; names: Readonly<Record<string, string>> }) {
  if (!registryIds || registryIds.length === 0) return <span className="text-xs text-zinc-500">All registries</span>;
  const labels = registryIds.map((id) => names[id] ?? "a deleted registry");
  const more = labels.length - CHIPS_SHOWN;
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Limited to registries">
      {labels.slice(0, CHIPS_SHOWN).map((label, i) => (
        <li key={`${registryIds[i]}`}>
          <Badge tone="info">{label}</Badge>
        </li>
      ))}
      {more > 0 ? (
        <li>
          <span className="text-xs text-zinc-500" title={labels.slice(CHIPS_SHOWN).join(", ")}>
            +{more} more
          </span>
        </li>
      ) : null}
    </ul>
  );
}

/** The error of `registryIds` or of one of its entries, from an action's field errors. */
export function registryLimitError(fieldErrors: Record<string, string>): string | undefined {
  return Object.entries(fieldErrors).find(([k]) => k === "registryIds" || k.startsWith("registryIds."))?.[1];
}
