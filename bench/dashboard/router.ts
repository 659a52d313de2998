import { appRouter } from '~/server/api/root';
import { createTRPCRouter, mergeRouters, roleProcedure } from '~/server/api/trpc';
import { buildDashboard, outdateDashboards, type DashboardSummary } from '~/server/dashboard/service';
import type { Services } from '~/server/services';
import { naiveDashboard } from './naive';

/**
 * Benchmark-only procedures, merged into the app's router by bench/serve-api.ts (never by the app):
 * the N+1 baseline, the optimized path with the cache bypassed, a precomputed payload from memory behind the
 * same middleware chain (the ceiling of our HTTP + tRPC stack), the server's cache counters, and a way to outdate the
 * dashboard's entries.
 */
export function createBenchRouter(services: Services) {
  const manager = roleProcedure('manager', 'admin');
  let ceilingPayload: DashboardSummary | undefined;
  const bench = createTRPCRouter({
    naive: manager.query(({ ctx }) => naiveDashboard(ctx.services.sql, ctx.principal.orgId)),
    miss: manager.query(({ ctx }) => buildDashboard(ctx.services.db, ctx.principal.orgId, null)),
    ceiling: manager.query(async ({ ctx }) => (ceilingPayload ??= await buildDashboard(ctx.services.db, ctx.principal.orgId, null))),
    stats: manager.query(() => ({ dashboard: services.dashboardCache.stats(), cache: services.cache.stats() })),
    /** Outdates the org's dashboard entries, as a change would: the next read rebuilds (a fresh 60 s starts then). */
    outdate: manager.mutation(async ({ ctx }) => {
      await outdateDashboards(services, ctx.principal.orgId, null);
      return { ok: true };
    }),
    resetStats: manager.mutation(() => {
      services.dashboardCache.resetStats();
      services.cache.resetStats();
      return { ok: true };
    }),
  });
  return mergeRouters(appRouter, createTRPCRouter({ bench }));
}
