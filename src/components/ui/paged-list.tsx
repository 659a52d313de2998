'use client';

import type { ReactNode } from 'react';
import { EmptyState, ErrorAlert, Loading } from './feedback';
import { LoadMore } from './load-more';

type PagedQuery<T> = Parameters<typeof LoadMore>[0]['query'] & {
  isPending: boolean;
  fetchStatus: 'fetching' | 'paused' | 'idle';
  isError: boolean;
  data?: { pages: { items: T[] }[] };
  refetch: () => unknown;
};

/** Every row loaded so far from a `{ items, nextCursor }` infinite query, in order. */
export function pagedItems<T>(query: { data?: { pages: { items: T[] }[] } }): T[] {
  return query.data?.pages.flatMap((page) => page.items) ?? [];
}

type PagedListProps<T> = {
  query: PagedQuery<T>;
  loadingLabel: string;
  errorTitle: string;
  empty: ReactNode;
  /** The rows: rendered only once the first page has items, with "Carregar mais" under them. */
  children: ReactNode;
};

/**
 * A cursor-paged list in its four states. An error after the first page keeps the rows on screen (LoadMore
 * says what failed); only a list that never loaded shows the error with a retry.
 */
export function PagedList<T>({ query, loadingLabel, errorTitle, empty, children }: PagedListProps<T>) {
  const shown = pagedItems(query).length;
  // Offline before this list was ever loaded here: it waits for the connection, and says so.
  if (query.isPending && query.fetchStatus === 'paused') return <EmptyState>Sem conexão: esta lista ainda não foi aberta neste tablet. Ela aparece quando a conexão voltar.</EmptyState>;
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isError && !query.data) return <ErrorAlert error={query.error} title={errorTitle} onRetry={() => void query.refetch()} />;
  if (shown === 0) return <EmptyState>{empty}</EmptyState>;
  return (
    <>
      {children}
      <LoadMore query={query} shown={shown} />
    </>
  );
}
