import type { ReactNode } from 'react';

export type Column = string | { label: ReactNode; className?: string };

/** The last column's header: the row buttons need no visible title, a screen reader still gets one. */
export const actionsColumn: Column = { label: <span className="sr-only">Ações</span> };

/** The first column of a table whose rows are picked for a bulk action. */
export const selectColumn: Column = { label: <span className="sr-only">Selecionar</span>, className: 'select-col' };

type DataTableProps = {
  /** Read by screen readers only. */
  caption: string;
  columns: readonly Column[];
  className?: string;
  /** Set while a new filter's rows are on their way (the old ones stay on screen). */
  busy?: boolean;
  children: ReactNode;
};

/** A table on wide screens, a card per row on tablets; the explicit roles survive the CSS that makes the cards. */
export function DataTable({ caption, columns, className, busy, children }: DataTableProps) {
  return (
    <div className="table-wrap" aria-busy={busy}>
      <table className={className ? `data-table ${className}` : 'data-table'} role="table">
        <caption className="sr-only">{caption}</caption>
        <thead role="rowgroup">
          <tr role="row">
            {columns.map((column, index) => {
              const { label, className: columnClass } = typeof column === 'string' ? { label: column, className: undefined } : column;
              return (
                <th key={index} scope="col" role="columnheader" className={columnClass}>
                  {label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody role="rowgroup">{children}</tbody>
      </table>
    </div>
  );
}
