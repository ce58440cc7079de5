import type { ReactNode } from 'react';
import { ErrorBox, Pager, useApi, usePoll } from './common';
import { setQuery, useLocation } from '../router';
import type { PageOf } from '../types';

export interface Column<T> {
  header: string;
  cell: (item: T) => ReactNode;
  className?: string;
}

/**
 * A cursor-paged list read from `path` (its filters included): the page's cursor lives in the URL (?cursor=), so a
 * refresh shows the same page; polled while `live(item)` holds for a row (validating, running).
 */
export function usePagedList<T>(path: string, live: (item: T) => boolean = () => false, pollMs = 1500) {
  const { query } = useLocation();
  const cursor = query.get('cursor');
  const sep = path.includes('?') ? '&' : '?';
  const list = useApi<PageOf<T>>(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
  usePoll(!!list.data?.items.some(live), list.reload, pollMs);
  return { ...list, cursor };
}

/** The table of a paged list with its load error and the pager. */
export function PagedTable<T extends { id: string }>({
  list,
  columns,
  rowTestId,
  selected,
}: {
  list: ReturnType<typeof usePagedList<T>>;
  columns: Column<T>[];
  rowTestId: string;
  selected?: string | null;
}) {
  return (
    <>
      <ErrorBox error={list.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              {columns.map((c, i) => (
                <th key={i}>{c.header}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((item) => (
              <tr key={item.id} data-testid={rowTestId} aria-selected={selected === undefined ? undefined : selected === item.id}>
                {columns.map((c, i) => (
                  <td key={i} className={c.className}>
                    {c.cell(item)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={list.data} cursor={list.cursor} onCursor={(c) => setQuery({ cursor: c })} />
    </>
  );
}
