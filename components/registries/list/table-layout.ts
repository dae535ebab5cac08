/**
 * The registries table's grid. On wide screens the table is one CSS grid and every row a subgrid
 * of it, so the columns line up across the header, the rows and their skeletons (nothing moves
 * when data arrives). Columns: name (and creator), type, host, active, health, last test, actions. On
 * narrow screens a row is a card.
 */
export const TABLE_GRID = "lg:grid lg:grid-cols-[minmax(7rem,1.3fr)_minmax(6rem,8.5rem)_minmax(6rem,1.2fr)_auto_minmax(5.5rem,auto)_minmax(6rem,auto)_auto] lg:gap-x-4";
export const ROWGROUP = "lg:col-span-full lg:grid lg:grid-cols-subgrid";
export const ROW_GRID = "grid items-center gap-x-3 max-lg:grid-cols-[minmax(0,1fr)_auto] max-lg:gap-y-2 lg:col-span-full lg:grid-cols-subgrid lg:gap-x-4";
