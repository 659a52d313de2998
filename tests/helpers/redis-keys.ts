import { Redis } from 'ioredis';

/**
 * Deletes every key under `prefix` and returns how many it removed. The Redis server is shared by test runs,
 * benchmarks and sessions, so a run removes only its own prefix (never FLUSHDB).
 */
export async function removeKeysUnder(redisUrl: string, prefix: string): Promise<number> {
  if (!prefix) throw new Error('removeKeysUnder needs a prefix: without one it would match every key');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  try {
    await redis.connect();
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    redis.disconnect();
  }
}
