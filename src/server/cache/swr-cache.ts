import type { Cache } from './cache';
import type { Logger } from '../logger';

type Entry<T> = { data: T; generation: number; freshUntil: number };
export type SwrStats = { fresh: number; stale: number; rebuilt: number; hitRate: number };
export type SwrSource = 'fresh' | 'stale' | 'rebuilt';

const LOCAL_ENTRIES = 1000;

/**
 * Cache-aside with stale-while-revalidate and generations for expensive aggregates: fresh is served, stale of the
 * current generation is served while one rebuild runs, an older generation is rebuilt first; a change bumps the
 * generation instead of deleting keys (docs/architecture.md "The dashboard cache").
 */
export function createSwrCache(opts: { cache: Cache; freshSeconds: number; staleSeconds: number; logger: Logger }) {
  const building = new Map<string, Promise<unknown>>();
  const local = new Map<string, Entry<unknown>>();
  const remember = (key: string, entry: Entry<unknown>) => {
    local.delete(key);
    local.set(key, entry);
    if (local.size > LOCAL_ENTRIES) local.delete(local.keys().next().value!);
  };
  let counts = { fresh: 0, stale: 0, rebuilt: 0 };

  function rebuild<T>(key: string, generation: number, build: () => Promise<T>): Promise<T> {
    // Keyed by generation too: a build that started before a change must not answer a caller after it.
    const flight = `${key}@${generation}`;
    const running = building.get(flight) as Promise<T> | undefined;
    if (running) return running;
    const job = (async () => {
      const data = await build();
      const entry: Entry<T> = { data, generation, freshUntil: Date.now() + opts.freshSeconds * 1000 };
      remember(key, entry);
      await opts.cache.set(key, entry, { ttlSeconds: opts.freshSeconds + opts.staleSeconds });
      return data;
    })().finally(() => building.delete(flight));
    building.set(flight, job);
    return job;
  }

  return {
    async get<T>(key: string, generationKey: string, build: () => Promise<T>): Promise<{ data: T; source: SwrSource }> {
      const current = await opts.cache.get<number>(generationKey);
      const generation = current ?? 0;
      const mine = local.get(key) as Entry<T> | undefined;
      // Without the shared cache the generation is unknown: nothing local is trusted, the database answers.
      if (mine && mine.generation === generation && Date.now() < mine.freshUntil && opts.cache.available) {
        counts.fresh++;
        return { data: mine.data, source: 'fresh' };
      }
      const entry = await opts.cache.get<Entry<T>>(key);
      if (entry) remember(key, entry);
      if (entry && entry.generation === generation) {
        if (Date.now() < entry.freshUntil) {
          counts.fresh++;
          return { data: entry.data, source: 'fresh' };
        }
        counts.stale++;
        rebuild(key, generation, build).catch((error: unknown) => opts.logger.warn({ err: error, key }, 'background rebuild failed'));
        return { data: entry.data, source: 'stale' };
      }
      counts.rebuilt++;
      return { data: await rebuild(key, generation, build), source: 'rebuilt' };
    },

    /** Marks every entry read with this generation key as outdated. */
    async invalidate(generationKey: string): Promise<void> {
      await opts.cache.incr(generationKey, opts.freshSeconds + opts.staleSeconds + 3600);
    },

    stats(): SwrStats {
      const total = counts.fresh + counts.stale + counts.rebuilt;
      return { ...counts, hitRate: total === 0 ? 0 : (counts.fresh + counts.stale) / total };
    },
    resetStats() {
      counts = { fresh: 0, stale: 0, rebuilt: 0 };
    },
  };
}
export type SwrCache = ReturnType<typeof createSwrCache>;
