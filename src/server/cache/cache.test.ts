import { randomUUID } from 'node:crypto';
import { Redis as IORedis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { env } from '~/env';
import { createRedisLayer, type RedisLayer } from '~/server/redis/client';
import { startRedisServer, type RedisServerHandle } from '../../../tests/helpers/redis-server';
import { createCache, type Cache } from './cache';

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function capturingLogger() {
  const lines: { level: number; msg: string; component?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

const filePrefix = `test:cache:${randomUUID()}:`;
let layer: RedisLayer;
let raw: IORedis;

beforeAll(() => {
  layer = createRedisLayer({ redisUrl: env.REDIS_URL, commandTimeoutMs: 1_000, logger: silent });
  raw = new IORedis(env.REDIS_URL!);
});

afterAll(async () => {
  const keys = await raw.keys(`${filePrefix}*`);
  if (keys.length > 0) await raw.del(...keys);
  await raw.quit();
  await layer.close();
});

describe.each(['redis', 'memory'] as const)('%s cache', (backend) => {
  let cache: Cache;
  let prefix: string;

  beforeAll(() => {
    prefix = `${filePrefix}${backend}:`;
    cache = createCache({ redis: backend === 'redis' ? layer.redis : null, prefix, logger: silent });
  });
  afterEach(() => cache.resetStats());

  it('reports its backend', () => {
    expect(cache.backend).toBe(backend);
  });

  it('misses, then hits with the value it stored, Dates and Maps included', async () => {
    expect(await cache.get('product:1')).toBeUndefined();
    const value = { name: 'Arroz 5kg', updatedAt: new Date('2025-01-02T03:04:05Z'), stock: new Map([['store-1', 4]]), note: null };
    await cache.set('product:1', value, { ttlSeconds: 60 });
    const cached = await cache.get<typeof value>('product:1');
    expect(cached).toEqual(value);
    expect(cached!.updatedAt).toBeInstanceOf(Date);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, errors: 0, sets: 1, hitRate: 0.5 });
  });

  it('forgets a value after its TTL', async () => {
    await cache.set('short-lived', 'soon gone', { ttlSeconds: 1 });
    expect(await cache.get('short-lived')).toBe('soon gone');
    await sleep(1_100);
    expect(await cache.get('short-lived')).toBeUndefined();
  });

  it('calls fetch once for 100 concurrent getOrSet on a cold key, then serves the cached value', async () => {
    let calls = 0;
    const fetch = async () => {
      calls += 1;
      await sleep(20);
      return { total: 42 };
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => cache.getOrSet('cold', fetch, { ttlSeconds: 60 })));
    expect(calls).toBe(1);
    expect(results.every((r) => r.total === 42)).toBe(true);
    expect(await cache.getOrSet('cold', fetch, { ttlSeconds: 60 })).toEqual({ total: 42 });
    expect(calls).toBe(1);
  });

  it('does not cache a failed fetch', async () => {
    await expect(cache.getOrSet('flaky', () => Promise.reject(new Error('db down')), { ttlSeconds: 60 })).rejects.toThrow('db down');
    expect(await cache.getOrSet('flaky', async () => 'recovered', { ttlSeconds: 60 })).toBe('recovered');
  });

  it('deletes keys', async () => {
    await cache.set('a', 1, { ttlSeconds: 60 });
    await cache.set('b', 2, { ttlSeconds: 60 });
    await cache.del('a', 'b', 'never-set');
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBeUndefined();
    expect(cache.stats().invalidations).toBe(1);
  });

  it('invalidates every key of a tag and leaves other tags alone', async () => {
    await cache.set('org1:products', ['p1'], { ttlSeconds: 60, tags: ['org:1'] });
    await cache.set('org1:stores', ['s1'], { ttlSeconds: 60, tags: ['org:1'] });
    await cache.set('org1-and-2:summary', 'both', { ttlSeconds: 60, tags: ['org:1', 'org:2'] });
    await cache.set('org2:products', ['p2'], { ttlSeconds: 60, tags: ['org:2'] });

    await cache.invalidateTags('org:1');

    expect(await cache.get('org1:products')).toBeUndefined();
    expect(await cache.get('org1:stores')).toBeUndefined();
    expect(await cache.get('org1-and-2:summary')).toBeUndefined();
    expect(await cache.get('org2:products')).toEqual(['p2']);
    await cache.set('org1:products', ['p1 again'], { ttlSeconds: 60, tags: ['org:1'] });
    expect(await cache.get('org1:products')).toEqual(['p1 again']);
  });
});

describe('redis cache layout', () => {
  const prefix = `${filePrefix}layout:`;
  let cache: Cache;
  beforeAll(() => {
    cache = createCache({ redis: layer.redis, prefix, logger: silent });
  });

  it('writes prefixed keys with a TTL and keeps each tag set at least as long as its values', async () => {
    await cache.set('k1', 'v', { ttlSeconds: 30, tags: ['t'] });
    await cache.set('k2', 'v', { ttlSeconds: 120, tags: ['t'] });
    await cache.set('k3', 'v', { ttlSeconds: 10, tags: ['t'] });
    expect(await raw.ttl(`${prefix}k2`)).toBeGreaterThan(100);
    expect(await raw.smembers(`${prefix}tag:t`)).toEqual(expect.arrayContaining([`${prefix}k1`, `${prefix}k2`, `${prefix}k3`]));
    expect(await raw.ttl(`${prefix}tag:t`)).toBeGreaterThanOrEqual(119);
  });

  it('drops members of expired values from a tag set as new values are tagged', async () => {
    for (let i = 0; i < 20; i++) await cache.set(`stale:${i}`, i, { ttlSeconds: 1, tags: ['busy'] });
    await sleep(1_100);
    for (let i = 0; i < 30; i++) await cache.set(`fresh:${i}`, i, { ttlSeconds: 60, tags: ['busy'] });
    expect(await raw.scard(`${prefix}tag:busy`)).toBeLessThan(45);
  });

  it('never lets another connection see a tag half invalidated', async () => {
    const keys = Array.from({ length: 3_000 }, (_, i) => `bulk:${i}`);
    const pipeline = raw.pipeline();
    for (const key of keys) pipeline.set(`${prefix}${key}`, '{"json":1}', 'EX', 60).sadd(`${prefix}tag:bulk`, `${prefix}${key}`);
    await pipeline.exec();

    const observer = new IORedis(env.REDIS_URL!);
    const seen: string[] = [];
    let done = false;
    const watching = (async () => {
      while (!done) {
        const replies = await observer.pipeline().exists(`${prefix}${keys[0]}`).exists(`${prefix}${keys.at(-1)}`).exec();
        seen.push(replies!.map(([, n]) => n).join(''));
      }
    })();
    await sleep(5);
    await cache.invalidateTags('bulk');
    await sleep(5);
    done = true;
    await watching;
    await observer.quit();

    expect(seen).toContain('00');
    expect(seen.filter((pair) => pair !== '11' && pair !== '00')).toEqual([]);
    expect(await raw.exists(`${prefix}tag:bulk`)).toBe(0);
  });
});

describe('memory cache limits', () => {
  it('evicts the least recently used entry beyond memoryMaxEntries', async () => {
    const cache = createCache({ redis: null, prefix: 'm:', logger: silent, memoryMaxEntries: 2 });
    await cache.set('a', 1, { ttlSeconds: 60 });
    await cache.set('b', 2, { ttlSeconds: 60 });
    await cache.get('a');
    await cache.set('c', 3, { ttlSeconds: 60 });
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('c')).toBe(3);
  });
});

describe('cache during a Redis outage (private redis-server)', () => {
  const commandTimeoutMs = 200;
  let server: RedisServerHandle;
  let privateLayer: RedisLayer;
  let cache: Cache;
  const { logger, lines } = capturingLogger();
  const cacheLogs = () => lines.filter((line) => line.component === 'cache');

  beforeAll(async () => {
    server = await startRedisServer();
    privateLayer = createRedisLayer({ redisUrl: server.url, commandTimeoutMs, logger });
    cache = createCache({ redis: privateLayer.redis, prefix: 'outage:', logger });
  });

  afterAll(async () => {
    await privateLayer.close();
    await server.kill();
  });

  it('misses fast, still serves fetched values, counts errors and logs once; then recovers by itself', async () => {
    await cache.set('k', 'cached', { ttlSeconds: 60 });
    expect(await cache.get('k')).toBe('cached');
    cache.resetStats();

    await server.stop();
    const started = performance.now();
    expect(await cache.get('k')).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(commandTimeoutMs + 300);
    expect(await cache.getOrSet('k', async () => 'from the database', { ttlSeconds: 60 })).toBe('from the database');
    await cache.set('other', 1, { ttlSeconds: 60 });
    await cache.invalidateTags('any');
    await cache.del('k');
    expect(cache.stats()).toMatchObject({ hits: 0, errors: 6, sets: 0 });
    expect(cacheLogs().map((line) => line.level)).toEqual([40]);
    expect((await privateLayer.ping()).ok).toBe(false);

    await server.start();
    await eventually(async () => {
      await cache.set('k', 'cached again', { ttlSeconds: 60 });
      return cache.get<string>('k');
    });
    expect(await cache.get('k')).toBe('cached again');
    expect(cacheLogs().map((line) => line.level)).toEqual([40, 30]);
    expect((await privateLayer.ping()).ok).toBe(true);
  });

  it('treats a paused (slow) Redis as a miss well under a second', async () => {
    await cache.set('slow', 'value', { ttlSeconds: 60 });
    const admin = new IORedis(server.url);
    await admin.call('CLIENT', 'PAUSE', '2000');
    try {
      const started = performance.now();
      expect(await cache.get('slow')).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(600);
    } finally {
      await sleep(2_100);
      await admin.quit();
    }
    expect(await cache.get('slow')).toBe('value');
  });

  it('starts while Redis is down and picks it up once it is back', async () => {
    await server.stop();
    const lateLayer = createRedisLayer({ redisUrl: server.url, commandTimeoutMs, logger: silent });
    const lateCache = createCache({ redis: lateLayer.redis, prefix: 'late:', logger: silent });
    try {
      const started = performance.now();
      expect(await lateCache.get('k')).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(commandTimeoutMs + 300);
      await server.start();
      await eventually(async () => {
        await lateCache.set('k', 'here', { ttlSeconds: 60 });
        return lateCache.get<string>('k');
      });
    } finally {
      await lateLayer.close();
    }
  });
});

describe('getMany and incr', () => {
  for (const backend of ['redis', 'memory'] as const) {
    it(`${backend}: reads several keys in one call and keeps counters as numbers`, async () => {
      const cache = createCache({ redis: backend === 'redis' ? layer.redis : null, prefix: `${filePrefix}many:${backend}:`, logger: silent });
      await cache.set('a', { n: 1 }, { ttlSeconds: 30 });
      expect(await cache.incr('gen', 30)).toBe(1);
      expect(await cache.incr('gen', 30)).toBe(2);
      expect(await cache.getMany<[{ n: number }, number, string]>(['a', 'gen', 'missing'])).toEqual([{ n: 1 }, 2, undefined]);
    });
  }
});
