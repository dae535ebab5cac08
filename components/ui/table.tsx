import type { ComponentProps } from "react";

/**
 * Table primitives, in two families that look alike:
 *
 * - `Table`, `TableHeader`, `TableBody`, `TableRow`, `TableHead`, `TableCell`: a native <table>,
 *   for tables that stay tables at every width (narrow screens hide columns).
 * - `GridTable`, `GridRowGroup`, `GridRow`, `GridColumnHeader`, `GridCell`: <div>s carrying the
 *   table roles (role="table", "rowgroup", "row", "columnheader", "cell"), for tables laid out with
 *   CSS grid whose rows turn into cards on narrow screens. Changing the display of native table
 *   elements drops their table semantics in some browsers; explicit roles on divs keep them.
 *   (These are static tables: role="table", not the interactive role="grid".)
 */

/** Column headings: small, upper-case, muted. */
const HEADING_TEXT = "text-xs tracking-wide text-zinc-500 uppercase";
/** Rows of a body are separated by a hairline. */
const BODY_DIVIDERS = "divide-y divide-zinc-100 dark:divide-zinc-800";

/** A native table; `caption` names it for assistive technology (visually hidden). */
export function Table({ caption, className = "", children, ...props }: ComponentProps<"table"> & { caption?: string }) {
  return (
    <table className={`w-full text-sm ${className}`} {...props}>
      {caption ? <caption className="sr-only">{caption}</caption> : null}
      {children}
    </table>
  );
}

export function TableHeader({ className = "", ...props }: ComponentProps<"thead">) {
  return <thead className={`text-left ${HEADING_TEXT} ${className}`} {...props} />;
}

export function TableBody({ className = "", ...props }: ComponentProps<"tbody">) {
  return <tbody className={`${BODY_DIVIDERS} ${className}`} {...props} />;
}

export function TableRow(props: ComponentProps<"tr">) {
  return <tr {...props} />;
}

/** A column heading (scope="col"). */
export function TableHead({ className = "", ...props }: ComponentProps<"th">) {
  return <th scope="col" className={`px-4 py-2 font-medium ${className}`} {...props} />;
}

export function TableCell({ className = "", ...props }: ComponentProps<"td">) {
  return <td className={`px-4 py-2 ${className}`} {...props} />;
}

/** The root of a grid-laid-out table; name it with `aria-label`. */
export function GridTable(props: ComponentProps<"div">) {
  return <div role="table" {...props} />;
}

/** A group of rows; `body` adds the hairlines between rows. */
export function GridRowGroup({ body, className = "", ...props }: ComponentProps<"div"> & { body?: boolean }) {
  return <div role="rowgroup" className={`${body ? BODY_DIVIDERS : ""} ${className}`} {...props} />;
}

/** A row; `header` styles it as the row of column headings. */
export function GridRow({ header, className = "", ...props }: ComponentProps<"div"> & { header?: boolean }) {
  const headerClass = header ? `border-b border-zinc-200 px-4 py-2 font-medium ${HEADING_TEXT} dark:border-zinc-800 dark:text-zinc-400` : "";
  return <div role="row" className={`${headerClass} ${className}`} {...props} />;
}

export function GridColumnHeader(props: ComponentProps<"span">) {
  return <span role="columnheader" {...props} />;
}

export function GridCell(props: ComponentProps<"div">) {
  return <div role="cell" {...props} />;
}
