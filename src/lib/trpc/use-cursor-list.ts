'use client';

import { keepPreviousData, useInfiniteQuery, type QueryKey } from '@tanstack/react-query';

/**
 * Cursor pagination ("Carregar mais") over a `{ items, nextCursor }` procedure.
 * Not tRPC's `useInfiniteQuery`: that one adds `direction` to the input, which our strict list inputs reject
 * with BAD_REQUEST. Pass `getQueryKey(api.x.list, input, 'infinite')` as the key so `utils.x.list.invalidate()` still
 * reaches these pages.
 */
export function useCursorList<TPage extends { nextCursor: string | null }>(queryKey: QueryKey, fetchPage: (cursor: string | null) => Promise<TPage>) {
  return useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // A new filter keeps the old rows on screen until the new ones arrive, instead of flashing a spinner.
    placeholderData: keepPreviousData,
  });
}
