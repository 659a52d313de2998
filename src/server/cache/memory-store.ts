import type { CacheStore } from './store';

type Entry = { encoded: string; expiresAt: number; tags: string[] };

/**
 * In-process LRU with TTL and tags, for running without Redis. A Map keeps insertion order, so re-inserting an
 * entry on each hit makes the first key the least recently used one.
 */
export function createMemoryStore(maxEntries: number, now: () => number = Date.now): CacheStore & { size(): number } {
  const entries = new Map<string, Entry>();
  const keysByTag = new Map<string, Set<string>>();

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    for (const tag of entry.tags) {
      const keys = keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) keysByTag.delete(tag);
    }
  };

  const store = {
    async get(key: string): Promise<unknown> {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        remove(key);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return entry.encoded;
    },
    async getMany(keys: string[]) {
      return Promise.all(keys.map((key) => store.get(key)));
    },
    async incr(key: string, ttlSeconds: number, by: number, startAt: number) {
      const current = await store.get(key);
      const next = (current === undefined || current === null ? startAt : Number(current)) + by;
      await store.set(key, String(next), ttlSeconds, []);
      return next;
    },
    async set(key: string, encoded: string, ttlSeconds: number, tags: string[]) {
      remove(key);
      entries.set(key, { encoded, expiresAt: now() + ttlSeconds * 1_000, tags });
      for (const tag of tags) {
        const keys = keysByTag.get(tag) ?? new Set<string>();
        keys.add(key);
        keysByTag.set(tag, keys);
      }
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        remove(oldest);
      }
    },
    async del(keys: string[]) {
      for (const key of keys) remove(key);
    },
    async invalidateTags(tags: string[]) {
      for (const tag of tags) {
        for (const key of [...(keysByTag.get(tag) ?? [])]) remove(key);
      }
    },
    size: () => entries.size,
  };
  return store;
}
