import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerAs, createOrgFixture, createTestServices, testEan, type OrgFixture } from '../../../tests/helpers/harness';
import { startOpenFoodFactsStandIn } from '../../../tests/helpers/openfoodfacts-standin';
import { pipelineEnv, startOpenAIStandIn } from '../../../tests/helpers/openai-standin';
import { until } from '../../../tests/helpers/until';
import { deadLetterQueue, products } from '~/server/db/schema';
import { queueNames } from '~/server/queues/definitions';
import { startWorkers, type WorkerRuntime } from '~/server/runtime/workers';
import type { Services } from '~/server/services';

/**
 * OpenAI failing for a whole minute while 200 products are created, with the real workers, BullMQ and `openai`
 * client against the stand-in: the breaker opens, OpenAI hears from us at most once per half-open interval, every
 * product waits in review (`scoring_unavailable`) without a dead letter, the scanner's lookup is as fast as before,
 * and when OpenAI is back the breaker closes and the waiting products are scored. A file of its own: the breaker
 * judges this process's calls.
 */
const OUTAGE_MS = 60_000;
const HALF_OPEN_MS = 5_000;
const PRODUCTS = 200;
const CONCURRENCY = 8;
const RETRIES = 2;

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let off: Awaited<ReturnType<typeof startOpenFoodFactsStandIn>>;
let openai: Awaited<ReturnType<typeof startOpenAIStandIn>>;
let runtime: WorkerRuntime;

beforeAll(async () => {
  off = await startOpenFoodFactsStandIn({ everyEanFound: true });
  openai = await startOpenAIStandIn();
  ({ services, close } = await createTestServices({
    ...pipelineEnv(off, openai),
    OPENAI_HALF_OPEN_AFTER_MS: String(HALF_OPEN_MS),
    OPENAI_CONCURRENCY: String(CONCURRENCY),
    OPENAI_RETRIES: String(RETRIES),
    OPENAI_TIMEOUT_MS: '3000',
  }));
  org = await createOrgFixture(services, 'openai-outage');
  runtime = await startWorkers(services);
});
afterAll(async () => {
  await runtime?.stop(5000);
  await close();
  await off.close();
  await openai.close();
});

/** Median ms of `n` scanner lookups (products.byEan) of the fixture's products, as a clerk makes them (a median: one GC pause is not the lookup's speed). */
async function lookupMs(n: number): Promise<number> {
  const clerk = await callerAs(services, org, 'clerk');
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await clerk.products.byEan({ ean: org.products[i % org.products.length]!.ean });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

describe('OpenAI down for a minute', () => {
  it('opens the breaker, keeps every product in review without dead letters, and scores them all when OpenAI is back', { timeout: OUTAGE_MS + 90_000 }, async () => {
    const openaiIntegration = services.integrations.get('openai')!;
    await lookupMs(50); // warm
    const lookupBefore = await lookupMs(300);

    openai.fail('503');
    const outageStart = Date.now();
    const buyer = await callerAs(services, org, 'buyer');
    const ids: string[] = [];
    for (let i = 0; i < PRODUCTS; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => buyer.products.create({ ean: testEan('openai-outage', 100 + i + j), name: `Produto ${i + j}` })));
      ids.push(...batch.map((p) => p.id));
    }

    await until(async () => (openaiIntegration.status().state === 'open' ? true : null), 30_000);
    const openedAfterMs = Date.now() - outageStart;
    const callsToOpen = openai.calls;
    // Calls already in flight when it opened may finish; retries of those are refused by the open breaker.
    expect(callsToOpen).toBeLessThanOrEqual(CONCURRENCY * (RETRIES + 1) + 5);

    // Every product reaches review with its candidate photo stored, none dead-lettered.
    await until(async () => {
      const waiting = await services.db.$count(products, and(inArray(products.id, ids), eq(products.imageStatus, 'manual_review'), eq(products.imageReviewReason, 'scoring_unavailable')));
      return waiting === PRODUCTS ? true : null;
    }, 30_000);
    const lookupDuring = await lookupMs(300);

    // The rest of the minute: OpenAI hears from us once per half-open interval at most.
    const watchFrom = Date.now();
    const callsAtWatch = openai.calls;
    await new Promise((r) => setTimeout(r, Math.max(2 * HALF_OPEN_MS, OUTAGE_MS - (watchFrom - outageStart))));
    const watchedMs = Date.now() - watchFrom;
    const whileOpen = openai.calls - callsAtWatch;
    expect(whileOpen).toBeGreaterThanOrEqual(1);
    expect(whileOpen).toBeLessThanOrEqual(Math.floor(watchedMs / HALF_OPEN_MS) + 1);
    // No two calls closer than the half-open interval while it was open (a test call, then the wait again).
    const times = openai.callTimes.slice(callsAtWatch);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(HALF_OPEN_MS - 200);
    expect(await services.db.$count(deadLetterQueue, eq(deadLetterQueue.sourceQueue, queueNames.images))).toBe(0);

    openai.recover();
    const backAt = Date.now();
    await until(async () => {
      const approved = await services.db.$count(products, and(inArray(products.id, ids), eq(products.imageStatus, 'approved')));
      return approved === PRODUCTS ? true : null;
    }, 60_000);
    expect(openaiIntegration.status().state).toBe('closed');
    expect(await services.db.$count(deadLetterQueue, eq(deadLetterQueue.sourceQueue, queueNames.images))).toBe(0);

    const ratio = lookupDuring / lookupBefore;
    console.info(
      `OpenAI outage: breaker open ${openedAfterMs} ms after the first failure (${callsToOpen} calls); ${whileOpen} calls in ${watchedMs} ms while open (half-open every ${HALF_OPEN_MS} ms); ` +
        `${PRODUCTS} products in review, 0 dead letters; byEan ${lookupBefore.toFixed(2)} ms before, ${lookupDuring.toFixed(2)} ms during (×${ratio.toFixed(2)}); all scored ${Date.now() - backAt} ms after OpenAI came back`,
    );
    // "As fast as before": the same order of time (a loose bound: this machine has 2 cores and the pipeline runs beside it).
    expect(ratio).toBeLessThan(3);
  });
});
