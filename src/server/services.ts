import postgres from 'postgres';
import type { PoolUsage } from './db/pool-usage';
import path from 'node:path';
import { createIntegrations } from './integrations/registry';
import type { Integrations } from './integrations/resilience';
import { createOpenFoodFacts, type OpenFoodFacts } from './integrations/openfoodfacts/client';
import { createScorer, type Scorer } from './integrations/openai/scorer';
import { type Annotator, createAnnotator } from './integrations/vision/annotator';
import { createFilesystemStore } from './storage/filesystem-store';
import { createS3Store } from './storage/s3-store';
import { createObjectStorage } from './storage/storage';
import type { ObjectStore } from './storage/store';
import type { Env } from '~/env';
import { createCache, type Cache } from './cache/cache';
import { createDatabase, type Database } from './db/client';
import type { Logger } from './logger';
import { createRateLimiter, type RateLimiter } from './ratelimit/ratelimit';
import { createSwrCache, type SwrCache } from './cache/swr-cache';
import { createLiveBus, type LiveBus } from './live/bus';
import { createQueueBackend, type QueueBackend } from './queues/backend';
import { createRedisLayer, type RedisLayer } from './redis/client';
import { cacheFamilyOf, createMetrics, type Metrics } from './metrics/metrics';
import { createFigureRecorder, createPostgresFigureStore, createRedisFigureStore, type FigureRecorder } from './metrics/figures';

/** Everything a request handler or worker needs, built once per process from configuration. */
export type Services = {
  env: Env;
  logger: Logger;
  db: Database;
  sql: ReturnType<typeof createDatabase>['sql'];
  /**
   * Where LISTEN connections go (the outbox relay's wake-ups, the live bus without Redis): DATABASE_DIRECT_URL
   * when set — behind PgBouncer in transaction mode a LISTEN through it hears nothing — else `sql`.
   */
  listenSql: ReturnType<typeof createDatabase>['sql'];
  redis: RedisLayer;
  cache: Cache;
  rateLimiter: RateLimiter;
  /** Stale-while-revalidate cache of the dashboard's aggregates. */
  dashboardCache: SwrCache;
  /** Live events to open screens (Redis pub/sub, or PostgreSQL LISTEN/NOTIFY without Redis). */
  live: LiveBus;
  /** BullMQ queues (producer side): Redis when configured, BullMQ's PostgreSQL backend otherwise. */
  queues: QueueBackend;
  /** Whether PostgreSQL is the embedded one (workers then run in this process). */
  embeddedDatabase: boolean;
  /** The external services configured here, each behind its timeout, retry, circuit breaker and bulkhead. */
  integrations: Integrations;
  /** Photos and files: DATA_DIR/objects or the S3 bucket, through the storage policy. */
  storage: ObjectStore;
  /** Open Food Facts by EAN (null: OPENFOODFACTS_URL empty). */
  openFoodFacts: OpenFoodFacts | null;
  /** OpenAI's photo scoring (null: no OPENAI_API_KEY). */
  scorer: Scorer | null;
  /** Google Vision's labels and text of compliance photos (null: no GOOGLE_APPLICATION_CREDENTIALS). */
  annotator: Annotator | null;
  /** What this process is: the app server or a worker process (metrics' `role`, heartbeats). */
  role: 'app' | 'workers';
  /** This process's Prometheus registry and instruments. */
  metrics: Metrics;
  /** The database pool's demand (connections in use, work waiting for one), for the metrics. */
  poolUsage: () => PoolUsage;
  /** The cluster's per-minute figures (latency, errors, cache hits), shared through Redis or PostgreSQL. */
  figures: FigureRecorder;
  close(): Promise<void>;
};

export function createServices(
  env: Env,
  opts: {
    logger: Logger;
    databaseUrl: string;
    embeddedDatabase?: boolean;
    applicationName?: string;
    role?: 'app' | 'workers';
    /** Count statements for `countQueries` (default: under test only; see createDatabase). */
    countQueries?: boolean;
  },
): Services {
  const { logger } = opts;
  const role = opts.role ?? 'app';
  const metrics = createMetrics({ role, version: env.APP_VERSION });
  const database = createDatabase({
    url: opts.databaseUrl,
    poolMax: env.DATABASE_POOL_MAX,
    prepare: env.DATABASE_PREPARE,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: opts.applicationName,
    countQueries: opts.countQueries ?? env.NODE_ENV === 'test',
  });
  const redis = createRedisLayer({
    redisUrl: env.REDIS_URL,
    upstashUrl: env.UPSTASH_REDIS_REST_URL,
    upstashToken: env.UPSTASH_REDIS_REST_TOKEN,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    logger: logger.child({ component: 'redis' }),
  });
  const figures = createFigureRecorder({
    store: redis.redis ? createRedisFigureStore(redis.redis, env.REDIS_KEY_PREFIX) : createPostgresFigureStore(database.db),
    logger: logger.child({ component: 'figures' }),
  });
  figures.start();
  const cache = createCache({
    redis: redis.redis,
    prefix: `${env.REDIS_KEY_PREFIX}cache:`,
    logger: logger.child({ component: 'cache' }),
    onLookup: (key, hit) => {
      metrics.cacheLookups.inc({ family: cacheFamilyOf(key), result: hit ? 'hit' : 'miss' });
      figures.cacheLookup(hit);
    },
  });
  const rateLimiter = createRateLimiter({
    redis: redis.redis,
    prefix: `${env.REDIS_KEY_PREFIX}ratelimit`,
    limits: {
      anon: { requests: env.RATE_LIMIT_ANON_PER_MINUTE, windowSeconds: 60 },
      user: { requests: env.RATE_LIMIT_USER_PER_MINUTE, windowSeconds: 60 },
      login: { requests: env.RATE_LIMIT_LOGIN_PER_MINUTE, windowSeconds: 60 },
    },
    logger: logger.child({ component: 'ratelimit' }),
    onDecision: ({ bucket, allowed, shared }) => metrics.rateLimitDecisions.inc({ bucket, decision: `${allowed ? 'allowed' : 'limited'}${shared ? '' : '_local'}` }),
  });
  const dashboardCache = createSwrCache({
    cache,
    freshSeconds: env.DASHBOARD_FRESH_SECONDS,
    staleSeconds: env.DASHBOARD_STALE_SECONDS,
    logger: logger.child({ component: 'dashboard-cache' }),
  });
  const listenSql = env.DATABASE_DIRECT_URL
    ? postgres(env.DATABASE_DIRECT_URL, { max: 1, idle_timeout: 0, connect_timeout: 5, onnotice: () => {}, connection: { application_name: `${opts.applicationName ?? 'myinventory'}-listen` } })
    : database.sql;
  const live = createLiveBus({ redisUrl: env.REDIS_URL, sql: listenSql, channelPrefix: env.REDIS_KEY_PREFIX, logger: logger.child({ component: 'live' }) });
  const queues = createQueueBackend({ redisUrl: env.REDIS_URL, databaseUrl: opts.databaseUrl, logger: logger.child({ component: 'queues' }), postgresPoolMax: env.QUEUE_PG_POOL_MAX, redisPrefix: `${env.REDIS_KEY_PREFIX}bull`,
    lockDurationMs: env.WORKER_LOCK_DURATION_MS,
  });
  const integrations = createIntegrations(env, logger.child({ component: 'integrations' }));
  const services: Services = {
    poolUsage: database.poolUsage,
    env,
    logger,
    queues,
    db: database.db,
    sql: database.sql,
    listenSql,
    redis,
    cache,
    rateLimiter,
    dashboardCache,
    live,
    embeddedDatabase: opts.embeddedDatabase ?? false,
    integrations,
    role,
    metrics,
    figures,
    storage: createObjectStorage(
      env.S3_BUCKET
        ? createS3Store({
            bucket: env.S3_BUCKET,
            endpoint: env.S3_ENDPOINT,
            region: env.S3_REGION,
            accessKeyId: env.S3_ACCESS_KEY_ID,
            secretAccessKey: env.S3_SECRET_ACCESS_KEY,
            forcePathStyle: env.S3_FORCE_PATH_STYLE,
          })
        : createFilesystemStore(path.resolve(env.DATA_DIR, 'objects')),
      integrations.get('storage'),
    ),
    openFoodFacts:
      env.OPENFOODFACTS_URL && integrations.get('openfoodfacts')
        ? createOpenFoodFacts({
            baseUrl: env.OPENFOODFACTS_URL,
            userAgent: env.OPENFOODFACTS_USER_AGENT,
            maxPerMinute: env.OPENFOODFACTS_MAX_PER_MINUTE,
            integration: integrations.get('openfoodfacts')!,
          })
        : null,
    scorer:
      env.OPENAI_API_KEY && integrations.get('openai')
        ? createScorer({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL, integration: integrations.get('openai')! })
        : null,
    annotator:
      env.GOOGLE_APPLICATION_CREDENTIALS && integrations.get('vision')
        ? createAnnotator({ keyFile: env.GOOGLE_APPLICATION_CREDENTIALS, endpoint: env.VISION_API_ENDPOINT, integration: integrations.get('vision')! })
        : null,
    async close() {
      await figures.stop();
      await queues.close();
      await live.close();
      await Promise.allSettled([database.close(), redis.close(), listenSql === database.sql ? undefined : listenSql.end({ timeout: 5 })]);
    },
  };
  return services;
}
