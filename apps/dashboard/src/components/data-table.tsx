import type { ReactNode } from "react";

/** A column heading; numeric columns are right-aligned by the `num` class. */
export type Column = string | { label: string; numeric: true };

/**
 * A `table.data` with one row of column headings and the rows given as children. Wide tables
 * scroll sideways inside their own box (`scroll`) rather than widen the page. The caption names
 * the table for screen readers; `captionVisible` shows it to everyone.
 */
export function DataTable({
  className,
  caption,
  captionVisible = false,
  scroll = false,
  columns,
  headings,
  children,
}: {
  /** Extra classes after `data`, such as `drift-table` or `compact`. */
  className?: string;
  caption?: string;
  captionVisible?: boolean;
  scroll?: boolean;
  children: ReactNode;
} & (
  | { columns: readonly Column[]; headings?: never }
  /** Heading cells of the table's own, such as sortable ones. */
  | { headings: ReactNode; columns?: never }
)) {
  const table = (
    <table className={className === undefined ? "data" : `data ${className}`}>
      {caption === undefined ? null : (
        <caption className={captionVisible ? undefined : "visually-hidden"}>{caption}</caption>
      )}
      <thead>
        <tr>{columns === undefined ? headings : columns.map(renderHeading)}</tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return scroll ? <div className="table-scroll">{table}</div> : table;
}

function renderHeading(column: Column) {
  return typeof column === "string" ? (
    <th key={column} scope="col">
      {column}
    </th>
  ) : (
    <th key={column.label} scope="col" className="num">
      {column.label}
    </th>
  );
}
