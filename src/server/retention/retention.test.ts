import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../../tests/helpers/harness';
import { as, createInventoryFixture, entry, setStock, type InventoryFixture } from '../../../tests/helpers/inventory';
import { device } from '../../../tests/helpers/devices';
import { auditLog, countEntries, deadLetterQueue, eventLog, inventorySessions, inventoryTotals, notifications, processedEvents } from '../db/schema';
import { consumerNames } from '../runtime/consumers';
import type { Services } from '../services';
import { runRetention, type RetentionPolicy } from './retention';

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createInventoryFixture(services, 'retention');
});
afterAll(() => close());

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const policy: RetentionPolicy = { eventDays: 30, auditDays: 730, notificationDays: 90, scanDays: 365, batch: 2 };
const round = (p: Partial<RetentionPolicy> = {}) => runRetention(services, { ...policy, ...p }, { consumers: consumerNames, pauseMs: 0 });

/** An event row as the outbox writes it, at a given age; processed (with its marks) unless said otherwise. */
async function event(aggregateId: string, seq: number, days: number, processed = true) {
  const [row] = await services.db
    .insert(eventLog)
    .values({ orgId: org.org.id, type: 'product.updated', aggregateType: 'product', aggregateId, aggregateSeq: seq, payload: {}, createdAt: ago(days), publishedAt: ago(days), processedAt: processed ? ago(days) : null })
    .returning({ id: eventLog.id });
  if (processed) await services.db.insert(processedEvents).values(['product-cache', 'analytics'].map((consumer) => ({ consumer, eventId: row!.id })));
  return row!.id;
}
const eventsLeft = async (ids: number[]) => (await services.db.select({ id: eventLog.id }).from(eventLog).where(inArray(eventLog.id, ids))).map((r) => r.id).sort((a, b) => a - b);
const marksLeft = async (ids: number[]) => [...new Set((await services.db.select({ id: processedEvents.eventId }).from(processedEvents).where(inArray(processedEvents.eventId, ids))).map((r) => r.id))].sort((a, b) => a - b);

describe('retention', () => {
  it('never waits on a row someone holds: the round skips it and ends; the next one takes it', async () => {
    const id = randomUUID();
    const held = [await event(id, 1, 60), await event(id, 2, 60)];
    await event(id, 3, 60);
    const reserved = services.sql.reserve();
    const conn = await reserved;
    try {
      await conn`begin`;
      await conn`select id from event_log where id = ${held[0]!} for update`;
      const started = performance.now();
      await round();
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(await eventsLeft(held)).toEqual([held[0]]);
      await conn`commit`;
    } finally {
      conn.release();
    }
    await round();
    expect(await eventsLeft(held)).toEqual([]);
    expect(await services.db.$count(eventLog, sql`${eventLog.aggregateId} = ${id}`)).toBe(1);
  });

  it('deletes events past their days with their marks, keeping the unprocessed, the dead-lettered and each aggregate’s newest', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const a1 = await event(a, 1, 40);
    const a2 = await event(a, 2, 39);
    const a3 = await event(a, 3, 38); // a's newest: its next event counts on from 3
    const b1 = await event(b, 1, 45, false); // not processed yet: never deleted
    const b2 = await event(b, 2, 44); // went to the dead-letter queue: may be retried
    const b3 = await event(b, 3, 1);
    const c1 = await event(c, 1, 31);
    const c2 = await event(c, 2, 29); // within the 30 days
    const c3 = await event(c, 3, 0);
    // A replay's job that failed (its own job id): the event it names is kept all the same.
    await services.db.insert(deadLetterQueue).values({ orgId: org.org.id, sourceQueue: 'domain-events', originalId: `replay-analytics-${b2}-1`, jobName: 'replay', payload: { eventId: b2, orgId: org.org.id } });
    const all = [a1, a2, a3, b1, b2, b3, c1, c2, c3];

    const done = await round();
    expect(done.events).toBeGreaterThanOrEqual(3);
    expect(done.batches).toBeGreaterThan(1); // two rows a batch
    expect(await eventsLeft(all)).toEqual([a3, b1, b2, b3, c2, c3]);
    expect(await marksLeft(all)).toEqual([a3, b2, b3, c2, c3]);
    // Dead letters are never deleted.
    expect(await services.db.$count(deadLetterQueue, eq(deadLetterQueue.originalId, `replay-analytics-${b2}-1`))).toBe(1);
    // A second round finds nothing more of these.
    await round();
    expect(await eventsLeft(all)).toEqual([a3, b1, b2, b3, c2, c3]);
  });

  it('goes on from where the last round left its walk; a walk from the first row finds what became deletable since', async () => {
    const id = randomUUID();
    const first = await event(id, 1, 50, false); // not processed yet: kept, and passed by the walk
    await event(id, 2, 1);
    const done = await round({ batch: 100 }); // (this file's rows are not in time order: one batch walks them all)
    expect(done.cursors.events).toBeGreaterThanOrEqual(first);
    // Processed at last; and a newer old event arrives after the walk's position.
    await services.db.update(eventLog).set({ processedAt: ago(40) }).where(eq(eventLog.id, first));
    const other = randomUUID();
    const late = await event(other, 1, 45);
    await event(other, 2, 0);
    await runRetention(services, { ...policy, batch: 100 }, { consumers: consumerNames, pauseMs: 0, cursors: done.cursors });
    expect(await eventsLeft([first, late])).toEqual([first]); // the walk went on from its position
    await round({ batch: 100 }); // from the first row (the job does this once a day)
    expect(await eventsLeft([first])).toEqual([]);
  });

  it('deletes audit rows after two years, notifications after 90 days unless their push is still due, and keeps the rest', async () => {
    const audit = await services.db
      .insert(auditLog)
      .values([800, 729, 10].map((days) => ({ orgId: org.org.id, action: 'product.updated', entityType: 'product', entityId: randomUUID(), createdAt: ago(days) })))
      .returning({ id: auditLog.id });
    const note = (days: number, pushStatus: 'none' | 'sent' | 'queued' | 'sending' | 'failed') => ({ orgId: org.org.id, userId: org.users.buyer.id, kind: 'test', title: 't', body: 'b', pushStatus, createdAt: ago(days) });
    const notes = await services.db
      .insert(notifications)
      .values([note(100, 'none'), note(100, 'sent'), note(100, 'queued'), note(100, 'sending'), note(100, 'failed'), note(89, 'none')])
      .returning({ id: notifications.id, pushStatus: notifications.pushStatus, createdAt: notifications.createdAt });

    const done = await round();
    expect(done.audit).toBeGreaterThanOrEqual(1);
    const auditLeft = await services.db.select({ id: auditLog.id }).from(auditLog).where(inArray(auditLog.id, audit.map((r) => r.id)));
    expect(auditLeft.map((r) => r.id).sort()).toEqual([audit[1]!.id, audit[2]!.id].sort());
    const notesLeft = await services.db.select({ id: notifications.id }).from(notifications).where(inArray(notifications.id, notes.map((n) => n.id)));
    expect(new Set(notesLeft.map((n) => n.id))).toEqual(new Set(notes.slice(2).map((n) => n.id)));

    // 0 days: kept forever.
    await services.db.insert(auditLog).values({ orgId: org.org.id, action: 'x', entityType: 'y', createdAt: ago(5000) });
    expect((await round({ auditDays: 0 })).audit).toBe(0);
  });

  it('deletes the scans of counts finished a year ago, keeping their totals, and every scan of an open count', async () => {
    await setStock(services, org, 0, [5, 5, 5]);
    const manager = await as(services, org, 'manager');
    const clerk = await as(services, org, 'clerk');
    await services.db.update(inventorySessions).set({ status: 'cancelled', cancelledAt: new Date() }).where(and(eq(inventorySessions.orgId, org.org.id), eq(inventorySessions.status, 'open')));
    const count = async () => {
      const session = await manager.inventory.open({ storeId: org.stores[0]!.id, blind: false, assignments: [{ userId: org.users.clerk.id, zone: 'A' }] });
      await clerk.inventory.sync({ sessionId: session.id, ...device('tab-r'), pendingCount: 0, entries: [entry(org.products[0]!.ean, 3, { zone: 'A' }), entry(org.products[1]!.ean, 2, { zone: 'A' }), entry(org.products[0]!.ean, 1, { zone: 'A' })] });
      return session.id;
    };
    const old = await count();
    await manager.inventory.finalize({ sessionId: old, uncounted: 'kept' });
    await services.db.update(inventorySessions).set({ finalizedAt: ago(400) }).where(eq(inventorySessions.id, old));
    const open = await count();
    const totalsBefore = await services.db.$count(inventoryTotals, eq(inventoryTotals.sessionId, old));
    expect(totalsBefore).toBeGreaterThan(0);

    const done = await round();
    expect(done.scans).toBe(3);
    expect(await services.db.$count(countEntries, eq(countEntries.sessionId, old))).toBe(0);
    expect(await services.db.$count(inventoryTotals, eq(inventoryTotals.sessionId, old))).toBe(totalsBefore);
    expect(await services.db.$count(countEntries, eq(countEntries.sessionId, open))).toBe(3);
  });
});
