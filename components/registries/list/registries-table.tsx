import { GridColumnHeader, GridRow, GridRowGroup, GridTable } from "@/components/ui/table";
import { RegistryRowsSkeleton } from "../list-skeleton";
import { ROWGROUP, ROW_GRID, TABLE_GRID } from "./table-layout";

/**
 * The registries table: one grid on wide screens (the column headings are visible there only),
 * a stack of cards on narrow ones. `children` are the rows; skeleton rows stand in while the
 * first page loads, and the rows dim while other filters load.
 */
export function RegistriesTable({ loading, busy, dimmed, children }: { loading: boolean; busy: boolean; dimmed: boolean; children: React.ReactNode }) {
  return (
    <GridTable aria-label="Container registries" aria-busy={busy || undefined} className={TABLE_GRID}>
      <GridRowGroup className={`max-lg:sr-only ${ROWGROUP}`}>
        <GridRow header className={ROW_GRID}>
          <GridColumnHeader>Name</GridColumnHeader>
          <GridColumnHeader>Type</GridColumnHeader>
          <GridColumnHeader>Host</GridColumnHeader>
          <GridColumnHeader>Active</GridColumnHeader>
          <GridColumnHeader>Health</GridColumnHeader>
          <GridColumnHeader>Last test</GridColumnHeader>
          <GridColumnHeader>
            <span className="sr-only">Actions</span>
          </GridColumnHeader>
        </GridRow>
      </GridRowGroup>
      <GridRowGroup body className={`transition-opacity ${ROWGROUP} ${dimmed ? "opacity-60" : ""}`}>
        {loading ? <RegistryRowsSkeleton rows={3} /> : children}
      </GridRowGroup>
    </GridTable>
  );
}
