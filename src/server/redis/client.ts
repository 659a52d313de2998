import { Redis } from '@upstash/redis';
import { Redis as IORedis, type RedisOptions } from 'ioredis';
import type { Logger } from '~/server/logger';
import { createIoRedisRequester } from './ioredis-requester';
import { createOutageTracker } from './outage';
import { withTimeout } from './with-timeout';

export type RedisLayer = {
  redis: Redis | null;
  kind: 'upstash' | 'ioredis' | 'none';
  ping(timeoutMs?: number): Promise<{ ok: boolean; latencyMs: number; error?: string }>;
  close(): Promise<void>;
};

export type RedisLayerOptions = {
  redisUrl?: string;
  upstashUrl?: string;
  upstashToken?: string;
  commandTimeoutMs: number;
  logger: Logger;
};

/**
 * The one command client for cache, session cache and rate limits. Upstash REST wins when configured (REDIS_URL
 * is then only for queues and pub/sub); every command is bounded by `commandTimeoutMs` in both transports.
 */
export function createRedisLayer(opts: RedisLayerOptions): RedisLayer {
  if (opts.upstashUrl && opts.upstashToken) {
    const redis = new Redis({
      url: opts.upstashUrl,
      token: opts.upstashToken,
      // 0 retries means one attempt; `retry: false` would still make two.
      retry: { retries: 0 },
      // A function gives each request a fresh signal; a plain AbortSignal makes an aborted request resolve as a fake success.
      signal: () => AbortSignal.timeout(opts.commandTimeoutMs),
      enableTelemetry: false,
      enableAutoPipelining: false,
    });
    return { redis, kind: 'upstash', ping: pinger(redis, opts.commandTimeoutMs), close: async () => {} };
  }

  if (opts.redisUrl) {
    const client = createIoRedisCommandClient(opts.redisUrl, opts);
    const redis = new Redis(createIoRedisRequester(client));
    return {
      redis,
      kind: 'ioredis',
      ping: pinger(redis, opts.commandTimeoutMs),
      close: () => closeIoRedis(client),
    };
  }

  return {
    redis: null,
    kind: 'none',
    ping: async () => ({ ok: false, latencyMs: 0, error: 'Redis is not configured' }),
    close: async () => {},
  };
}

/** Connections outside the command client: a pub/sub subscriber, BullMQ producers, BullMQ workers (blocking commands). */
export function createIoRedisConnection(
  url: string,
  opts: { purpose: 'subscriber' | 'bullmq' | 'bullmq-worker'; logger?: Logger } = { purpose: 'subscriber' },
): IORedis {
  const byPurpose: Record<typeof opts.purpose, RedisOptions> = {
    // Subscribes wait for the connection and are replayed after a reconnect (ioredis autoResubscribe).
    subscriber: { maxRetriesPerRequest: null },
    // Producers called from a request fail fast while Redis is down instead of holding the request.
    bullmq: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
    // BullMQ requires it for blocking connections: a blocking command must wait out a reconnect, not fail.
    'bullmq-worker': { maxRetriesPerRequest: null },
  };
  const client = new IORedis(url, {
    ...byPurpose[opts.purpose],
    connectionName: `myinventory:${opts.purpose}`,
    retryStrategy: reconnectDelay,
  });
  watchConnection(client, opts.logger, `redis ${opts.purpose} connection`);
  return client;
}

function createIoRedisCommandClient(url: string, opts: { commandTimeoutMs: number; logger: Logger }): IORedis {
  const client = new IORedis(url, {
    commandTimeout: opts.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(1_000, opts.commandTimeoutMs * 4),
    connectionName: 'myinventory:commands',
    retryStrategy: reconnectDelay,
    // Commands issued in the same tick (many requests' session, rate-limit and cache lookups under load) go out in
    // one socket write instead of one each: the write syscalls were a cached read's largest cost (issue 23). ioredis
    // runs one such batch at a time and a command's timeout starts when its batch is sent, so a command can wait up
    // to about twice `commandTimeout` before it fails (the previous batch's, then its own).
    enableAutoPipelining: true,
  });
  watchConnection(client, opts.logger, 'redis command connection');
  return client;
}

function reconnectDelay(attempt: number): number {
  return Math.min(100 * attempt, 2_000);
}

/** Without an 'error' listener ioredis prints every failed reconnect to the console. */
function watchConnection(client: IORedis, logger: Logger | undefined, component: string): void {
  const outage = logger ? createOutageTracker(logger, component) : undefined;
  client.on('error', (error: unknown) => outage?.failed(error));
  client.on('ready', () => outage?.succeeded());
}

function pinger(redis: Redis, defaultTimeoutMs: number): RedisLayer['ping'] {
  return async (timeoutMs = defaultTimeoutMs) => {
    const started = performance.now();
    const latencyMs = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      await withTimeout(redis.ping(), timeoutMs);
      return { ok: true, latencyMs: latencyMs() };
    } catch (error) {
      return { ok: false, latencyMs: latencyMs(), error: error instanceof Error ? error.message : String(error) };
    }
  };
}

async function closeIoRedis(client: IORedis): Promise<void> {
  if (client.status === 'end') return;
  try {
    await withTimeout(client.quit(), 1_000);
  } catch {
    client.disconnect();
  }
}
