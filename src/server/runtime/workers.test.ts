import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, codeOf, createOperatorFixture, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { startFcmStandIn } from '../../../tests/helpers/fcm-standin';
import { until } from '../../../tests/helpers/until';
import { deadLetterQueue, deviceTokens, eventLog, notifications, processedEvents, products, storeDailyStats } from '~/server/db/schema';
import { queueNames } from '~/server/queues/definitions';
import type { Services } from '~/server/services';
import { startWorkers, type WorkerRuntime } from './workers';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let fcm: Awaited<ReturnType<typeof startFcmStandIn>>;
let runtime: WorkerRuntime;

beforeAll(async () => {
  fcm = await startFcmStandIn();
  // The queue's own retries and dead letters, one send per attempt: FCM's breaker never judges this file's few
  // failures (window and minimum far above them). FCM down for everyone, with the breaker: push-outage.test.ts.
  ({ services, close } = await createTestServices({
    FCM_PROJECT_ID: 'stand-in',
    FCM_ENDPOINT_OVERRIDE: fcm.url,
    FCM_RATE_LIMIT_DELAY_MS: '300',
    FCM_RETRIES: '0',
    FCM_BREAKER_WINDOW: '10000',
    FCM_BREAKER_MIN_CALLS: '10000',
  }));
  org = await createOrgFixture(services, 'workers');
  runtime = await startWorkers(services);
  const buyer = await callerFor(services, { sessionSecret: org.secrets.buyer });
  await buyer.notifications.registerDevice({ token: `device-of-buyer-${'x'.repeat(20)}` });
});
afterAll(async () => {
  await runtime.stop(5000);
  await close();
  await fcm.close();
});


async function submitRequest() {
  const clerk = await callerFor(services, { sessionSecret: org.secrets.clerk });
  return clerk.purchaseRequests.create({ id: randomUUID(), storeId: org.stores[0]!.id, items: [{ productId: org.products[0]!.id, quantity: 1 }], submit: true });
}
const buyerNotificationOf = async (requestId: string) =>
  (await services.db.select().from(notifications).where(and(eq(notifications.userId, org.users.buyer.id), sql`${notifications.data}->>'requestId' = ${requestId}`)))[0];
const deliveriesOf = (notificationId: string) => fcm.deliveries.filter((d) => d.notificationId === notificationId).length;

const testDevices: string[] = [];
afterEach(async () => {
  if (testDevices.length > 0) await services.db.delete(deviceTokens).where(inArray(deviceTokens.token, testDevices.splice(0)));
});

/**
 * A queued notification for `userId` with these devices (removed after the test), and its push job: the FCM
 * processor alone, without the event path.
 */
async function pushTo(userId: string, tokens: string[]) {
  testDevices.push(...tokens);
  for (const token of tokens) await services.db.insert(deviceTokens).values({ orgId: org.org.id, userId, token }).onConflictDoNothing();
  const [note] = await services.db.insert(notifications).values({ orgId: org.org.id, userId, kind: 'test', title: 'Teste', body: 'Corpo', pushStatus: 'queued' }).returning();
  await services.queues.queue(queueNames.fcm).add('push', { notificationId: note!.id, orgId: org.org.id }, { jobId: `push-${note!.id}` });
  return note!;
}
const statusOf = async (notificationId: string) => (await services.db.select().from(notifications).where(eq(notifications.id, notificationId)))[0]!;
const letterOf = (jobId: string) => until(async () => (await services.db.select().from(deadLetterQueue).where(eq(deadLetterQueue.originalId, jobId)))[0], 15_000);
const devicesOf = async (userId: string) => (await services.db.select({ token: deviceTokens.token }).from(deviceTokens).where(eq(deviceTokens.userId, userId))).map((d) => d.token).sort();
const token = (name: string) => `${name}-${randomUUID()}`;

describe('FCM processor: what each kind of failure does', () => {
  it('after a partial failure, retries only the devices that missed it: none gets it twice', async () => {
    const [phone, tablet] = [token('phone'), token('tablet')];
    fcm.failToken(tablet, 'internal', 1);
    const note = await pushTo(org.users.clerk.id, [phone, tablet]);
    await until(async () => (await statusOf(note.id)).pushStatus === 'sent', 15_000);
    const requests = fcm.log.filter((r) => r.notificationId === note.id);
    expect(requests.filter((r) => r.token === phone).map((r) => r.status)).toEqual([200]);
    expect(requests.filter((r) => r.token === tablet).map((r) => r.status)).toEqual([500, 200]);
    const [sent] = await services.db.select().from(eventLog).where(and(eq(eventLog.type, 'notification.sent'), eq(eventLog.aggregateId, note.id)));
    expect(sent!.payload).toMatchObject({ devices: 2 });
    expect(fcm.duplicates()).not.toContain(note.id);
  });

  it('an error no retry can mend (our credentials) goes to the dead-letter queue at once, not "sent", and keeps the device', async () => {
    const device = token('denied');
    fcm.failToken(device, 'permission-denied');
    const note = await pushTo(org.users.manager.id, [device]);
    const letter = await letterOf(`push-${note.id}`);
    expect(letter).toMatchObject({ attempts: 1, orgId: org.org.id });
    expect(letter.errorMessage).toContain('messaging/mismatched-credential');
    expect((await statusOf(note.id)).pushStatus).toBe('failed');
    expect(await services.db.$count(eventLog, and(eq(eventLog.type, 'notification.sent'), eq(eventLog.aggregateId, note.id)))).toBe(0);
    expect(await devicesOf(org.users.manager.id)).toContain(device);
  });

  it('a device that refuses for good does not hold back the others: sent to those, and a token of another sender is removed', async () => {
    const [phone, foreign, denied] = [token('phone'), token('foreign'), token('apns')];
    fcm.failToken(foreign, 'sender-id-mismatch');
    fcm.failToken(denied, 'permission-denied');
    const note = await pushTo(org.users.manager.id, [phone, foreign, denied]);
    await until(async () => (await statusOf(note.id)).pushStatus === 'sent', 15_000);
    expect(fcm.deliveries.filter((d) => d.notificationId === note.id).map((d) => d.token)).toEqual([phone]);
    const devices = await devicesOf(org.users.manager.id);
    expect(devices).not.toContain(foreign);
    expect(devices).toContain(denied);
    expect(await services.db.$count(deadLetterQueue, eq(deadLetterQueue.originalId, `push-${note.id}`))).toBe(0);
  });

  it('removes a device FCM calls an invalid token, but not one whose message FCM rejected', async () => {
    const [bad, good] = [token('bad'), token('good')];
    fcm.failToken(bad, 'invalid-token');
    fcm.failToken(good, 'invalid-payload');
    const note = await pushTo(org.users.admin.id, [bad, good]);
    const letter = await letterOf(`push-${note.id}`);
    expect(letter.errorMessage).toContain('messaging/invalid-argument');
    const devices = await devicesOf(org.users.admin.id);
    expect(devices).toContain(good);
    expect(devices).not.toContain(bad);
  });

  it('after a 429 waits as long as FCM\'s Retry-After asks, not the shorter configured fallback', async () => {
    const device = token('busy');
    fcm.rateLimitNext(1, 1); // Retry-After: 1 s; FCM_RATE_LIMIT_DELAY_MS is 300 ms here
    const note = await pushTo(org.users.clerk.id, [device]);
    await until(async () => (await statusOf(note.id)).pushStatus === 'sent', 15_000);
    const [limited, delivered] = fcm.log.filter((r) => r.token === device);
    expect([limited!.status, delivered!.status]).toEqual([429, 200]);
    expect(delivered!.at - limited!.at).toBeGreaterThanOrEqual(1000);
  });
});

describe('event path: outbox → relay → consumer → FCM job → FCM', () => {
  it('delivers the buyer push of a submitted request once, and records notification.sent', async () => {
    const request = await submitRequest();
    const note = await until(async () => {
      const n = await buyerNotificationOf(request.id);
      return n?.pushStatus === 'sent' ? n : null;
    });
    expect(deliveriesOf(note.id)).toBe(1);
    const sent = await services.db.select().from(eventLog).where(and(eq(eventLog.type, 'notification.sent'), eq(eventLog.aggregateId, note.id)));
    expect(sent).toHaveLength(1);
    // No consumer wants notification.sent: the relay marks it published without a job.
    await until(async () => (await services.db.select().from(eventLog).where(eq(eventLog.id, sent[0]!.id)))[0]?.publishedAt);
    expect(await services.queues.queue(queueNames.domainEvents).getJob(`event-${sent[0]!.id}`)).toBeUndefined();
    const [published] = await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, request.id), eq(eventLog.type, 'purchaseRequest.created')));
    expect(published!.publishedAt).not.toBeNull();
  });

  it('with push switched off for the org (feature flag), a notification stays in the bell and FCM gets nothing', async () => {
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    await admin.admin.flags.set({ flag: 'pushDelivery', storeId: null, enabled: false });
    try {
      const request = await submitRequest();
      const note = await until(async () => {
        const n = await buyerNotificationOf(request.id);
        return n && n.pushStatus !== 'queued' && n.pushStatus !== 'sending' ? n : null;
      });
      expect(note.pushStatus).toBe('none');
      // Its job ran (and ended), and nothing reached FCM.
      await until(async () => ((await services.queues.queue(queueNames.fcm).getJob(`push-${note.id}`))?.finishedOn ? true : null));
      expect(deliveriesOf(note.id)).toBe(0);
    } finally {
      await admin.admin.flags.set({ flag: 'pushDelivery', storeId: null, enabled: null });
    }
  });

  it('changes nothing twice when an event is delivered again', async () => {
    const request = await submitRequest();
    const note = await until(async () => ((await buyerNotificationOf(request.id))?.pushStatus === 'sent' ? buyerNotificationOf(request.id) : null));
    const [event] = await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, request.id), eq(eventLog.type, 'purchaseRequest.created')));
    await services.queues.queue(queueNames.domainEvents).add('again', { eventId: event!.id, orgId: org.org.id }, { jobId: `again-${event!.id}` });
    await until(async () => (await services.queues.queue(queueNames.domainEvents).getJobState(`again-${event!.id}`)) === 'completed');
    await new Promise((r) => setTimeout(r, 300));
    expect(deliveriesOf(note!.id)).toBe(1);
    const marks = await services.db.select().from(processedEvents).where(eq(processedEvents.eventId, event!.id));
    expect(marks.map((m) => m.consumer).sort()).toEqual(['analytics', 'push']);
  });

  it('retries with backoff after FCM errors and delivers once', async () => {
    fcm.failNext(2);
    const request = await submitRequest();
    const note = await until(async () => ((await buyerNotificationOf(request.id))?.pushStatus === 'sent' ? buyerNotificationOf(request.id) : null), 15_000);
    expect(deliveriesOf(note!.id)).toBe(1);
    const job = await services.queues.queue(queueNames.fcm).getJob(`push-${note!.id}`);
    expect(job?.attemptsMade).toBe(3); // two failures, then the delivery
    expect(job!.finishedOn! - job!.timestamp).toBeGreaterThanOrEqual(2900); // waited 1 s, then 2 s
  });

  it('absorbs FCM 503s with the SDK’s own backoff', async () => {
    fcm.failNext(3, 503);
    const request = await submitRequest();
    const note = await until(async () => ((await buyerNotificationOf(request.id))?.pushStatus === 'sent' ? buyerNotificationOf(request.id) : null), 15_000);
    expect(deliveriesOf(note!.id)).toBe(1);
  });

  it('sends a job FCM keeps failing while its breaker stays closed to the dead-letter queue; a retry from the admin delivers it', async () => {
    fcm.setFailAlways(true);
    const request = await submitRequest();
    const note = await until(async () => ((await buyerNotificationOf(request.id))?.pushStatus === 'failed' ? buyerNotificationOf(request.id) : null), 20_000);
    const letter = await until(async () => (await services.db.select().from(deadLetterQueue).where(eq(deadLetterQueue.originalId, `push-${note!.id}`)))[0]);
    expect(letter).toMatchObject({ sourceQueue: 'fcm-notifications', attempts: 3, maxAttempts: 3, orgId: org.org.id, payload: { notificationId: note!.id } });
    expect(letter.errorMessage).toContain('will retry');
    expect(deliveriesOf(note!.id)).toBe(0);

    fcm.setFailAlways(false);
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    expect((await admin.admin.dlq.list({ limit: 50, queue: 'fcm-notifications' })).items.map((l) => l.id)).toContain(letter.id);
    await admin.admin.dlq.retry({ id: letter.id });
    await until(async () => ((await buyerNotificationOf(request.id))?.pushStatus === 'sent' ? true : null));
    expect(deliveriesOf(note!.id)).toBe(1);
    await admin.admin.dlq.resolve({ id: letter.id, note: 'FCM voltou' });
    const [resolved] = await services.db.select().from(deadLetterQueue).where(eq(deadLetterQueue.id, letter.id));
    expect(resolved).toMatchObject({ resolvedBy: org.users.admin.id, resolutionNote: 'FCM voltou' });
    expect(resolved!.retryHistory).toHaveLength(1);
    // The page names who retried and resolved it (the screen has no list of every user to look them up in).
    const page = await admin.admin.dlq.list({ limit: 50, resolved: true });
    expect(page.items.map((l) => l.id)).toContain(letter.id);
    expect(page.people).toEqual({ [org.users.admin.id]: org.users.admin.name });
  });

  it('an admin replay of processed events to one consumer clears its marks and applies them again, to it alone', async () => {
    const request = await submitRequest();
    await until(async () => ((await buyerNotificationOf(request.id))?.pushStatus === 'sent' ? true : null));
    const [event] = await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, request.id), eq(eventLog.type, 'purchaseRequest.created')));
    const createdToday = async () =>
      (await services.db.select({ n: storeDailyStats.requestsCreated }).from(storeDailyStats).where(eq(storeDailyStats.storeId, org.stores[0]!.id))).reduce((sum, r) => sum + r.n, 0);
    const before = await createdToday();
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    expect(await admin.admin.events.replay({ eventIds: [event!.id], consumer: 'analytics' })).toEqual({ replayed: 1, skipped: 0 });
    await until(async () => (await createdToday()) === before + 1);
    // The push consumer was not asked: no second notification.
    expect(await services.db.$count(notifications, eq(notifications.sourceEventId, String(event!.id)))).toBe(1);
    const marks = await services.db.select().from(processedEvents).where(eq(processedEvents.eventId, event!.id));
    expect(marks.map((m) => m.consumer).sort()).toEqual(['analytics', 'push']);
  });

  it('does not retry a malformed payload: straight to the dead-letter queue', async () => {
    await services.queues.queue(queueNames.fcm).add('push', { notificationId: 'not-a-uuid' }, { jobId: 'malformed-1' });
    const letter = await until(async () => (await services.db.select().from(deadLetterQueue).where(eq(deadLetterQueue.originalId, 'malformed-1')))[0]);
    expect(letter.attempts).toBe(1);
    expect(letter.errorMessage).toContain('Invalid payload');
    // An org id that is no uuid still gets its row: without an org, the payload kept as it came.
    await services.queues.queue(queueNames.fcm).add('push', { notificationId: 'x', orgId: 'abc' }, { jobId: 'malformed-2' });
    const second = await until(async () => (await services.db.select().from(deadLetterQueue).where(eq(deadLetterQueue.originalId, 'malformed-2')))[0]);
    expect(second).toMatchObject({ orgId: null, payload: { notificationId: 'x', orgId: 'abc' } });
  });

  it("a job of no org lands in the system's dead letters: the platform operator sees and retries it, no org's admin does", async () => {
    await services.queues.queue(queueNames.fcm).add('push', { notificationId: 'y', orgId: 'nobody' }, { jobId: 'malformed-system' });
    const letter = await letterOf('malformed-system');
    expect(letter.orgId).toBeNull();
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    expect((await admin.admin.dlq.list({ limit: 200 })).items.map((l) => l.id)).not.toContain(letter.id);
    expect(await codeOf(admin.admin.dlq.retry({ id: letter.id }))).toBe('NOT_FOUND');

    const { operator, secret } = await createOperatorFixture(services, 'workers');
    const op = await callerFor(services, { sessionSecret: secret });
    expect((await op.operator.dlq.list({ limit: 200, queue: 'fcm-notifications' })).items.map((l) => l.id)).toContain(letter.id);
    const retried = await op.operator.dlq.retry({ id: letter.id });
    expect(retried.jobId).toBe(`dlq:${letter.id}:1`);
    // Still malformed: the retry fails at once and comes back to the same letter, with the operator in its history.
    const again = await until(async () => {
      const [row] = await services.db.select().from(deadLetterQueue).where(eq(deadLetterQueue.id, letter.id));
      return row && row.attempts === 2 ? row : null;
    }, 15_000);
    expect(again.retryHistory).toEqual([expect.objectContaining({ by: operator.id, newJobId: retried.jobId })]);
    const resolved = await op.operator.dlq.resolve({ id: letter.id, note: 'payload inválido, nada a reenviar' });
    expect(resolved).toMatchObject({ resolvedBy: operator.id, resolutionNote: 'payload inválido, nada a reenviar' });
    expect((await op.operator.dlq.list({ limit: 200, resolved: true })).people[operator.id]).toBe(operator.name);
  });

  it('a dead letter resolved while its retry runs is reopened when that retry fails too', async () => {
    const device = token('down');
    fcm.failToken(device, 'internal');
    const note = await pushTo(org.users.manager.id, [device]);
    const letter = await letterOf(`push-${note.id}`);
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    const retried = await admin.admin.dlq.retry({ id: letter.id });
    // Asked again while that retry has not finished: the same job, not a second one.
    expect(await admin.admin.dlq.retry({ id: letter.id })).toEqual(retried);
    expect((await services.db.select().from(deadLetterQueue).where(eq(deadLetterQueue.id, letter.id)))[0]!.retryHistory).toHaveLength(1);
    await admin.admin.dlq.resolve({ id: letter.id, note: 'deve ter voltado' });
    const reopened = await until(async () => {
      const [row] = await services.db.select().from(deadLetterQueue).where(eq(deadLetterQueue.id, letter.id));
      return row && row.resolvedAt === null ? row : null;
    }, 15_000);
    expect(reopened).toMatchObject({ attempts: 6, resolvedBy: null });
    expect((await admin.admin.dlq.list({ limit: 100, queue: 'fcm-notifications' })).items.map((l) => l.id)).toContain(letter.id);
  });

  it('sends a new product without an image through the image pipeline (manual review + image.processed, together)', async () => {
    const buyer = await callerFor(services, { sessionSecret: org.secrets.buyer });
    const product = await buyer.products.create({ ean: '7891000315507', name: 'Produto sem foto' });
    await until(async () => ((await services.db.select().from(products).where(eq(products.id, product.id)))[0]?.imageStatus === 'manual_review' ? true : null));
    const events = await services.db.select({ type: eventLog.type }).from(eventLog).where(eq(eventLog.aggregateId, product.id)).orderBy(eventLog.aggregateSeq);
    expect(events.map((e) => e.type)).toEqual(['product.created', 'image.processed']);
  });

  it('leaves no event behind in the outbox', async () => {
    await until(async () => (await services.db.$count(eventLog, isNull(eventLog.publishedAt))) === 0);
  });
});
