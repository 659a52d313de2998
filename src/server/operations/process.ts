import type { OperatorContext, SignedInContext } from '../domain/context';

/**
 * This process's figures, for the platform operator: cache counters (hit rates), the backends it runs on, its
 * memory and uptime. Shared by every org, so no org's admin sees them.
 */
export function processStats(ctx: OperatorContext) {
  const { cache, dashboardCache, redis, live, embeddedDatabase } = ctx.services;
  return {
    cache: { backend: cache.backend, available: cache.available, ...cache.stats() },
    dashboardCache: dashboardCache.stats(),
    redis: redis.kind,
    liveTransport: live.transport,
    embeddedDatabase,
    integrations: ctx.services.integrations.statuses(),
    process: { pid: process.pid, uptimeSeconds: Math.round(process.uptime()), rssMb: Math.round(process.memoryUsage().rss / 1e6) },
  };
}

/**
 * What an org's admin may know of the platform: whether the services its screens rely on work (the cache, and how
 * live updates reach open screens). No figure of the process: those count every org's work.
 */
export function serviceStatus(ctx: SignedInContext) {
  const { cache, live, integrations } = ctx.services;
  // The external services' state, not how often their breakers opened (every org's work drives that count).
  return {
    cache: { available: cache.available },
    liveTransport: live.transport,
    integrations: integrations.statuses().map(({ name, state, since, retryAt }) => ({ name, state, since, retryAt })),
  };
}
