import { Button } from "@/components/ui/button";
import { SearchIcon } from "@/components/ui/icons";
import { Input, Select } from "@/components/ui/input";
import { HEALTH_STATUSES } from "@/lib/health/health";
import { HEALTH_LABELS } from "../health-badge";
import { useRegistryTypes } from "../type-summaries";

/** The bar above the list: filter by name, type and health, Clear filters, and the add button at the end. */
export function RegistryFilters({
  nameInput,
  onNameInput,
  type,
  onType,
  health,
  onHealth,
  onClear,
  action,
}: {
  nameInput: string;
  onNameInput: (value: string) => void;
  type: string;
  onType: (value: string) => void;
  health: string;
  onHealth: (value: string) => void;
  /** Offered while a filter is set and something matches. */
  onClear?: () => void;
  action: React.ReactNode;
}) {
  const types = useRegistryTypes().list;
  return (
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
          onChange={(e) => onNameInput(e.target.value)}
          placeholder="Filter by name"
          autoComplete="off"
          className="pl-8"
        />
      </div>
      <div className="flex items-center gap-2">
        <label htmlFor="registry-filter-type" className="sr-only">
          Filter by type
        </label>
        <Select id="registry-filter-type" value={type} onChange={(e) => onType(e.target.value)} className="min-w-0 sm:w-56">
          <option value="">All types</option>
          {types.map((t) => (
            <option key={t.key} value={t.key}>
              {t.label}
            </option>
          ))}
        </Select>
        <label htmlFor="registry-filter-health" className="sr-only">
          Filter by health
        </label>
        <Select id="registry-filter-health" value={health} onChange={(e) => onHealth(e.target.value)} className="min-w-0 sm:w-40">
          <option value="">Any health</option>
          {HEALTH_STATUSES.map((s) => (
            <option key={s} value={s}>
              {HEALTH_LABELS[s]}
            </option>
          ))}
        </Select>
        {onClear ? (
          <Button variant="ghost" onClick={onClear} className="shrink-0 whitespace-nowrap">
            Clear filters
          </Button>
        ) : null}
      </div>
      <div className="sm:ml-auto">{action}</div>
    </div>
  );
}
