import type { ReactNode } from 'react';
import type { Paged } from './hooks.js';
import { Loading, Pager } from './ui.js';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

/**
 * Every list of the dashboard: one page from the server at a time, with its
 * loading, empty and error states, a table that scrolls within itself in a
 * narrow window, and Previous/Next over the server's cursors when there is more than one page.
 */
export function PagedTable<T>({
  list,
  columns,
  rowKey,
  label,
  empty = 'Nothing here yet.',
  testId,
}: {
  list: Paged<T>;
  columns: Array<Column<T>>;
  rowKey: (row: T) => string;
  label: string;
  empty?: string;
  /** Names the table (and `${testId}-empty`, its empty state) for tests. */
  testId?: string;
}) {
  return (
    <Loading state={list}>
      {(page) =>
        page.data.length === 0 && list.paging.page === 1 ? (
          <p className="muted" data-testid={testId && `${testId}-empty`}>
            {empty}
          </p>
        ) : (
          <>
            <div className="scroll">
              <table aria-label={label} data-testid={testId}>
                <thead>
                  <tr>
                    {columns.map((c) => (
                      <th key={c.header} scope="col">
                        {c.header}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((row) => (
                    <tr key={rowKey(row)}>
                      {columns.map((c) => (
                        <td key={c.header}>{c.cell(row)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {list.paging.page > 1 || page.nextCursor ? (
              <Pager label={label} page={list.paging.page} nextCursor={page.nextCursor} onNext={list.paging.next} onPrevious={list.paging.previous} />
            ) : null}
          </>
        )
      }
    </Loading>
  );
}
