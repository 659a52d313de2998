import { createPostgresBackend, MetricsTime, Queue, Worker, withBackend, type Processor } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import type { Redis as IORedis } from 'ioredis';
import type { Logger } from '../logger';
import { createIoRedisConnection } from '../redis/client';
import { tracingEnabled } from '../telemetry/spans';
import { queueNames, queueOptions, type QueueName } from './definitions';

/** pg's errors carry their whole client (config, type tables, socket state): log what a person can act on. */
const connectionError = (error: Error) => ({ type: error.name, message: error.message, code: (error as { code?: string }).code });

export type QueueBackendKind = 'redis' | 'postgres';
type AnyQueue = Queue;
type AnyWorker = Worker;

/**
 * One switch for BullMQ's store: Redis when REDIS_URL is set, BullMQ's PostgreSQL backend otherwise (the embedded
 * default). Producers and processors never know which.
 */
export function createQueueBackend(opts: { redisUrl?: string; databaseUrl: string; logger: Logger; postgresPoolMax?: number; redisPrefix?: string; lockDurationMs?: number }) {
  const kind: QueueBackendKind = opts.redisUrl ? 'redis' : 'postgres';
  const queues = new Map<QueueName, AnyQueue>();
  const workers: AnyWorker[] = [];
  const connections: IORedis[] = [];
  const pg = withBackend(createPostgresBackend);
  const pgConnection = { connectionString: opts.databaseUrl, migrate: true, max: opts.postgresPoolMax ?? 5 };
  // With tracing on, a job carries its producer's trace context and its processing is a span of that trace
  // (BullMQ's own telemetry, on both backends); the relay gives each event's job the trace of its outbox row.
  const telemetry = tracingEnabled() ? new BullMQOtel({ tracerName: 'bullmq' }) : undefined;

  const redisConnection = (purpose: 'bullmq' | 'bullmq-worker') => {
    const connection = createIoRedisConnection(opts.redisUrl!, { purpose, logger: opts.logger });
    connections.push(connection);
    return connection;
  };

  return {
    kind,
    queue(name: QueueName): AnyQueue {
      let queue = queues.get(name);
      if (!queue) {
        const defaultJobOptions = queueOptions[name].job;
        queue =
          kind === 'redis'
            ? new Queue(name, { connection: redisConnection('bullmq'), defaultJobOptions, prefix: opts.redisPrefix, telemetry })
            : addsOneByOne(new pg.Queue(name, { connection: pgConnection, defaultJobOptions, telemetry }) as unknown as AnyQueue);
        queue.on('error', (error) => opts.logger.warn({ err: connectionError(error), queue: name }, 'queue connection error'));
        queues.set(name, queue);
      }
      return queue;
    },
    worker(name: QueueName, processor: Processor, overrides: { concurrency?: number } = {}): AnyWorker {
      // Per-minute completed/failed counts for the last hour, for the admin's queue page.
      const metrics = { maxDataPoints: MetricsTime.ONE_HOUR };
      const lockDuration = opts.lockDurationMs ?? 30_000;
      const stalledInterval = Math.max(1000, Math.round(lockDuration / 2));
      const concurrency = overrides.concurrency ?? queueOptions[name].concurrency;
      const worker =
        kind === 'redis'
          ? new Worker(name, processor, { connection: redisConnection('bullmq-worker'), concurrency, autorun: false, prefix: opts.redisPrefix, metrics, lockDuration, stalledInterval, telemetry })
          : (new pg.Worker(name, processor, { connection: pgConnection, concurrency, autorun: false, metrics, lockDuration, stalledInterval, telemetry }) as unknown as AnyWorker);
      worker.on('error', (error) => opts.logger.warn({ err: connectionError(error), queue: name }, 'worker connection error'));
      workers.push(worker);
      return worker;
    },
    allQueues: () => Object.values(queueNames).map((name) => ({ name, queue: queues.get(name) ?? null })),
    async close() {
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await Promise.allSettled(connections.map((c) => c.quit()));
    },
  };
}
export type QueueBackend = ReturnType<typeof createQueueBackend>;

/** Above this many jobs, one addBulk costs PostgreSQL less than as many adds. */
const BULK_FROM = 32;

/**
 * On BullMQ's PostgreSQL backend, a small addBulk goes as one add per job. Its `add_jobs_bulk` function creates two
 * temporary tables per call (catalog rows written, then dropped at commit): for the one or two jobs the relay and
 * the push consumer add at a time, that cost PostgreSQL more CPU than anything else on the notification path
 * (pg_stat_activity samples of bench:queues). Every job here has its own id (`jobOf`), so a job added twice is one
 * job: a batch that fails halfway is added again whole by whoever retries it, as before.
 */
function addsOneByOne(queue: AnyQueue): AnyQueue {
  const addBulk = queue.addBulk.bind(queue);
  queue.addBulk = (jobs) => (jobs.length > BULK_FROM ? addBulk(jobs) : Promise.all(jobs.map((job) => queue.add(job.name, job.data, job.opts))));
  return queue;
}
