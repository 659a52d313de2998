import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { startFcmStandIn } from '../../../tests/helpers/fcm-standin';
import { until } from '../../../tests/helpers/until';
import { deadLetterQueue, eventLog, notifications } from '~/server/db/schema';
import { queueNames } from '~/server/queues/definitions';
import type { Services } from '~/server/services';
import { startWorkers, type WorkerRuntime } from './workers';

/** The embedded default has no Redis: the same processors on BullMQ's PostgreSQL backend, one switch. */
let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let fcm: Awaited<ReturnType<typeof startFcmStandIn>>;
let runtime: WorkerRuntime;

beforeAll(async () => {
  fcm = await startFcmStandIn();
  ({ services, close } = await createTestServices({ REDIS_URL: '', FCM_PROJECT_ID: 'stand-in', FCM_ENDPOINT_OVERRIDE: fcm.url }));
  org = await createOrgFixture(services, 'pg-queues');
  runtime = await startWorkers(services);
  await (await callerFor(services, { sessionSecret: org.secrets.buyer })).notifications.registerDevice({ token: `pg-buyer-device-${'p'.repeat(20)}` });
});
afterAll(async () => {
  await runtime.stop(5000);
  await close();
  await fcm.close();
});


describe('workers on the PostgreSQL queue backend', () => {
  it('runs on it', () => {
    expect(services.queues.kind).toBe('postgres');
  });

  it('takes a submitted request through relay, consumers and FCM: the buyer gets the push once, and its event is processed', async () => {
    const clerk = await callerFor(services, { sessionSecret: org.secrets.clerk });
    const request = await clerk.purchaseRequests.create({ id: randomUUID(), storeId: org.stores[0]!.id, items: [{ productId: org.products[0]!.id, quantity: 1 }], submit: true });
    const note = await until(async () => {
      const [n] = await services.db.select().from(notifications).where(and(eq(notifications.userId, org.users.buyer.id), sql`${notifications.data}->>'requestId' = ${request.id}`));
      return n?.pushStatus === 'sent' ? n : null;
    }, 20_000);
    expect(fcm.deliveries.filter((d) => d.notificationId === note.id)).toHaveLength(1);
    const [created] = await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, request.id), eq(eventLog.type, 'purchaseRequest.created')));
    expect(created!.processedAt).not.toBeNull();
  });

  it('sends a malformed payload straight to the dead-letter queue', async () => {
    await services.queues.queue(queueNames.fcm).add('push', { notificationId: 'not-a-uuid' }, { jobId: 'pg-malformed-1' });
    const letter = await until(async () => (await services.db.select().from(deadLetterQueue).where(eq(deadLetterQueue.originalId, 'pg-malformed-1')))[0], 20_000);
    expect(letter).toMatchObject({ sourceQueue: 'fcm-notifications', attempts: 1 });
  });
});
