import { randomUUID } from 'node:crypto';
import { Redis as IORedis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '~/env';
import { createRedisLayer, type RedisLayer } from '~/server/redis/client';
import { awayFromMinuteEdge } from '../../../tests/helpers/clock';
import { startRedisServer, type RedisServerHandle } from '../../../tests/helpers/redis-server';
import { createInProcessLimiter } from './in-process';
import { createRateLimiter, type RateLimiter } from './ratelimit';

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const limits = {
  anon: { requests: 10, windowSeconds: 60 },
  user: { requests: 10, windowSeconds: 60 },
  login: { requests: 5, windowSeconds: 60 },
};


async function exhaust(limiter: RateLimiter, identifier: string, times: number) {
  const results = [];
  for (let i = 0; i < times; i++) results.push(await limiter.limit('login', identifier));
  return results;
}

const filePrefix = `test:ratelimit:${randomUUID()}:`;
let layer: RedisLayer;

beforeAll(() => {
  layer = createRedisLayer({ redisUrl: env.REDIS_URL, commandTimeoutMs: 1_000, logger: silent });
});

afterAll(async () => {
  const raw = new IORedis(env.REDIS_URL!);
  const keys = await raw.keys(`${filePrefix}*`);
  if (keys.length > 0) await raw.del(...keys);
  await raw.quit();
  await layer.close();
});

describe.each(['redis', 'in-process'] as const)('%s rate limiter', (mode) => {
  let limiter: RateLimiter;
  beforeAll(() => {
    limiter = createRateLimiter({ redis: mode === 'redis' ? layer.redis : null, prefix: `${filePrefix}${mode}:`, limits, logger: silent });
  });

  it('allows 5 logins a minute, then rejects with nothing remaining until a future reset', async () => {
    await awayFromMinuteEdge();
    const results = await exhaust(limiter, 'ip:10.0.0.1', 7);
    expect(results.map((r) => r.success)).toEqual([true, true, true, true, true, false, false]);
    expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
    expect(results.every((r) => r.limit === 5)).toBe(true);
    const rejected = results[5]!;
    expect(rejected.reset).toBeGreaterThan(Date.now());
    expect(rejected.reset).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('counts each identifier and each bucket separately', async () => {
    await exhaust(limiter, 'ip:10.0.0.2', 6);
    expect((await limiter.limit('login', 'ip:10.0.0.3')).success).toBe(true);
    expect(await limiter.limit('anon', 'ip:10.0.0.2')).toMatchObject({ success: true, limit: 10, remaining: 9 });
  });
});

describe('rate limiter during a Redis outage (private redis-server)', () => {
  const commandTimeoutMs = 200;
  let server: RedisServerHandle;
  let privateLayer: RedisLayer;
  let limiter: RateLimiter;
  const lines: { level: number; component?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });

  beforeAll(async () => {
    server = await startRedisServer();
    privateLayer = createRedisLayer({ redisUrl: server.url, commandTimeoutMs, logger: silent });
    limiter = createRateLimiter({ redis: privateLayer.redis, prefix: 'outage:', limits, logger });
  });

  afterAll(async () => {
    await privateLayer.close();
    await server.kill();
  });

  it('falls back to in-process limits while Redis is down and goes back to Redis when it returns', async () => {
    expect((await limiter.limit('login', 'before')).success).toBe(true);
    const admin = new IORedis(server.url);
    expect(await admin.keys('outage:rl:login:before:*')).toHaveLength(1);
    admin.disconnect();

    await server.kill();
    await awayFromMinuteEdge();
    const started = performance.now();
    const results = await exhaust(limiter, 'during', 6);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(results.map((r) => r.success)).toEqual([true, true, true, true, true, false]);
    expect(results[5]!.reset).toBeGreaterThan(Date.now());
    expect(lines.filter((l) => l.component === 'ratelimit').map((l) => l.level)).toEqual([40]);

    await server.start();
    const probe = new IORedis(server.url);
    for (let i = 0; i < 200; i++) {
      await limiter.limit('login', `after-${i}`);
      if ((await probe.keys('outage:rl:login:after-*')).length > 0) break;
      await sleep(50);
    }
    expect((await probe.keys('outage:rl:login:after-*')).length).toBeGreaterThan(0);
    probe.disconnect();
    expect(lines.filter((l) => l.component === 'ratelimit').map((l) => l.level)).toEqual([40, 30]);
  });

  it('answers from the in-process limiter well under a second when Redis is paused', async () => {
    const admin = new IORedis(server.url);
    await awayFromMinuteEdge();
    await admin.call('CLIENT', 'PAUSE', '2000');
    try {
      const started = performance.now();
      const results = await exhaust(limiter, 'paused', 6);
      expect(results.map((r) => r.success)).toEqual([true, true, true, true, true, false]);
      expect((performance.now() - started) / results.length).toBeLessThan(600);
    } finally {
      await sleep(2_100);
      admin.disconnect();
    }
  });
});

describe('in-process limiter memory', () => {
  it('forgets identifiers whose windows have passed', () => {
    let now = 1_000_000;
    const local = createInProcessLimiter({ requests: 5, windowMs: 1_000, now: () => now });
    for (let i = 0; i < 1_000; i++) local.limit(`ip:${i}`);
    expect(local.size()).toBe(1_000);
    now += 2_000;
    local.limit('ip:new');
    expect(local.size()).toBe(1);
  });

  it('keeps at most maxEntries identifiers, dropping the least recently seen', () => {
    const local = createInProcessLimiter({ requests: 1, windowMs: 60_000, maxEntries: 3 });
    for (const id of ['a', 'b', 'c']) local.limit(id);
    expect(local.limit('a').success).toBe(false);
    local.limit('d');
    expect(local.size()).toBe(3);
    expect(local.limit('a').success).toBe(false);
    expect(local.limit('b').success).toBe(true);
  });

  it('weights the previous window like a sliding window', () => {
    let now = 60_000 * 100;
    const local = createInProcessLimiter({ requests: 4, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 4; i++) local.limit('user');
    now += 60_000 + 15_000;
    // A quarter into the next window, 3 of the previous 4 still count.
    expect(local.limit('user')).toMatchObject({ success: true, remaining: 0 });
    expect(local.limit('user').success).toBe(false);
  });
});
