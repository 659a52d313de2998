import type { SignedInContext } from '../domain/context';
import { outboxLag } from '../events/queries';
import { queueNames } from '../queues/definitions';
import { lastHour } from '../queues/metrics';

/**
 * Per queue: job counts and, for each whole minute of the last hour, completed and failed jobs (BullMQ metrics,
 * put on the minutes they belong to); the outbox lag.
 */
export async function queueStats(ctx: SignedInContext) {
  const { queues } = ctx.services;
  const perQueue = await Promise.all(
    Object.values(queueNames).map(async (name) => {
      const queue = queues.queue(name);
      try {
        const [counts, completed, failed] = await Promise.all([
          queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
          queue.getMetrics('completed', 0, 59).catch(() => null),
          queue.getMetrics('failed', 0, 59).catch(() => null),
        ]);
        return { name, available: true, counts, perMinute: lastHour(completed, failed, Date.now()) };
      } catch (error) {
        return { name, available: false, error: (error as Error).message, counts: null, perMinute: null };
      }
    }),
  );
  return { backend: queues.kind, queues: perQueue, outbox: await outboxLag(ctx.db) };
}

/** This process's cache counters (hit rates) and which backends it runs on. */
export function systemStats(ctx: SignedInContext) {
  const { cache, dashboardCache, redis, live, embeddedDatabase } = ctx.services;
  return {
    cache: { backend: cache.backend, available: cache.available, ...cache.stats() },
    dashboardCache: dashboardCache.stats(),
    redis: redis.kind,
    liveTransport: live.transport,
    embeddedDatabase,
    process: { pid: process.pid, uptimeSeconds: Math.round(process.uptime()), rssMb: Math.round(process.memoryUsage().rss / 1e6) },
  };
}
