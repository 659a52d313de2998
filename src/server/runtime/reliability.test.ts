import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { startFcmStandIn } from '../../../tests/helpers/fcm-standin';
import { until } from '../../../tests/helpers/until';
import { startRedisServer } from '../../../tests/helpers/redis-server';
import { spawnWorkerProcess } from '../../../tests/helpers/worker-process';
import { eventLog, notifications, processedEvents, storeDailyStats } from '~/server/db/schema';
import type { Services } from '~/server/services';
import { eventDelivery } from '~/server/runtime/consumers';
import { startWorkers } from './workers';


async function submit(services: Services, org: OrgFixture, count: number) {
  const clerk = await callerFor(services, { sessionSecret: org.secrets.clerk });
  const ids: string[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, () =>
        clerk.purchaseRequests.create({ id: randomUUID(), storeId: org.stores[0]!.id, items: [{ productId: org.products[0]!.id, quantity: 1 }], submit: true }),
      ),
    );
    ids.push(...batch.map((r) => r.id));
  }
  return ids;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe('reliability', () => {
  it('Redis killed while events are being produced: every event is applied once, every push sent once, those that waited in the outbox in order per aggregate', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const fcm = await startFcmStandIn();
    cleanups.push(() => fcm.close());
    // Nothing persists in this Redis: jobs queued before the kill are gone after it, and the redelivery sweep
    // (every second here) must queue their events again.
    const { services, close } = await createTestServices({ REDIS_URL: redis.url, FCM_PROJECT_ID: 'stand-in', FCM_ENDPOINT_OVERRIDE: fcm.url, REDELIVER_AFTER_MS: '2000' });
    cleanups.push(close);
    const org = await createOrgFixture(services, 'rel-redis');
    const runtime = await startWorkers(services);
    cleanups.push(() => runtime.stop(3000));
    const started: number[] = [];
    // A relay batch starts its events in id order.
    runtime.workers.find((w) => w.name === 'domain-events')!.on('active', (job) => started.push(...((job.data.eventIds as number[] | undefined) ?? [Number(job.data.eventId)])));
    await (await callerFor(services, { sessionSecret: org.secrets.buyer })).notifications.registerDevice({ token: `buyer-device-${'y'.repeat(20)}` });
    await (await callerFor(services, { sessionSecret: org.secrets.clerk })).notifications.registerDevice({ token: `clerk-device-${'y'.repeat(20)}` });
    const buyer = await callerFor(services, { sessionSecret: org.secrets.buyer });
    const decide = async (ids: string[]) => {
      for (const [i, id] of ids.entries()) {
        const detail = await buyer.purchaseRequests.byId({ id });
        await buyer.purchaseRequests.decideItem({ itemId: detail.items[0]!.id, decision: i % 2 ? 'approve' : 'reject', reason: 'teste' });
      }
    };

    // Submitted with Redis up: their events are published, their jobs are in Redis (or already done) at the kill.
    const before = await submit(services, org, 3);
    await redis.kill();
    // Produced while Redis is down: the decisions on those, and three whole new requests.
    await decide(before);
    const during = await submit(services, org, 3);
    await decide(during);
    await new Promise((r) => setTimeout(r, 1500));
    // Nothing produced during the outage went out (the creations of `before` may not have either).
    const waiting = await services.db.select({ id: eventLog.id, aggregateId: eventLog.aggregateId }).from(eventLog).where(isNull(eventLog.publishedAt));
    expect(waiting.length).toBeGreaterThanOrEqual(before.length * 2 + during.length * 3);
    expect(waiting.filter((e) => during.includes(e.aggregateId))).toHaveLength(during.length * 3);

    await redis.start();
    const all = [...before, ...during];
    await until(async () => (await services.db.$count(eventLog, isNull(eventLog.processedAt))) === 0, 30_000);
    const pushes = await until(async () => {
      const rows = await services.db.select().from(notifications).where(inArray(notifications.userId, [org.users.buyer.id, org.users.clerk.id]));
      return rows.length === all.length * 2 && rows.every((n) => n.pushStatus === 'sent') ? rows : null;
    }, 30_000);
    for (const n of pushes) expect(fcm.deliveries.filter((d) => d.notificationId === n.id), n.kind).toHaveLength(1);
    for (const id of all) {
      const events = await services.db.select().from(eventLog).where(eq(eventLog.aggregateId, id)).orderBy(eventLog.aggregateSeq);
      expect(events.map((e) => e.type)).toEqual(['purchaseRequest.created', 'purchaseRequest.itemDecided', 'purchaseRequest.completed']);
      const marks = await services.db.$count(processedEvents, inArray(processedEvents.eventId, events.map((e) => e.id)));
      expect(marks).toBe(4); // push and analytics, on created and on itemDecided: each once
      if (during.includes(id)) {
        // Waited in the outbox and went out after the restart: they reached the consumers in sequence.
        const firstStart = events.map((e) => started.indexOf(e.id));
        expect(firstStart.every((at) => at >= 0)).toBe(true);
        expect([...firstStart].sort((a, b) => a - b)).toEqual(firstStart);
      }
    }
  }, 90_000);

  it('loses no job when the worker process is killed with SIGKILL mid-run; resends are at most the jobs that were mid-send', async () => {
    const fcm = await startFcmStandIn();
    cleanups.push(() => fcm.close());
    fcm.setDelay(30);
    const prefix = `mi-test-${randomBytes(4).toString('hex')}:`;
    const { services, close, database } = await createTestServices({ REDIS_KEY_PREFIX: prefix });
    cleanups.push(close);
    const org = await createOrgFixture(services, 'rel-kill');
    await (await callerFor(services, { sessionSecret: org.secrets.buyer })).notifications.registerDevice({ token: `buyer-device-${'z'.repeat(20)}` });
    const startWorker = () =>
      spawnWorkerProcess({ DATABASE_URL: database.url, REDIS_KEY_PREFIX: prefix, FCM_PROJECT_ID: 'stand-in', FCM_ENDPOINT_OVERRIDE: fcm.url, WORKER_LOCK_DURATION_MS: '2000' });
    let worker: ChildProcess = startWorker();
    cleanups.push(async () => worker.kill('SIGKILL'));

    const total = 120;
    await submit(services, org, total);
    await until(async () => fcm.deliveries.length >= total / 3, 120_000); // the worker's start is slow on a loaded machine
    worker.kill('SIGKILL');
    await once(worker, 'exit');
    // Counted once the worker is dead: what it left `sending` is exactly what was mid-send at the kill.
    const sendingAtKill = await services.db.$count(notifications, and(eq(notifications.userId, org.users.buyer.id), eq(notifications.pushStatus, 'sending')));
    const killedAt = Date.now();
    worker = startWorker();

    await until(async () => {
      const rows = await services.db.select({ status: notifications.pushStatus }).from(notifications).where(eq(notifications.userId, org.users.buyer.id));
      return rows.length === total && rows.every((r) => r.status === 'sent');
    }, 60_000);
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    const delivered = new Set(fcm.deliveries.map((d) => d.notificationId));
    expect(delivered.size).toBe(total);
    expect(fcm.duplicates().length).toBeLessThanOrEqual(sendingAtKill);
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    console.info(`kill -9: ${total} jobs, ${sendingAtKill} mid-send at the kill, ${fcm.duplicates().length} resent, recovered in ${recoverySeconds.toFixed(1)} s`);
  }, 120_000);

  it('SIGTERM lets the pushes in flight finish, takes no new job, and exits within the shutdown time', async () => {
    const fcm = await startFcmStandIn();
    cleanups.push(() => fcm.close());
    fcm.setDelay(1500);
    const prefix = `mi-test-${randomBytes(4).toString('hex')}:`;
    const { services, close, database } = await createTestServices({ REDIS_KEY_PREFIX: prefix });
    cleanups.push(close);
    const org = await createOrgFixture(services, 'rel-term');
    await (await callerFor(services, { sessionSecret: org.secrets.buyer })).notifications.registerDevice({ token: `buyer-device-${'t'.repeat(20)}` });
    const env = { DATABASE_URL: database.url, REDIS_KEY_PREFIX: prefix, FCM_PROJECT_ID: 'stand-in', FCM_ENDPOINT_OVERRIDE: fcm.url, SHUTDOWN_TIMEOUT_MS: '8000' };
    let worker = spawnWorkerProcess(env);
    cleanups.push(async () => worker.kill('SIGKILL'));
    const statuses = async () =>
      (await services.db.select({ status: notifications.pushStatus }).from(notifications).where(eq(notifications.userId, org.users.buyer.id))).map((r) => r.status);

    await submit(services, org, 4);
    // Pushes are mid-send (the stand-in holds each for 1.5 s) when SIGTERM comes.
    await until(async () => (await statuses()).includes('sending'), 20_000);
    const signalled = Date.now();
    const exited = once(worker, 'exit');
    worker.kill('SIGTERM');
    // Requests made while it drains are not its work any more.
    const late = await submit(services, org, 2);
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(8000 + 5000);
    // What was mid-send finished: nothing is left `sending`, and every send that started was delivered.
    const after = await statuses();
    expect(after).not.toContain('sending');
    expect(after.filter((s) => s === 'sent').length).toBe(fcm.deliveries.length);
    expect(fcm.deliveries.length).toBeGreaterThan(0);
    // Their events wait in the outbox, unapplied: nobody has written their notifications, let alone sent them.
    const lateEvents = await services.db.select({ processedAt: eventLog.processedAt }).from(eventLog).where(inArray(eventLog.aggregateId, late));
    expect(lateEvents.map((e) => e.processedAt)).toEqual([null, null]);
    expect(await services.db.$count(notifications, inArray(sql`${notifications.data}->>'requestId'`, late))).toBe(0);

    // The next worker sends the rest, none twice.
    worker = spawnWorkerProcess(env);
    await until(async () => {
      const all = await statuses();
      return all.length === 6 && all.every((s) => s === 'sent');
    }, 30_000);
    expect(fcm.duplicates()).toEqual([]);
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  }, 90_000);

  it('consumers are order-independent: the events of one request applied in reverse give the same state', async () => {
    const { services, close } = await createTestServices();
    cleanups.push(close);
    const org = await createOrgFixture(services, 'rel-order');
    const deps = { services, pushEnabled: true };
    const ids = await submit(services, org, 2);
    const buyer = await callerFor(services, { sessionSecret: org.secrets.buyer });
    for (const id of ids) {
      const detail = await buyer.purchaseRequests.byId({ id });
      await buyer.purchaseRequests.decideItem({ itemId: detail.items[0]!.id, decision: 'approve' });
    }
    const stats = async () => {
      const rows = await services.db.select().from(storeDailyStats).where(eq(storeDailyStats.storeId, org.stores[0]!.id));
      const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((total, r) => total + pick(r), 0);
      return { created: sum((r) => r.requestsCreated), value: sum((r) => Number(r.requestsValue)), approved: sum((r) => r.itemsApproved), rejected: sum((r) => r.itemsRejected) };
    };
    const apply = async (requestId: string, reverse: boolean) => {
      const rows = await services.db.select({ id: eventLog.id }).from(eventLog).where(eq(eventLog.aggregateId, requestId)).orderBy(eventLog.aggregateSeq);
      const before = await stats();
      for (const { id } of reverse ? rows.reverse() : rows) await eventDelivery.apply(deps, id);
      const after = await stats();
      // What the analytics consumer added for this request (the charts' figures).
      const analytics = { created: after.created - before.created, value: after.value - before.value, approved: after.approved - before.approved, rejected: after.rejected - before.rejected };
      const notes = await services.db
        .select({ kind: notifications.kind, push: notifications.pushStatus })
        .from(notifications)
        .where(sql`${notifications.data}->>'requestId' = ${requestId}`)
        .orderBy(notifications.kind);
      const marks = await services.db
        .select({ consumer: processedEvents.consumer, type: eventLog.type })
        .from(processedEvents)
        .innerJoin(eventLog, eq(eventLog.id, processedEvents.eventId))
        .where(eq(eventLog.aggregateId, requestId))
        .orderBy(processedEvents.consumer, eventLog.type);
      return { notes, marks, analytics };
    };
    const forward = await apply(ids[0]!, false);
    const backward = await apply(ids[1]!, true);
    expect(backward).toEqual(forward);
    expect(forward.notes).toEqual([
      { kind: 'purchaseRequest.created', push: 'queued' },
      { kind: 'purchaseRequest.itemDecided', push: 'queued' },
    ]);
    expect(forward.analytics).toMatchObject({ created: 1, approved: 1, rejected: 0 });
  });
});
