import { z } from 'zod';
import { getDashboard, liveChanges, recentRequests } from '../../dashboard/service';
import { CACHED_READ, createTRPCRouter, roleProcedure } from '../trpc';
import { id, pageInput } from '../validators';

const dashboardProcedure = roleProcedure('manager', 'admin', 'clerk');
const scopeInput = z.strictObject({ storeId: id.nullish() });

export const dashboardRouter = createTRPCRouter({
  /** Everything the dashboard shows, from cache (stale-while-revalidate, 60 s) or one SQL statement. */
  summary: dashboardProcedure.meta(CACHED_READ).input(scopeInput.optional()).query(({ ctx, input }) => getDashboard(ctx.domain, input?.storeId)),

  /** Further pages of the recent requests, with store, creator, items, products and buyers: one statement per page. */
  recent: dashboardProcedure.input(z.strictObject({ ...pageInput, storeId: id.nullish() })).query(({ ctx, input }) => recentRequests(ctx.domain, input)),

  /** One SSE stream per open dashboard: an event whenever something it shows changed; the screen then refetches. */
  live: dashboardProcedure
    .input(scopeInput.optional())
    .subscription(({ ctx, input, signal }) => liveChanges(ctx.domain, input?.storeId, signal ?? new AbortController().signal)),
});
