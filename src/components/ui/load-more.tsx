'use client';

import { ErrorAlert } from './feedback';

type InfiniteLike = {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  error: { message: string; data?: unknown } | null;
  fetchNextPage: () => unknown;
};

/** Cursor pagination: one more page per press, never an offset. */
export function LoadMore({ query, shown }: { query: InfiniteLike; shown: number }) {
  return (
    <div className="load-more">
      <p className="muted" role="status">
        {shown === 1 ? '1 registro exibido' : `${shown} registros exibidos`}
        {query.hasNextPage ? '' : shown > 0 ? ' · fim da lista' : ''}
      </p>
      {query.isFetchNextPageError ? <ErrorAlert error={query.error} title="Não foi possível carregar mais" /> : null}
      {query.hasNextPage ? (
        <button type="button" className="btn btn-secondary" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          {query.isFetchingNextPage ? 'Carregando…' : 'Carregar mais'}
        </button>
      ) : null}
    </div>
  );
}
