import { adminProcedure, createTRPCRouter } from '../../trpc';

export const adminSystemRouter = createTRPCRouter({
  /** This process's cache counters (hit rates) and which backends it runs on. */
  stats: adminProcedure.query(({ ctx }) => ({
    cache: { backend: ctx.services.cache.backend, available: ctx.services.cache.available, ...ctx.services.cache.stats() },
    dashboardCache: ctx.services.dashboardCache.stats(),
    redis: ctx.services.redis.kind,
    liveTransport: ctx.services.live.transport,
    embeddedDatabase: ctx.services.embeddedDatabase,
    process: { pid: process.pid, uptimeSeconds: Math.round(process.uptime()), rssMb: Math.round(process.memoryUsage().rss / 1e6) },
  })),
});
