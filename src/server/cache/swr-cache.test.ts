import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createCache } from './cache';
import { createSwrCache, GENERATION_STEP } from './swr-cache';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const newSwr = (freshSeconds = 60) => createSwrCache({ cache: createCache({ redis: null, prefix: 't:', logger }), freshSeconds, staleSeconds: 60, logger });

describe('stale-while-revalidate cache', () => {
  it('builds once for 100 concurrent callers of a cold key', async () => {
    const swr = newSwr();
    let builds = 0;
    const build = async () => {
      builds++;
      await sleep(20);
      return { n: builds };
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => swr.get('k', 'gen', build)));
    expect(builds).toBe(1);
    expect(new Set(results.map((r) => r.data.n))).toEqual(new Set([1]));
  });

  it('never answers with a build that started before a change', async () => {
    const swr = newSwr();
    let version = 1;
    const build = async () => {
      const seen = version;
      await sleep(50);
      return { seen };
    };
    const early = swr.get('k', 'gen', build);
    await sleep(10);
    version = 2;
    await swr.invalidate('gen');
    const late = await swr.get('k', 'gen', build);
    expect((await early).data.seen).toBe(1);
    expect(late.data.seen).toBe(2);
    expect((await swr.get('k', 'gen', build)).data.seen).toBe(2);
  });

  it('serves a stale entry at once and rebuilds it in the background', async () => {
    const swr = newSwr(1);
    let builds = 0;
    const build = async () => ({ n: ++builds });
    expect((await swr.get('k', 'gen', build)).source).toBe('rebuilt');
    expect((await swr.get('k', 'gen', build)).source).toBe('fresh');
    await sleep(1100);
    const stale = await swr.get('k', 'gen', build);
    expect(stale).toEqual({ data: { n: 1 }, source: 'stale', generation: 0 });
    await sleep(20);
    expect(await swr.get('k', 'gen', build)).toEqual({ data: { n: 2 }, source: 'fresh', generation: 0 });
    expect(swr.stats()).toMatchObject({ fresh: 2, stale: 1, rebuilt: 1, hitRate: 0.75 });
  });

  it('after an eventual change, serves the entry it has without waiting until the changer has rebuilt it', async () => {
    const swr = newSwr();
    let version = 1;
    let builds = 0;
    const build = async () => {
      builds++;
      await sleep(30);
      return { version };
    };
    // The counter exists (a counter made by an eventual change is a new start: every older entry waits for it).
    const built = (await swr.invalidate('gen'))!;
    await swr.get('k', 'gen', build);
    version = 2;
    const eventual = (await swr.invalidate('gen', { eventual: true }))!;
    // Readers get what is there at once, and start no rebuild of their own.
    const started = performance.now();
    expect(await swr.get('k', 'gen', build)).toEqual({ data: { version: 1 }, source: 'stale', generation: built });
    expect(performance.now() - started).toBeLessThan(25);
    expect(builds).toBe(1);
    // The changer rebuilds it; from then on it is current.
    expect(await swr.warm('k', 'gen', build)).toBe(true);
    expect(await swr.get('k', 'gen', build)).toEqual({ data: { version: 2 }, source: 'fresh', generation: eventual });
    expect(builds).toBe(2);
    // An immediate change after it still makes the next reader wait for the new figures.
    version = 3;
    const generation = await swr.invalidate('gen');
    expect(generation).toBe(eventual + GENERATION_STEP.immediate);
    // The entry's generation is the version the change announced: what a screen told of it compares.
    expect(await swr.get('k', 'gen', build)).toEqual({ data: { version: 3 }, source: 'rebuilt', generation });
  });

  it('starts a new generation counter at a version nobody holds: after its key expired or was lost, not again from 0', async () => {
    const cache = createCache({ redis: null, prefix: 't:', logger });
    const swr = createSwrCache({ cache, freshSeconds: 60, staleSeconds: 60, logger });
    const first = (await swr.invalidate('gen'))!;
    const second = (await swr.invalidate('gen', { eventual: true }))!;
    expect(second).toBe(first + GENERATION_STEP.eventual);
    expect(first % GENERATION_STEP.immediate).toBe(0);
    expect(first).toBeGreaterThan(GENERATION_STEP.immediate); // not 0 + one step
    expect(first).toBeLessThan(Number.MAX_SAFE_INTEGER / 2);
    // The counter's key gone (expired after a quiet hour, or Redis restarted without its data): the next change is a
    // version no screen holds (a screen holding `second` must refetch).
    const starts = new Set<number>();
    for (let i = 0; i < 20; i++) {
      await cache.del('gen');
      starts.add((await swr.invalidate('gen'))!);
    }
    expect(starts.size).toBe(20);
    expect(starts.has(first)).toBe(false);
  });

  it('warms a burst of changes with one rebuild per round, and nothing nobody has read', async () => {
    const swr = newSwr();
    let builds = 0;
    const build = async () => {
      builds++;
      await sleep(30);
      return { builds };
    };
    expect(await swr.warm('unread', 'gen', build)).toBe(false);
    expect(builds).toBe(0);
    await swr.get('k', 'gen', build);
    const rounds = [];
    for (let i = 0; i < 20; i++) {
      await swr.invalidate('gen', { eventual: true });
      rounds.push(swr.warm('k', 'gen', build));
    }
    const warmed = await Promise.all(rounds);
    // The first rebuilds at the generation it saw; the second at the last one; the rest find it current.
    expect(warmed.filter(Boolean).length).toBeLessThanOrEqual(2);
    expect(builds).toBeLessThanOrEqual(3);
    expect((await swr.get('k', 'gen', build)).source).toBe('fresh');
  });
});
