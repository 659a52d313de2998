import { outboxLag } from '../events/queries';
import { queueNames } from '../queues/definitions';
import type { Services } from '../services';
import { countUnresolvedDeadLetters, listHeartbeats } from './queries';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

const watched = new WeakSet<object>();

/**
 * Where this process's scrape-time gauges read from: the pool, the queues, the outbox, dead letters, heartbeats.
 * Set at the first scrape (the metrics routes), once per process's services.
 */
export function watchSources(services: Services) {
  if (watched.has(services.metrics)) return;
  watched.add(services.metrics);
  services.metrics.watch({
    dbPool: services.poolUsage,
    queueJobs: async () => {
      const perQueue = await Promise.all(
        Object.values(queueNames).map(async (queue) => {
          const counts = await services.queues.queue(queue).getJobCounts(...QUEUE_STATES);
          return QUEUE_STATES.map((state) => ({ queue, state, count: counts[state] ?? 0 }));
        }),
      );
      return perQueue.flat();
    },
    outboxLagSeconds: async () => (await outboxLag(services.db)).oldestSeconds ?? 0,
    unresolvedDeadLetters: async () => (await countUnresolvedDeadLetters(services.db)).unresolved,
    breakers: () => services.integrations.statuses(),
    redisUp: () => (services.redis.kind === 'none' ? null : services.cache.available ? 1 : 0),
    workersAlive: async () => {
      const staleAfter = services.env.HEARTBEAT_STALE_MS / 1000;
      return (await listHeartbeats(services.db)).filter((h) => h.role === 'workers' && !h.stoppedAt && h.ageSeconds <= staleAfter).length;
    },
  });
}
