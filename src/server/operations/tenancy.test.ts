import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOperatorFixture, createOrgFixture, createTestServices, type OperatorFixture, type OrgFixture } from '../../../tests/helpers/harness';
import { deadLetterQueue, eventLog, notifications, products } from '../db/schema';
import { queueNames } from '../queues/definitions';
import type { Services } from '../services';

/**
 * The operations pages per tenant: an org's admin sees the org's own queue activity, letters and service status,
 * derived from the org's rows; what all orgs share (BullMQ's counters, the system's letters, the process) is the
 * platform operator's.
 */
let services: Services;
let close: () => Promise<void>;
let orgA: OrgFixture;
let orgB: OrgFixture;
let operator: OperatorFixture;

const minutesAgo = (n: number, plusMs = 0) => new Date(Date.now() - n * 60_000 + plusMs);

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  orgA = await createOrgFixture(services, 'activity-a');
  orgB = await createOrgFixture(services, 'activity-b');
  operator = await createOperatorFixture(services, 'activity');

  // Org A's last hour, written two minutes ago (the current minute is not counted yet).
  const at = minutesAgo(2);
  const later = minutesAgo(2, 1000);
  const event = (type: string, publishedAt: Date | null, processedAt: Date | null) => ({
    orgId: orgA.org.id,
    type,
    aggregateType: 'test',
    aggregateId: randomUUID(),
    aggregateSeq: 1,
    payload: {},
    createdAt: at,
    publishedAt,
    processedAt,
  });
  await services.db.insert(eventLog).values([
    // Three events a worker handled, one push sent (no consumer: processed as published), one image processed.
    ...[1, 2, 3].map(() => event('purchaseRequest.created', at, later)),
    event('notification.sent', at, at),
    event('image.processed', at, later),
    // Two not yet handed to the queue (the outbox lag), one in the queue and not processed yet.
    event('product.created', null, null),
    event('product.created', null, null),
    event('product.updated', at, null),
  ]);
  await services.db.insert(notifications).values(
    (['queued', 'queued', 'sending'] as const).map((pushStatus) => ({ orgId: orgA.org.id, userId: orgA.users.buyer.id, kind: 'test', title: 'T', body: 'B', pushStatus })),
  );
  await services.db.update(products).set({ imageStatus: 'processing' }).where(eq(products.id, orgA.products[0]!.id));
  await services.db.insert(deadLetterQueue).values([
    { orgId: orgA.org.id, sourceQueue: queueNames.fcm, payload: {}, lastAttemptAt: at },
    { orgId: orgA.org.id, sourceQueue: queueNames.domainEvents, payload: {}, lastAttemptAt: at, resolvedAt: later },
    // A job of no org: the system's, counted in no org's figures.
    { orgId: null, sourceQueue: queueNames.fcm, payload: {}, lastAttemptAt: at },
  ]);
  // A job waiting in BullMQ: every org's queue counters count it, no org's activity does.
  await services.queues.queue(queueNames.images).add('image', { productId: randomUUID(), orgId: orgA.org.id, ean: '7891000100103' }, { jobId: `tenancy-${randomUUID()}` });
});
afterAll(() => close());

const adminOf = (org: OrgFixture) => callerFor(services, { sessionSecret: org.secrets.admin });
const byName = <T extends { name: string }>(queues: T[], name: string) => queues.find((q) => q.name === name)!;

describe("admin.queues.stats: the org's own queue activity", () => {
  it("counts the org's work from its own rows, queue by queue", async () => {
    const stats = await (await adminOf(orgA)).admin.queues.stats();
    expect(stats.outbox.pending).toBe(2);
    expect(stats.outbox.oldestSeconds).toBeGreaterThanOrEqual(100);
    expect(byName(stats.queues, queueNames.domainEvents).counts).toEqual({ waiting: 1, completedLastHour: 4, failedLastHour: 1, deadLetters: 0 });
    expect(byName(stats.queues, queueNames.fcm).counts).toEqual({ waiting: 3, completedLastHour: 1, failedLastHour: 1, deadLetters: 1 });
    expect(byName(stats.queues, queueNames.images).counts).toEqual({ waiting: 1, completedLastHour: 1, failedLastHour: 0, deadLetters: 0 });
    // No FCM project in these services: the push queue is idle on purpose, and says so (no "no workers" alarm).
    expect(stats.queues.map((q) => [q.name, q.off])).toEqual([
      [queueNames.domainEvents, null],
      [queueNames.fcm, 'push_not_configured'],
      [queueNames.images, null],
      [queueNames.complianceChecks, null],
    ]);
    expect(byName(stats.queues, queueNames.complianceChecks).counts).toEqual({ waiting: 0, completedLastHour: 0, failedLastHour: 0, deadLetters: 0 });
    const minutes = byName(stats.queues, queueNames.domainEvents).perMinute;
    expect(minutes).toHaveLength(60);
    expect(minutes.filter((m) => m.completed > 0)).toEqual([expect.objectContaining({ completed: 4, failed: 1, failureRate: 0.2 })]);
  });

  it("shows another org's admin none of it: not the events, pushes, images, letters nor BullMQ's jobs", async () => {
    const stats = await (await adminOf(orgB)).admin.queues.stats();
    expect(stats.outbox).toEqual({ pending: 0, oldestSeconds: null });
    for (const queue of stats.queues) {
      expect(queue.counts, queue.name).toEqual({ waiting: 0, completedLastHour: 0, failedLastHour: 0, deadLetters: 0 });
      expect(queue.perMinute.every((m) => m.completed === 0 && m.failed === 0), queue.name).toBe(true);
    }
    expect(JSON.stringify(stats)).not.toContain(orgA.org.id);
  });

  it("leaves BullMQ's counters of every org and the whole outbox to the platform operator", async () => {
    const stats = await (await callerFor(services, { sessionSecret: operator.secret })).operator.queues.stats();
    expect(byName(stats.queues, queueNames.images).counts?.waiting).toBeGreaterThanOrEqual(1);
    expect(stats.outbox.pending).toBe(2);
    expect(stats.backend).toBe('redis');
  });
});

describe('admin.system.stats: service status, no process-wide figure', () => {
  it("tells an org's admin whether the services work, and nothing of the process or the shared caches' counters", async () => {
    const stats = await (await adminOf(orgA)).admin.system.stats();
    // Only photo storage is always configured (files under DATA_DIR here); no FCM, OFF nor OpenAI in these services.
    expect(stats).toEqual({ cache: { available: true }, liveTransport: 'redis', integrations: [{ name: 'storage', state: 'closed', since: expect.any(String), retryAt: null }] });
  });

  it("gives the platform operator the process's figures", async () => {
    const stats = await (await callerFor(services, { sessionSecret: operator.secret })).operator.system.stats();
    expect(stats.process.pid).toBe(process.pid);
    expect(stats.cache).toMatchObject({ backend: 'redis', available: true });
    expect(typeof stats.cache.hitRate).toBe('number');
  });
});
