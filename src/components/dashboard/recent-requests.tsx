'use client';

import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { ItemStatusBadge, RequestStatusBadge } from '../purchase-requests/status';
import { EmptyState } from '../ui/feedback';
import { formatDateTime, formatMoney, formatQuantity } from '../ui/format';
import { LoadMore } from '../ui/load-more';
import { RECENT_MORE_KEY } from './use-live-dashboard';
import styles from './dashboard.module.css';
import figures from '../ui/figures.module.css';

type RecentPage = RouterOutputs['dashboard']['summary']['recent'];

const PAGE_SIZE = 10;

/**
 * The summary brings the first page; "Carregar mais" continues from its cursor with `dashboard.recent`. When a
 * live update moves the first page (a new request on top), the extra pages are fetched again from the new
 * cursor, as many as were open, so no request falls between the two.
 */
export function RecentRequests({ storeId, first }: { storeId: string | null; first: RecentPage }) {
  const utils = api.useUtils();
  const anchor = first.nextCursor;
  const [wanted, setWanted] = useState(0);

  const more = useInfiniteQuery({
    queryKey: [...RECENT_MORE_KEY, storeId, anchor],
    queryFn: ({ pageParam }) => utils.client.dashboard.recent.query({ storeId, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: anchor,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled: wanted > 0 && anchor !== null,
    placeholderData: keepPreviousData,
  });

  const loadedPages = more.isPlaceholderData ? 0 : (more.data?.pages.length ?? 0);
  const { hasNextPage, isFetching, fetchNextPage } = more;
  useEffect(() => {
    if (loadedPages > 0 && loadedPages < wanted && hasNextPage && !isFetching) void fetchNextPage();
  }, [loadedPages, wanted, hasNextPage, isFetching, fetchNextPage]);

  const seen = new Set<string>();
  const requests = [...first.items, ...(wanted > 0 && anchor ? (more.data?.pages.flatMap((p) => p.items) ?? []) : [])].filter((r) =>
    seen.has(r.id) ? false : (seen.add(r.id), true),
  );

  const loadMore = {
    hasNextPage: wanted === 0 ? anchor !== null : isFetching || Boolean(hasNextPage) || more.isError,
    isFetchingNextPage: wanted > 0 && isFetching,
    isFetchNextPageError: more.isError,
    error: more.error,
    fetchNextPage: () => {
      if (more.isError) void more.refetch();
      else setWanted((w) => w + 1);
    },
  };

  if (requests.length === 0) return <EmptyState>Nenhuma solicitação enviada ainda.</EmptyState>;

  return (
    <>
      <ul className={styles.recentList}>
        {requests.map((r) => (
          <li key={r.id} className={styles.recentItem}>
            <details>
              <summary className={styles.recentSummary}>
                <span className={`${styles.recentId} mono`}>{r.number}</span>
                <span className={styles.recentStore}>{r.storeName}</span>
                <span className="recent-author muted">{r.createdByName}</span>
                <RequestStatusBadge status={r.status} />
                <span className="recent-count">{r.itemCount === 1 ? '1 item' : `${r.itemCount} itens`}</span>
                <span className={styles.recentTotal}>{formatMoney(r.totalValue)}</span>
                <span className={`${styles.recentTime} muted`}>{formatDateTime(r.submittedAt ?? r.createdAt)}</span>
              </summary>
              <div className={styles.recentBody}>
                <table className={figures.miniTable}>
                  <caption className="sr-only">Itens da solicitação {r.number}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Produto</th>
                      <th scope="col">Qtd.</th>
                      <th scope="col">Preço unit.</th>
                      <th scope="col">Decisão</th>
                      <th scope="col">Comprador</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.items.map((item) => (
                      <tr key={item.id}>
                        <th scope="row">
                          {item.productName} <span className="muted mono">{item.ean}</span>
                        </th>
                        <td>{formatQuantity(item.quantity)}</td>
                        <td>{formatMoney(item.unitPrice)}</td>
                        <td>
                          <ItemStatusBadge status={item.status} quantity={item.quantity} approvedQuantity={item.approvedQuantity} />
                        </td>
                        <td>{item.buyerName ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p>
                  <Link className="btn btn-secondary" href={`/purchase-requests/${r.id}`}>
                    Abrir a solicitação {r.number}
                  </Link>
                </p>
              </div>
            </details>
          </li>
        ))}
      </ul>
      <LoadMore query={loadMore} shown={requests.length} />
    </>
  );
}
