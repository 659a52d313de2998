import { randomUUID } from 'node:crypto';
import { Redis, errors } from '@upstash/redis';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '~/env';
import { createLogger } from '~/server/logger';
import { createRedisLayer, type RedisLayer } from './client';
import { createIoRedisRequester } from './ioredis-requester';

const prefix = `test:requester:${randomUUID()}:`;
const key = (name: string) => prefix + name;
const logger = createLogger({ level: 'silent' });

describe('ioredis requester for @upstash/redis', () => {
  let layer: RedisLayer;
  let redis: Redis;
  let raw: IORedis;

  beforeAll(() => {
    layer = createRedisLayer({ redisUrl: env.REDIS_URL, commandTimeoutMs: 1_000, logger });
    redis = layer.redis!;
    raw = new IORedis(env.REDIS_URL!);
  });

  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    await raw.quit();
    await layer.close();
  });

  it('runs a command issued before the connection is ready', async () => {
    const connecting = new IORedis(env.REDIS_URL!, { enableOfflineQueue: false, commandTimeout: 1_000 });
    const fresh = new Redis(createIoRedisRequester(connecting));
    await expect(fresh.ping()).resolves.toBe('PONG');
    await connecting.quit();
  });

  it('stores JSON values as strings and deserializes them on get', async () => {
    await redis.set(key('json'), { name: 'Café', tags: ['a', 'b'], count: 3 });
    expect(await raw.get(key('json'))).toBe('{"name":"Café","tags":["a","b"],"count":3}');
    expect(await redis.get(key('json'))).toEqual({ name: 'Café', tags: ['a', 'b'], count: 3 });
    await redis.set(key('text'), 'plain text');
    expect(await redis.get(key('text'))).toBe('plain text');
    expect(await redis.get(key('missing'))).toBeNull();
  });

  it('passes set options and integer replies through', async () => {
    expect(await redis.set(key('nx'), 'first', { ex: 60, nx: true })).toBe('OK');
    expect(await redis.set(key('nx'), 'second', { ex: 60, nx: true })).toBeNull();
    expect(await redis.get(key('nx'))).toBe('first');
    const ttl = await redis.ttl(key('nx'));
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis.incr(key('counter'))).toBe(1);
    expect(await redis.incrby(key('counter'), 4)).toBe(5);
  });

  it('returns hashes as objects, as over REST', async () => {
    await redis.hset(key('hash'), { a: 1, b: 'two' });
    expect(await redis.hgetall(key('hash'))).toEqual({ a: 1, b: 'two' });
    expect(await redis.hgetall(key('no-hash'))).toBeNull();
  });

  it('throws Redis error replies as UpstashError', async () => {
    await redis.set(key('not-a-number'), 'abc');
    await expect(redis.incr(key('not-a-number'))).rejects.toBeInstanceOf(errors.UpstashError);
  });

  it('runs a pipeline and keeps per-command errors apart', async () => {
    const results = await redis
      .pipeline()
      .set(key('p1'), { v: 1 })
      .get(key('p1'))
      .incr(key('p-counter'))
      .exec();
    expect(results).toEqual(['OK', { v: 1 }, 1]);

    await redis.set(key('p-text'), 'abc');
    const withError = await redis.pipeline().incr(key('p-text')).get(key('p1')).exec({ keepErrors: true });
    expect(withError[0]!.error).toMatch(/not an integer/);
    expect(withError[1]).toEqual({ error: undefined, result: { v: 1 } });
  });

  it('runs a multi-exec transaction', async () => {
    const results = await redis.multi().set(key('m1'), 'x').incr(key('m-counter')).get(key('m1')).exec();
    expect(results).toEqual(['OK', 1, 'x']);
  });

  it('runs eval, scriptLoad and evalsha, and reports NOSCRIPT like Upstash', async () => {
    const script = 'return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1}';
    expect(await redis.eval(script, [key('k')], ['arg', 41])).toEqual([key('k'), 'arg', 42]);
    const sha = await redis.scriptLoad(script);
    expect(await redis.evalsha(sha, [key('k')], ['again', 1])).toEqual([key('k'), 'again', 2]);
    await expect(redis.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it('refuses commands that would change the state of the shared connection', async () => {
    await expect(redis.exec(['SELECT', '1'])).rejects.toThrow(/not supported/);
    expect(await redis.ping()).toBe('PONG');
  });

  it('answers ping with latency', async () => {
    const result = await layer.ping();
    expect(result.ok).toBe(true);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
