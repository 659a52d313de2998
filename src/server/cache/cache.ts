import type { Redis } from '@upstash/redis';
import superjson from 'superjson';
import type { Logger } from '~/server/logger';
import { createOutageTracker } from '~/server/redis/outage';
import { createMemoryStore } from './memory-store';
import { createRedisStore } from './redis-store';

export type CacheSetOptions = { ttlSeconds: number; tags?: string[] };
export type CacheStats = { hits: number; misses: number; errors: number; sets: number; invalidations: number; hitRate: number };
export interface Cache {
  readonly backend: 'redis' | 'memory';
  /** False while the last Redis command failed (an outage); memory is always available. */
  readonly available: boolean;
  get<T>(key: string): Promise<T | undefined>;
  /** Several keys in one round trip (each counted as a hit or a miss); on a cache error, all miss. */
  getMany<T extends unknown[]>(keys: string[]): Promise<{ [K in keyof T]: T[K] | undefined }>;
  /**
   * An atomic counter (generations, versions); undefined when the cache is unreachable. A counter that does not
   * exist (never made, expired, lost with Redis's data) starts at `startAt` (default 0).
   */
  incr(key: string, ttlSeconds: number, by?: number, startAt?: number): Promise<number | undefined>;
  set<T>(key: string, value: T, opts: CacheSetOptions): Promise<void>;
  /** One in-flight fetch per key per process (concurrent callers share it); a cache error falls through to fetch. */
  getOrSet<T>(key: string, fetch: () => Promise<T>, opts: CacheSetOptions): Promise<T>;
  del(...keys: string[]): Promise<void>;
  /** Atomically deletes every key tagged with any of these tags (tag = a Redis set of keys; one Lua script, no KEYS/SCAN). */
  invalidateTags(...tags: string[]): Promise<void>;
  stats(): CacheStats;
  resetStats(): void;
}

/**
 * A cache is never the reason a request fails: with Redis, every error or timeout (bounded by the Redis layer's
 * command timeout, about twice it while commands are pipelined: redis/client.ts) counts as a miss and writes are best-effort; the outage is logged once, and again on recovery.
 * Without Redis it is an in-process LRU. `undefined` cannot be cached (it reads as a miss); `null` can.
 * `invalidations` counts completed `del` and `invalidateTags` calls.
 */
export function createCache(opts: {
  redis: Redis | null;
  prefix: string;
  logger: Logger;
  memoryMaxEntries?: number;
  /** Told of every lookup (metrics: hits and misses per key family). */
  onLookup?: (key: string, hit: boolean) => void;
}): Cache {
  const store = opts.redis ? createRedisStore(opts.redis, opts.prefix) : createMemoryStore(opts.memoryMaxEntries ?? 10_000);
  const outage = createOutageTracker(opts.logger, 'cache');
  const inFlight = new Map<string, Promise<unknown>>();
  let counts = { hits: 0, misses: 0, errors: 0, sets: 0, invalidations: 0 };

  const attempt = async <R>(operation: () => Promise<R>): Promise<{ ok: true; value: R } | { ok: false }> => {
    try {
      const value = await operation();
      outage.succeeded();
      return { ok: true, value };
    } catch (error) {
      counts.errors += 1;
      outage.failed(error);
      return { ok: false };
    }
  };

  const get = async <T>(key: string): Promise<T | undefined> => {
    const read = await attempt(() => store.get(key));
    const value = read.ok ? decode<T>(read.value) : undefined;
    if (value === undefined) counts.misses += 1;
    else counts.hits += 1;
    opts.onLookup?.(key, value !== undefined);
    return value;
  };

  const set = async <T>(key: string, value: T, setOpts: CacheSetOptions): Promise<void> => {
    const ttlSeconds = Math.max(1, Math.ceil(setOpts.ttlSeconds));
    const encoded = superjson.stringify(value);
    const written = await attempt(() => store.set(key, encoded, ttlSeconds, [...new Set(setOpts.tags ?? [])]));
    if (written.ok) counts.sets += 1;
  };

  return {
    backend: opts.redis ? 'redis' : 'memory',
    get available() {
      return !outage.down;
    },
    get,
    async getMany<T extends unknown[]>(keys: string[]) {
      const read = await attempt(() => store.getMany(keys));
      const values = keys.map((_, i) => (read.ok ? decode(read.value[i]) : undefined));
      values.forEach((value, i) => {
        if (value === undefined) counts.misses += 1;
        else counts.hits += 1;
        opts.onLookup?.(keys[i]!, value !== undefined);
      });
      return values as { [K in keyof T]: T[K] | undefined };
    },
    async incr(key, ttlSeconds, by = 1, startAt = 0) {
      const result = await attempt(() => store.incr(key, Math.max(1, Math.ceil(ttlSeconds)), by, startAt));
      return result.ok ? result.value : undefined;
    },
    set,
    getOrSet<T>(key: string, fetch: () => Promise<T>, setOpts: CacheSetOptions): Promise<T> {
      const pending = inFlight.get(key) as Promise<T> | undefined;
      if (pending) return pending;
      const loading = (async () => {
        const cached = await get<T>(key);
        if (cached !== undefined) return cached;
        const value = await fetch();
        if (value !== undefined) await set(key, value, setOpts);
        return value;
      })().finally(() => inFlight.delete(key));
      inFlight.set(key, loading);
      return loading;
    },
    async del(...keys) {
      if (keys.length === 0) return;
      if ((await attempt(() => store.del(keys))).ok) counts.invalidations += 1;
    },
    async invalidateTags(...tags) {
      if (tags.length === 0) return;
      if ((await attempt(() => store.invalidateTags([...new Set(tags)]))).ok) counts.invalidations += 1;
    },
    stats() {
      const lookups = counts.hits + counts.misses;
      return { ...counts, hitRate: lookups === 0 ? 0 : counts.hits / lookups };
    },
    resetStats() {
      counts = { hits: 0, misses: 0, errors: 0, sets: 0, invalidations: 0 };
    },
  };
}

/** @upstash/redis hands back the JSON already parsed (automatic deserialization); the memory store keeps the string. */
function decode<T>(raw: unknown): T | undefined {
  if (raw === null || raw === undefined) return undefined;
  // Counters (incr) are plain integers; every other value is a superjson envelope.
  if (typeof raw === 'number') return raw as T;
  if (typeof raw === 'string' && /^-?\d+$/.test(raw)) return Number(raw) as T;
  try {
    if (typeof raw === 'string') return superjson.parse<T>(raw);
    return superjson.deserialize<T>(raw as Parameters<typeof superjson.deserialize>[0]);
  } catch {
    return undefined;
  }
}
