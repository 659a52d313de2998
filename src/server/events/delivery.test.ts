import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { until } from '../../../tests/helpers/until';
import { eventLog, processedEvents, products, storeDailyStats } from '~/server/db/schema';
import { appendEvents } from '~/server/events/outbox';
import { startRedeliverySweep } from '~/server/events/redelivery';
import { startOutboxRelay } from '~/server/events/relay';
import { EVENTS_PER_JOB, jobOf, queueNames } from '~/server/queues/definitions';
import type { Services } from '~/server/services';
import { consumers, eventDelivery } from '../runtime/consumers';
import type { Consumer, ConsumerDeps } from './consumer';
import { createEventDelivery } from './delivery';
import { retriedJobId } from '../queues/retry-ids';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let deps: ConsumerDeps;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'domain-events');
  deps = { services, pushEnabled: false };
});
afterAll(() => close());

async function createdEventOfNewRequest() {
  const clerk = await callerFor(services, { sessionSecret: org.secrets.clerk });
  const request = await clerk.purchaseRequests.create({ id: randomUUID(), storeId: org.stores[0]!.id, items: [{ productId: org.products[0]!.id, quantity: 2 }], submit: true });
  const [event] = await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, request.id), eq(eventLog.type, 'purchaseRequest.created')));
  return event!;
}
const requestsCreatedToday = async () =>
  (await services.db.select({ n: storeDailyStats.requestsCreated }).from(storeDailyStats).where(eq(storeDailyStats.storeId, org.stores[0]!.id))).reduce((sum, r) => sum + r.n, 0);
const marksOf = async (eventId: number) =>
  (await services.db.select({ consumer: processedEvents.consumer }).from(processedEvents).where(eq(processedEvents.eventId, eventId))).map((m) => m.consumer).sort();

describe('applyEvent', () => {
  it('applies every consumer once and marks each one with a database effect (live-and-cache only acts after, on every delivery)', async () => {
    const event = await createdEventOfNewRequest();
    const before = await requestsCreatedToday();
    expect(await eventDelivery.apply(deps, event.id)).toEqual(['push', 'analytics', 'live-and-cache']);
    await eventDelivery.apply(deps, event.id);
    expect(await requestsCreatedToday()).toBe(before + 1);
    expect(await marksOf(event.id)).toEqual(['analytics', 'push']);
  });

  it('does not let a failing consumer hold back the others; its retry applies only it', async () => {
    let broken = true;
    let applied = 0;
    const flaky: Consumer = {
      name: 'flaky',
      handles: (type) => type === 'purchaseRequest.created',
      async apply() {
        if (broken) throw new Error('flaky consumer is down');
        applied++;
      },
    };
    const registry = [...consumers, flaky];
    const event = await createdEventOfNewRequest();
    const before = await requestsCreatedToday();

    await expect(createEventDelivery(registry).apply(deps, event.id)).rejects.toThrow('flaky consumer is down');
    expect(await marksOf(event.id)).toEqual(['analytics', 'push']);
    expect(await requestsCreatedToday()).toBe(before + 1);

    broken = false;
    await createEventDelivery(registry).apply(deps, event.id);
    expect(applied).toBe(1);
    expect(await marksOf(event.id)).toEqual(['analytics', 'flaky', 'push']);
    expect(await requestsCreatedToday()).toBe(before + 1);
  });

  it('a product change made without the API (as a worker makes it) reaches cached lists and lookups through its event', async () => {
    const buyer = await callerFor(services, { sessionSecret: org.secrets.buyer });
    const product = org.products[1]!;
    const nameIn = async () => ({
      list: (await buyer.products.list({ limit: 50 })).items.find((p) => p.id === product.id)?.name,
      lookup: (await buyer.products.byEan({ ean: product.ean })).name,
    });
    expect(await nameIn()).toEqual({ list: product.name, lookup: product.name }); // now cached
    const [eventId] = await services.db.transaction(async (tx) => {
      await tx.update(products).set({ name: 'Renomeado por um worker' }).where(eq(products.id, product.id));
      return appendEvents(tx, [{ type: 'product.updated', orgId: org.org.id, aggregateId: product.id, payload: { productId: product.id, ean: product.ean, changed: ['name'] } }], {
        userId: null,
      });
    });
    expect(await nameIn()).toEqual({ list: product.name, lookup: product.name }); // the cache does not know yet
    await eventDelivery.apply(deps, eventId!);
    expect(await nameIn()).toEqual({ list: 'Renomeado por um worker', lookup: 'Renomeado por um worker' });
  });

  it('a stored event whose payload fails its schema is not retried: its consumers never see it', async () => {
    const [bad] = await services.db
      .insert(eventLog)
      .values({ orgId: org.org.id, type: 'purchaseRequest.created', aggregateType: 'purchaseRequest', aggregateId: randomUUID(), aggregateSeq: 1, payload: { storeId: 'not-a-uuid' } })
      .returning();
    const before = await requestsCreatedToday();
    const failure = await eventDelivery.apply(deps, bad!.id).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnrecoverableError);
    expect((failure as Error).message).toContain('invalid payload');
    expect(await requestsCreatedToday()).toBe(before);
    expect(await marksOf(bad!.id)).toEqual([]);
  });

  it('runs only the named consumer on a replay', async () => {
    const event = await createdEventOfNewRequest();
    expect(await eventDelivery.apply(deps, event.id, { only: 'analytics' })).toEqual(['analytics']);
    expect(await marksOf(event.id)).toEqual(['analytics']);
  });
});

describe('relay batches', () => {
  it('groups what the relay took by org, in id order, up to EVENTS_PER_JOB a job; one event alone keeps its own job id', () => {
    const row = (id: number, orgId: string | null) => ({ id, type: 'product.updated', orgId });
    const [a, b] = [randomUUID(), randomUUID()];
    const rows = [row(5, a), row(3, b), row(1, a), ...Array.from({ length: EVENTS_PER_JOB + 1 }, (_, i) => row(100 + i, null))];
    const jobs = jobOf.events(rows, EVENTS_PER_JOB);
    expect(jobs.map((j) => j.data)).toEqual([
      { eventIds: [1, 5], orgId: a },
      { eventId: 3, orgId: b },
      { eventIds: Array.from({ length: EVENTS_PER_JOB }, (_, i) => 100 + i), orgId: null },
      { eventId: 100 + EVENTS_PER_JOB, orgId: null },
    ]);
    expect(jobs[1]!.opts.jobId).toBe('event-3');
    // The same events again: the same job (a re-publish is a no-op); other events: another job.
    expect(jobOf.events([row(1, a), row(5, a)])[0]!.opts.jobId).toBe(jobs[0]!.opts.jobId);
    expect(jobOf.events([row(1, a), row(4, a), row(5, a)])[0]!.opts.jobId).not.toBe(jobs[0]!.opts.jobId);
    // One a job (the Redis backend's default): as before batches.
    expect(jobOf.events(rows, 1).map((j) => j.opts.jobId)).toEqual(['event-5', 'event-3', 'event-1', ...Array.from({ length: EVENTS_PER_JOB + 1 }, (_, i) => `event-${100 + i}`)]);
  });

  it('applies a batch; an event of it that fails is handed back as a job of its own, and the others are done', async () => {
    const good = await Promise.all([createdEventOfNewRequest(), createdEventOfNewRequest()]);
    const [bad] = await services.db
      .insert(eventLog)
      .values({ orgId: org.org.id, type: 'purchaseRequest.created', aggregateType: 'purchaseRequest', aggregateId: randomUUID(), aggregateSeq: 1, payload: { storeId: 'not-a-uuid' } })
      .returning();
    const eventIds = [good[0]!.id, bad!.id, good[1]!.id].sort((x, y) => x - y);
    // A real job (no worker on this queue here), run through the queue's processor as a worker would.
    const queue = services.queues.queue(queueNames.domainEvents);
    const job = await queue.add('events', { eventIds, orgId: org.org.id }, { jobId: `batch-test-${randomUUID()}` });
    const result = await eventDelivery.processor(deps, services.logger).process(job);
    expect(result).toEqual({ events: 3, handedBack: [bad!.id], notStarted: [] });
    for (const event of good) expect(await marksOf(event.id)).toEqual(['analytics', 'push']);
    const processed = await services.db.select({ id: eventLog.id, processedAt: eventLog.processedAt }).from(eventLog).where(inArray(eventLog.id, eventIds));
    expect(processed.filter((e) => e.processedAt).map((e) => e.id).sort()).toEqual(good.map((e) => e.id).sort());
    // The bad one waits in its own job, which fails on its own (and goes to the dead letters, as any event's).
    const handedBack = await queue.getJob(`event-${bad!.id}`);
    expect(handedBack?.data).toEqual({ eventId: bad!.id, orgId: org.org.id });
    expect(await handedBack!.getState()).toBe('delayed');
    await expect(eventDelivery.processor(deps, services.logger).process(handedBack!)).rejects.toBeInstanceOf(UnrecoverableError);
    await handedBack!.remove();
    await job.remove();
  });

  it('a batch starts events only within its time budget; the rest go on at once in jobs of their own', async () => {
    const slow: Consumer = { name: 'slow', handles: (type) => type === 'purchaseRequest.created', apply: () => new Promise((r) => setTimeout(r, 150)) };
    const events = await Promise.all(Array.from({ length: 6 }, () => createdEventOfNewRequest()));
    const eventIds = events.map((e) => e.id).sort((a, b) => a - b);
    const queue = services.queues.queue(queueNames.domainEvents);
    const job = await queue.add('events', { eventIds, orgId: org.org.id }, { jobId: `batch-test-${randomUUID()}` });
    const result = await createEventDelivery([...consumers, slow], { batchBudgetMs: 100 }).processor(deps, services.logger).process(job);
    // 0 ms: the first four start, one a lane; ~150 ms: two lanes free, out of time for the last two.
    expect(result).toEqual({ events: 6, handedBack: [], notStarted: eventIds.slice(4) });
    for (const id of eventIds.slice(0, 4)) expect(await marksOf(id)).toEqual(['analytics', 'push', 'slow']);
    for (const id of eventIds.slice(4)) {
      expect(await marksOf(id)).toEqual([]);
      const later = await queue.getJob(`event-${id}`);
      expect(later?.data).toEqual({ eventId: id, orgId: org.org.id });
      expect(await later!.getState()).toBe('waiting');
      await later!.remove();
    }
    await job.remove();
  });

  it("an admin's retry of a batch's dead letter fails on its first failing event instead of handing it back", async () => {
    const good = await createdEventOfNewRequest();
    const [bad] = await services.db
      .insert(eventLog)
      .values({ orgId: org.org.id, type: 'purchaseRequest.created', aggregateType: 'purchaseRequest', aggregateId: randomUUID(), aggregateSeq: 1, payload: { storeId: 'not-a-uuid' } })
      .returning();
    const queue = services.queues.queue(queueNames.domainEvents);
    const job = await queue.add('events', { eventIds: [good.id, bad!.id], orgId: org.org.id }, { jobId: retriedJobId(randomUUID(), 1) });
    await expect(eventDelivery.processor(deps, services.logger).process(job)).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await marksOf(good.id)).toEqual(['analytics', 'push']);
    expect(await queue.getJob(`event-${bad!.id}`)).toBeUndefined();
    await job.remove();
  });

  it('the redelivery sweep leaves events a queued batch still holds, and queues them alone once that job is lost', async () => {
    const events = await Promise.all([createdEventOfNewRequest(), createdEventOfNewRequest()]);
    const ids = events.map((e) => e.id).sort((a, b) => a - b);
    const publishedAt = Date.now() - 120_000;
    await services.db.update(eventLog).set({ publishedAt: new Date(publishedAt) }).where(inArray(eventLog.id, ids));
    const queue = services.queues.queue(queueNames.domainEvents);
    const [batch] = jobOf.events(ids.map((id) => ({ id, type: 'purchaseRequest.created', orgId: org.org.id })));
    const job = await queue.add(batch!.name, batch!.data, { ...batch!.opts, timestamp: publishedAt });
    const singles = async () => (await Promise.all(ids.map((id) => queue.getJob(`event-${id}`)))).filter(Boolean).length;
    const sweep = startRedeliverySweep({ db: services.db, domainEvents: queue, fcm: null, logger: services.logger, afterMs: 1000 });
    try {
      await new Promise((r) => setTimeout(r, 1500)); // rounds every 500 ms
      expect(await singles()).toBe(0);
      await job.remove(); // as Redis losing it
      await until(async () => (await singles()) === 2, 5000);
    } finally {
      await sweep.stop();
      await Promise.all(ids.map(async (id) => (await queue.getJob(`event-${id}`))?.remove()));
    }
  });
});

describe('outbox relay', () => {
  it('two relays publish every event exactly once between them (FOR UPDATE SKIP LOCKED)', async () => {
    const queue = services.queues.queue(queueNames.domainEvents);
    const handedOver: number[] = [];
    // The real queue, with a record of every event the relays hand it (one a job, or several: a batch).
    const recording = {
      addBulk: (jobs: { data: { eventId?: number; eventIds?: number[] } }[]) => {
        handedOver.push(...jobs.flatMap((j) => j.data.eventIds ?? [j.data.eventId!]));
        return queue.addBulk(jobs as never);
      },
    } as unknown as typeof queue;
    const relays = [1, 2].map(() => startOutboxRelay({ db: services.db, sql: services.sql, queue: recording, logger: services.logger, batchSize: 7, pollMs: 50 }));
    try {
      const ids: number[] = [];
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const written = await services.db.transaction((tx) =>
            appendEvents(
              tx,
              Array.from({ length: 10 }, (_, j) => ({
                type: 'product.updated' as const,
                orgId: org.org.id,
                aggregateId: `relay-test-${i}`,
                payload: { productId: org.products[0]!.id, ean: org.products[0]!.ean, changed: [`n${j}`] },
              })),
              { userId: null },
            ),
          );
          ids.push(...written);
        }),
      );
      await until(async () => (await services.db.$count(eventLog, and(inArray(eventLog.id, ids), isNull(eventLog.publishedAt)))) === 0, 15_000);
      const mine = handedOver.filter((id) => ids.includes(id));
      expect(mine).toHaveLength(ids.length);
      expect(new Set(mine).size).toBe(ids.length);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
  });
});
