import type { Cache } from './cache';
import type { Logger } from '../logger';

type Entry<T> = { data: T; generation: number; freshUntil: number };
export type SwrStats = { fresh: number; stale: number; rebuilt: number; hitRate: number };
export type SwrSource = 'fresh' | 'stale' | 'rebuilt';

const LOCAL_ENTRIES = 1000;
/** The counter an entry's generation is, or the counters it is the sum of. */
export type GenerationKeys = string | readonly string[];

/**
 * One generation number counts both kinds of change: an immediate one adds IMMEDIATE, an eventual one adds 1. Two
 * generations with the same multiple of IMMEDIATE differ only by eventual changes.
 */
export const GENERATION_STEP = { immediate: 1_000_000, eventual: 1 } as const;
// (A million eventual changes between two immediate ones carry into the immediate part: one rebuild readers wait for.)
const IMMEDIATE = GENERATION_STEP.immediate;
const immediatePart = (generation: number) => Math.floor(generation / IMMEDIATE);
/**
 * Where a new generation counter starts: a random multiple of IMMEDIATE below 2^41, not 0. A generation is the
 * version open screens compare (dashboard live events), so a counter that comes back after its key expired (an org
 * quiet for an hour) or after Redis lost its data must not count again through versions a screen may hold.
 */
const newCounterStart = () => (1 + Math.floor(Math.random() * 2_000_000)) * IMMEDIATE;
// (Below 2^41 each: an entry's generation may be the sum of two counters, and billions of immediate changes later it
// is still an exact number below 2^53.)
// (So the first change after a counter is gone, even an eventual one, outdates the entries read meanwhile at once:
// they were built at generation 0. Once per quiet hour at most.)

/**
 * Cache-aside with stale-while-revalidate and generations for expensive aggregates: fresh is served, stale of the
 * current generation is served while one rebuild runs, an older generation is rebuilt first; a change bumps the
 * generation instead of deleting keys (docs/architecture.md "The dashboard cache").
 *
 * Changes come in two kinds. An immediate one (a person's write: the next read shows it) makes every older entry
 * unusable. An eventual one (background work: a photo's verdict, a view refreshed) leaves older entries usable as
 * they are — served until their own freshness ends — while the process that made the change rebuilds them (`warm`)
 * and only then tells the open screens: a burst of background changes costs readers no wait.
 *
 * An entry's generation may be the sum of several counters (a store's dashboard: its org's and its store's), so a
 * change bumps the counters of the entries it shows on and leaves the others current.
 */
export function createSwrCache(opts: { cache: Cache; freshSeconds: number; staleSeconds: number; logger: Logger }) {
  const building = new Map<string, Promise<unknown>>();
  const warming = new Map<string, Promise<unknown>>();
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

  // Several keys: the entry's generation is their counters' sum (a change bumps one of them; see `invalidate`).
  const generationOf = async (generationKeys: GenerationKeys) => {
    if (typeof generationKeys === 'string') return (await opts.cache.get<number>(generationKeys)) ?? 0;
    const counters = await opts.cache.getMany<number[]>([...generationKeys]);
    return counters.reduce<number>((sum, n) => sum + (n ?? 0), 0);
  };

  return {
    /** The entry's data, how it was found, and the generation it was built at (its version: see `invalidate`). */
    async get<T>(key: string, generationKey: GenerationKeys, build: () => Promise<T>): Promise<{ data: T; source: SwrSource; generation: number }> {
      const generation = await generationOf(generationKey);
      const mine = local.get(key) as Entry<T> | undefined;
      // Without the shared cache the generation is unknown: nothing local is trusted, the database answers.
      if (mine && mine.generation === generation && Date.now() < mine.freshUntil && opts.cache.available) {
        counts.fresh++;
        return { data: mine.data, source: 'fresh', generation: mine.generation };
      }
      const read = await opts.cache.get<Entry<T>>(key);
      // The same entry as the one held here (same generation and freshness): the held one is answered, so what was
      // made from it (its answers' serialized bytes) is used again instead of made per request.
      const entry = read && mine && read.generation === mine.generation && read.freshUntil === mine.freshUntil ? mine : read;
      if (entry) remember(key, entry);
      if (entry && entry.generation === generation) {
        if (Date.now() < entry.freshUntil) {
          counts.fresh++;
          return { data: entry.data, source: 'fresh', generation };
        }
        counts.stale++;
        rebuild(key, generation, build).catch((error: unknown) => opts.logger.warn({ err: error, key }, 'background rebuild failed'));
        return { data: entry.data, source: 'stale', generation };
      }
      // Behind by eventual changes only: usable while fresh (the changer is rebuilding it), then as any stale entry.
      if (entry && entry.generation < generation && immediatePart(entry.generation) === immediatePart(generation)) {
        counts.stale++;
        if (Date.now() >= entry.freshUntil) rebuild(key, generation, build).catch((error: unknown) => opts.logger.warn({ err: error, key }, 'background rebuild failed'));
        return { data: entry.data, source: 'stale', generation: entry.generation };
      }
      counts.rebuilt++;
      return { data: await rebuild(key, generation, build), source: 'rebuilt', generation };
    },

    /**
     * Marks every entry read with this generation key (alone or among its keys) as outdated. `eventual`: entries stay
     * usable until the changer has rebuilt them (`warm`); otherwise the next read of each waits for its rebuild.
     * Resolves to the counter's new value — for entries read with this key alone, the version the entries rebuilt
     * after this change carry (with several keys: `generation`) — or undefined when the shared cache did not answer
     * (nobody can tell the version then).
     */
    async invalidate(generationKey: string, how: { eventual?: boolean } = {}): Promise<number | undefined> {
      return opts.cache.incr(generationKey, opts.freshSeconds + opts.staleSeconds + 3600, how.eventual ? GENERATION_STEP.eventual : IMMEDIATE, newCounterStart());
    },

    /**
     * Rebuilds `key` at the current generation if someone has read it (it is in the shared cache) and it is behind;
     * resolves once it is rebuilt. Calls for the same key run one after the other, so a burst of changes costs one
     * rebuild per round, not one per change: a call that finds the entry current does nothing.
     */
    warm<T>(key: string, generationKey: GenerationKeys, build: () => Promise<T>): Promise<boolean> {
      const previous = warming.get(key) ?? Promise.resolve();
      const next = previous
        .catch(() => {})
        .then(async () => {
          const entry = await opts.cache.get<Entry<T>>(key);
          if (!entry) return false;
          const generation = await generationOf(generationKey);
          if (entry.generation === generation) return false;
          await rebuild(key, generation, build);
          return true;
        });
      warming.set(key, next);
      void next.finally(() => {
        if (warming.get(key) === next) warming.delete(key);
      }).catch(() => {});
      return next;
    },

    /**
     * The generation an entry read with these keys now would be built at: the version its figures carry; undefined
     * when the shared cache did not answer (nobody can tell the version then).
     */
    async generation(generationKeys: GenerationKeys): Promise<number | undefined> {
      const generation = await generationOf(generationKeys);
      return opts.cache.available ? generation : undefined;
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
