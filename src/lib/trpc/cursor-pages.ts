import { keepPreviousData } from '@tanstack/react-query';

/**
 * Options for `api.x.list.useInfiniteQuery(input, cursorPages)` over a `{ items, nextCursor }` procedure:
 * "Carregar mais" asks for the page after the last one, never an offset. A new filter keeps the old rows on
 * screen until the new ones arrive, instead of flashing a spinner.
 */
export const cursorPages = {
  getNextPageParam: (page: { nextCursor: string | null }) => page.nextCursor ?? undefined,
  placeholderData: keepPreviousData,
};
