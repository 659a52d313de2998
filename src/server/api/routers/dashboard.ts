import { z } from 'zod';
import { loadRecentRequests } from '../../dashboard/queries';
import { findStore } from '../../accounts/queries/stores';
import type { Database } from '../../db/client';
import { notFound } from '../../domain/errors';
import { dashboardScope, getDashboard } from '../../dashboard/service';
import { createTRPCRouter, roleProcedure } from '../trpc';
import { id, pageInput } from '../validators';

const dashboardProcedure = roleProcedure('manager', 'admin', 'clerk');
const scopeInput = z.strictObject({ storeId: id.nullish() });

/** The summary's cache key already proves the store (entries are only built for stores of the org); these check. */
async function storeScope(db: Database, principal: Parameters<typeof dashboardScope>[0], storeId: string | null | undefined) {
  const scope = dashboardScope(principal, storeId);
  if (scope && !(await findStore(db, principal.orgId, scope))) throw notFound('Store');
  return scope;
}

export const dashboardRouter = createTRPCRouter({
  /** Everything the dashboard shows, from cache (stale-while-revalidate, 60 s) or one SQL statement. */
  summary: dashboardProcedure.input(scopeInput.optional()).query(({ ctx, input }) => getDashboard(ctx.services, ctx.principal, input?.storeId)),

  /** Further pages of the recent requests, with store, creator, items, products and buyers: one statement per page. */
  recent: dashboardProcedure.input(z.strictObject({ ...pageInput, storeId: id.nullish() })).query(async ({ ctx, input }) => {
    const storeId = await storeScope(ctx.services.db, ctx.principal, input.storeId);
    return loadRecentRequests(ctx.services.db, ctx.orgId, { storeIds: storeId ? [storeId] : null, cursor: input.cursor, limit: input.limit });
  }),

  /** One SSE stream per open dashboard: an event whenever something it shows changed; the screen then refetches. */
  live: dashboardProcedure.input(scopeInput.optional()).subscription(async ({ ctx, input, signal }) => {
    // Checked before the stream starts, so a refusal is an ordinary error with its code.
    const storeId = await storeScope(ctx.services.db, ctx.principal, input?.storeId);
    const events = ctx.services.live.events(ctx.orgId, signal ?? new AbortController().signal);
    return (async function* () {
      for await (const event of events) if (!storeId || !event.storeId || event.storeId === storeId) yield event;
    })();
  }),
});
