import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { startFcmStandIn } from '../../../tests/helpers/fcm-standin';
import { until } from '../../../tests/helpers/until';
import { deadLetterQueue, deviceTokens, notifications } from '~/server/db/schema';
import { queueNames } from '~/server/queues/definitions';
import type { Services } from '~/server/services';
import { startWorkers, type WorkerRuntime } from './workers';

/**
 * FCM down for everyone, with the real workers, BullMQ and firebase-admin against the stand-in: its breaker opens,
 * the push jobs wait (delayed, never dead-lettered), FCM gets at most one test call per half-open interval, and
 * when it is back every push goes out once. A file of its own: the breaker judges the last sends of this process.
 */
const HALF_OPEN_MS = 1_000;
const PUSHES = 30;

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let fcm: Awaited<ReturnType<typeof startFcmStandIn>>;
let runtime: WorkerRuntime;

beforeAll(async () => {
  fcm = await startFcmStandIn();
  ({ services, close } = await createTestServices({
    FCM_PROJECT_ID: 'stand-in',
    FCM_ENDPOINT_OVERRIDE: fcm.url,
    FCM_HALF_OPEN_AFTER_MS: String(HALF_OPEN_MS),
    FCM_TIMEOUT_MS: '2000',
  }));
  org = await createOrgFixture(services, 'outage');
  await services.db.insert(deviceTokens).values({ orgId: org.org.id, userId: org.users.manager.id, token: `outage-device-${'x'.repeat(20)}` });
  runtime = await startWorkers(services);
});
afterAll(async () => {
  await runtime.stop(5000);
  await close();
  await fcm.close();
});

/** A queued notification to the manager (one device: one send each), and its push job (the FCM processor alone). */
async function queuePush(i: number) {
  const [note] = await services.db
    .insert(notifications)
    .values({ orgId: org.org.id, userId: org.users.manager.id, kind: 'test', title: `Teste ${i}`, body: 'Corpo', pushStatus: 'queued' })
    .returning();
  await services.queues.queue(queueNames.fcm).add('push', { notificationId: note!.id, orgId: org.org.id }, { jobId: `push-${note!.id}` });
  return note!.id;
}

describe('FCM down', () => {
  it('opens the breaker; pushes wait without being dead-lettered, one test call per interval; all go out once when FCM is back', async () => {
    const fcmIntegration = services.integrations.get('fcm')!;
    fcm.setFailAlways(true);
    const startedAt = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < PUSHES; i++) ids.push(await queuePush(i));

    await until(async () => (fcmIntegration.status().state === 'open' ? true : null), 15_000);
    const openedAfterMs = Date.now() - startedAt;
    const callsToOpen = fcm.requests();
    // Sends already in flight when it opened finish (the stand-in's count stops moving); after that, FCM hears from
    // us once per half-open interval.
    let settled = -1;
    await until(async () => {
      const now = fcm.requests();
      if (now === settled) return true;
      settled = now;
      await new Promise((r) => setTimeout(r, 150));
      return null;
    }, 5_000);
    const atOpen = fcm.requests();
    const opensAtOpen = fcmIntegration.status().opens;
    const watchMs = 3 * HALF_OPEN_MS;
    await new Promise((r) => setTimeout(r, watchMs));
    const whileOpen = fcm.requests() - atOpen;
    expect(whileOpen).toBeGreaterThanOrEqual(1);
    expect(whileOpen).toBeLessThanOrEqual(Math.ceil(watchMs / HALF_OPEN_MS) + 2);
    // Each of those calls was a half-open test that failed and opened the breaker again.
    expect(fcmIntegration.status().opens - opensAtOpen).toBe(whileOpen);

    // Nothing went to the dead-letter queue for FCM being down; the notifications wait, not failed.
    expect(await services.db.$count(deadLetterQueue, eq(deadLetterQueue.sourceQueue, queueNames.fcm))).toBe(0);
    const states = await services.db.select({ status: notifications.pushStatus }).from(notifications).where(inArray(notifications.id, ids));
    expect(states.every((s) => s.status !== 'failed' && s.status !== 'sent')).toBe(true);

    fcm.setFailAlways(false);
    const backAt = Date.now();
    await until(async () => {
      const sent = await services.db.$count(notifications, and(inArray(notifications.id, ids), eq(notifications.pushStatus, 'sent')));
      return sent === PUSHES ? true : null;
    }, 30_000);
    expect(fcmIntegration.status().state).toBe('closed');
    console.info(
      `FCM outage: breaker open after ${openedAfterMs} ms and ${callsToOpen} sends; ${whileOpen} sends in ${watchMs} ms while open (half-open every ${HALF_OPEN_MS} ms); ${PUSHES} pushes delivered ${Date.now() - backAt} ms after FCM came back, 0 dead letters`,
    );
    expect(fcm.duplicates()).toEqual([]);
    for (const id of ids) expect(fcm.deliveries.filter((d) => d.notificationId === id)).toHaveLength(1);
    expect(await services.db.$count(deadLetterQueue, eq(deadLetterQueue.sourceQueue, queueNames.fcm))).toBe(0);

    const health = await fetchHealthIntegrations();
    expect(health.find((i) => i.name === 'fcm')).toEqual(expect.objectContaining({ name: 'fcm', state: 'closed', opens: fcmIntegration.status().opens }));
  });
});

async function fetchHealthIntegrations() {
  const { checkHealth } = await import('../observability/health');
  return (await checkHealth(services)).integrations;
}

describe('a push that cannot go for longer than FCM_MAX_WAIT_MS', () => {
  it('spends its attempts again and is dead-lettered (a failure of its own keeps a quiet process\'s breaker open)', async () => {
    const stand = await startFcmStandIn();
    const { services: quiet, close: closeQuiet } = await createTestServices({
      FCM_PROJECT_ID: 'stand-in',
      FCM_ENDPOINT_OVERRIDE: stand.url,
      FCM_HALF_OPEN_AFTER_MS: '500',
      // Judged from one send: this push's own failure opens the breaker, which would make it wait forever.
      FCM_BREAKER_MIN_CALLS: '1',
      FCM_MAX_WAIT_MS: '2000',
    });
    const workers = await startWorkers(quiet);
    try {
      const quietOrg = await createOrgFixture(quiet, 'outage-wait');
      const token = `always-500-${'x'.repeat(20)}`;
      stand.failToken(token, 'internal');
      await quiet.db.insert(deviceTokens).values({ orgId: quietOrg.org.id, userId: quietOrg.users.manager.id, token });
      const [note] = await quiet.db
        .insert(notifications)
        .values({ orgId: quietOrg.org.id, userId: quietOrg.users.manager.id, kind: 'test', title: 'Teste', body: 'Corpo', pushStatus: 'queued' })
        .returning();
      await quiet.queues.queue(queueNames.fcm).add('push', { notificationId: note!.id, orgId: quietOrg.org.id }, { jobId: `push-${note!.id}` });
      const letter = await until(async () => (await quiet.db.select().from(deadLetterQueue).where(eq(deadLetterQueue.originalId, `push-${note!.id}`)))[0], 25_000);
      expect(letter.errorMessage).toMatch(/waited for FCM longer than/);
      expect((await quiet.db.select().from(notifications).where(eq(notifications.id, note!.id)))[0]!.pushStatus).toBe('failed');
    } finally {
      await workers.stop(5000);
      await closeQuiet();
      await stand.close();
    }
  });
});
