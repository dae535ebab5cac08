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
        <FilterSelect id="registry-filter-type" label="Filter by type" value={type} onChange={onType} anyLabel="All types" options={types.map((t) => [t.key, t.label])} className="sm:w-56" />
        <FilterSelect id="registry-filter-health" label="Filter by health" value={health} onChange={onHealth} anyLabel="Any health" options={HEALTH_STATUSES.map((s) => [s, HEALTH_LABELS[s]])} className="sm:w-40" />
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

/** A labelled (for screen readers) select of one filter, with an "any" option first. */
function FilterSelect({ id, label, value, onChange, anyLabel, options, className }: { id: string; label: string; value: string; onChange: (value: string) => void; anyLabel: string; options: [string, string][]; className: string }) {
  return (
    <>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <Select id={id} value={value} onChange={(e) => onChange(e.target.value)} className={`min-w-0 ${className}`}>
        <option value="">{anyLabel}</option>
        {options.map(([key, text]) => (
          <option key={key} value={key}>
            {text}
          </option>
        ))}
      </Select>
    </>
  );
}
