import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache } from '~/server/cache/cache';
import { createRedisLayer } from './client';

const silent = pino({ level: 'silent' });

/**
 * Upstash itself is outside (no network here); a local server speaking its REST protocol (base64-encoded results)
 * is enough to check how the layer configures @upstash/redis: one attempt per command, bounded by the timeout.
 */
describe('Upstash REST layer', () => {
  let server: http.Server;
  let baseUrl: string;
  const hang = new Set<http.ServerResponse>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.url?.startsWith('/hang')) return void hang.add(res);
        const [command] = JSON.parse(body) as string[];
        const result = command === 'ping' ? Buffer.from('PONG').toString('base64') : null;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ result }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const res of hang) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is chosen when the REST URL and token are set, even with REDIS_URL', async () => {
    const layer = createRedisLayer({ upstashUrl: baseUrl, upstashToken: 't', redisUrl: 'redis://127.0.0.1:1', commandTimeoutMs: 200, logger: silent });
    expect(layer.kind).toBe('upstash');
    expect(await layer.ping()).toMatchObject({ ok: true });
    await layer.close();
  });

  it('gives up on a command that does not answer within the command timeout', async () => {
    const layer = createRedisLayer({ upstashUrl: `${baseUrl}/hang`, upstashToken: 't', commandTimeoutMs: 200, logger: silent });
    const started = performance.now();
    await expect(layer.redis!.get('k')).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(600);
    expect(await layer.ping(1_000)).toMatchObject({ ok: false });

    const cache = createCache({ redis: layer.redis, prefix: 'c:', logger: silent });
    expect(await cache.getOrSet('k', async () => 'fetched', { ttlSeconds: 60 })).toBe('fetched');
    expect(cache.stats().errors).toBe(2);
  });
});

describe('no Redis configured', () => {
  it('has no client and a ping that says so', async () => {
    const layer = createRedisLayer({ commandTimeoutMs: 200, logger: silent });
    expect(layer.kind).toBe('none');
    expect(layer.redis).toBeNull();
    expect(await layer.ping()).toEqual({ ok: false, latencyMs: 0, error: 'Redis is not configured' });
    await layer.close();
  });
});
