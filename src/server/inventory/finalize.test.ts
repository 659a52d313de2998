import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '~/lib/ean';
import { createTestServices } from '../../../tests/helpers/harness';
import { countQueries } from '../db/query-count';
import { auditLog, eventLog, inventoryExpected, inventoryTotals, notifications, processedEvents, products, storeDailyStats, storeStock, users } from '../db/schema';
import type { Services } from '../services';
import { as, asSecret, cancelOpenSessions, codeOf, createInventoryFixture, entry, errorOf, setStock, type InventoryFixture } from '../../../tests/helpers/inventory';
import { runConsumers } from '../../../tests/helpers/events';
import { eventDelivery } from '~/server/runtime/consumers';
import { device, deviceIdOf } from '../../../tests/helpers/devices';

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createInventoryFixture(services, 'fin');
});
afterAll(() => close());
afterEach(() => cancelOpenSessions(services));

// Fixture products: 0 Arroz (Mercearia, R$ 10), 1 Feijão (Mercearia, R$ 15,50), 2 Café (Bebidas, R$ 21).
const ean = (i: number) => org.products[i]!.ean;
const unknownEan = withCheckDigit('789888877776');

const stockOf = async (storeIndex: number) =>
  Object.fromEntries(
    (await services.db.select().from(storeStock).where(eq(storeStock.storeId, org.stores[storeIndex]!.id))).map((s) => [
      org.products.findIndex((p) => p.id === s.productId),
      s.quantity,
    ]),
  );

async function open(storeIndex: number, extra: Record<string, unknown> = {}) {
  const manager = await as(services, org, 'manager');
  return manager.inventory.open({
    storeId: org.stores[storeIndex]!.id,
    assignments: storeIndex === 0 ? [{ userId: org.users.clerk.id, zone: 'A' }, { userId: org.secondClerk.id, zone: '' }] : [],
    ...extra,
  });
}

/**
 * The scenario of the review and finalize tests (store 1, stock 10/20/30):
 *  Arroz: 4 in A, 6 in B replaced by 5 → 9 (expected 10: −1, R$ −10, under the 10% threshold);
 *  Feijão: 25 and a −2 correction, then a recount of 21 by the second clerk → 21 (+1, R$ 15,50);
 *  Café: never counted → 0 (−30, R$ −630, flagged); an unknown EAN counted 3 (unmatched, flagged).
 */
async function countScenario(sessionId: string) {
  const clerk = await as(services, org, 'clerk');
  const second = await asSecret(services, org.secondClerk.secret);
  const six = entry(ean(0), 6, { zone: 'B' });
  await clerk.inventory.sync({
    sessionId,
    ...device('tab-a'),
    pendingCount: 2,
    entries: [entry(ean(0), 4, { zone: 'A' }), six, entry(ean(1), 25, { zone: 'A' }), entry(unknownEan, 3, { zone: 'A' })],
  });
  await clerk.inventory.sync({ sessionId, ...device('tab-a'), pendingCount: 0, entries: [entry(ean(0), 5, { zone: 'B', replaces: six.id }), entry(ean(1), -2, { zone: 'A' })] });
  await second.inventory.sync({ sessionId, ...device('tab-b'), pendingCount: 0, entries: [entry(ean(1), 21, { zone: 'A', recount: true })] });
}

describe('review', () => {
  it('shows totals per EAN and zone, variance against the snapshot, the uncounted as zero, flags and recounts', async () => {
    await setStock(services, org, 0, [10, 20, 30]);
    const session = await open(0);
    await countScenario(session.id);
    const manager = await as(services, org, 'manager');
    const review = await manager.inventory.review({ sessionId: session.id });
    const byEan = Object.fromEntries(review.items.map((l) => [l.ean, l]));
    expect(byEan[ean(0)]).toMatchObject({ counted: 9, expected: 10, varianceQuantity: -1, varianceValue: -10, flagged: false, entryCount: 2, zones: [{ zone: 'A', quantity: 4 }, { zone: 'B', quantity: 5 }] });
    expect(byEan[ean(1)]).toMatchObject({ counted: 21, expected: 20, varianceQuantity: 1, varianceValue: 15.5, flagged: false, recounted: true, entryCount: 1 });
    // Nobody counted Café: its line shows the variance finalize would make, but it is not flagged (not red) for it.
    expect(byEan[ean(2)]).toMatchObject({ counted: 0, expected: 30, varianceQuantity: -30, varianceValue: -630, flagged: false, entryCount: 0, zones: [], uncounted: null });
    expect(byEan[unknownEan]).toMatchObject({ counted: 3, expected: 0, unmatched: true, flagged: true, name: null });
    expect(review.summary).toEqual({
      lines: 4,
      countedLines: 3,
      uncountedLines: 1,
      uncountedExpectedLines: 1,
      uncountedExpectedValue: 630,
      keptLines: 0,
      zeroedLines: 0,
      flaggedLines: 1,
      unmatchedLines: 1,
      outOfScopeLines: 0,
      // The fixture's products are all sold by the unit; the unknown EAN counts in un too.
      quantities: [{ unit: 'un', lines: 4, counted: 33, expected: 60 }],
      varianceValue: -624.5,
      absoluteVarianceValue: 655.5,
    });
    expect(review.zones).toEqual([
      { zone: 'A', lines: 3, quantities: [{ unit: 'un', quantity: 28 }] },
      { zone: 'B', lines: 1, quantities: [{ unit: 'un', quantity: 5 }] },
    ]);
    const flagged = await manager.inventory.review({ sessionId: session.id, only: 'flagged' });
    expect(flagged.items.map((l) => l.ean)).toEqual([unknownEan]);
    expect(await codeOf((await as(services, org, 'clerk')).inventory.review({ sessionId: session.id }))).toBe('FORBIDDEN');
  });

  it('never adds kilograms to units: the summary and the zones give counted and expected per unit', async () => {
    await services.db.update(products).set({ unit: 'kg' }).where(eq(products.id, org.products[0]!.id));
    try {
      await setStock(services, org, 0, [10, 20, 30]);
      const session = await open(0);
      await countScenario(session.id);
      const review = await (await as(services, org, 'manager')).inventory.review({ sessionId: session.id });
      // Arroz (now kg): 9 of 10; the rest by the unit: Feijão 21 of 20, Café 0 of 30, the unknown code 3.
      expect(review.summary!.quantities).toEqual([
        { unit: 'kg', lines: 1, counted: 9, expected: 10 },
        { unit: 'un', lines: 3, counted: 24, expected: 50 },
      ]);
      expect(review.zones).toEqual([
        { zone: 'A', lines: 3, quantities: [{ unit: 'kg', quantity: 4 }, { unit: 'un', quantity: 24 }] },
        { zone: 'B', lines: 1, quantities: [{ unit: 'kg', quantity: 5 }] },
      ]);
    } finally {
      await services.db.update(products).set({ unit: 'un' }).where(eq(products.id, org.products[0]!.id));
    }
  });

  it('pages by EAN with a cursor, each line once', async () => {
    const session = await open(0);
    await countScenario(session.id);
    const manager = await as(services, org, 'manager');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof manager.inventory.review>> = await manager.inventory.review({ sessionId: session.id, limit: 1, cursor });
      seen.push(...page.items.map((l) => l.ean));
      if (cursor) expect(page.summary).toBeNull();
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(4);
  });

  it('sorts by the money at stake (either way, or losses first), paging by keyset, and filters counted lines', async () => {
    await setStock(services, org, 0, [10, 20, 30]);
    const session = await open(0);
    await countScenario(session.id);
    const manager = await as(services, org, 'manager');
    const walk = async (sort: 'impact' | 'loss') => {
      const seen: [string, number][] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof manager.inventory.review>> = await manager.inventory.review({ sessionId: session.id, limit: 1, sort, cursor });
        seen.push(...page.items.map((l): [string, number] => [l.ean, l.varianceValue]));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    expect(await walk('impact')).toEqual([[ean(2), -630], [ean(1), 15.5], [ean(0), -10], [unknownEan, 0]]);
    expect(await walk('loss')).toEqual([[ean(2), -630], [ean(0), -10], [unknownEan, 0], [ean(1), 15.5]]);
    const counted = await manager.inventory.review({ sessionId: session.id, only: 'counted', sort: 'impact' });
    expect(counted.items.map((l) => l.ean)).toEqual([ean(1), ean(0), unknownEan]);
    // A cursor of another sort is refused as such, not a 500.
    const byEan = await manager.inventory.review({ sessionId: session.id, limit: 1 });
    expect(await codeOf(manager.inventory.review({ sessionId: session.id, limit: 1, sort: 'impact', cursor: byEan.nextCursor }))).toBe('BAD_REQUEST');
  });

  it('a recount request is visible to devices (byId, progress) and shows as recounted once counted again', async () => {
    const session = await open(0);
    const clerk = await as(services, org, 'clerk');
    await clerk.inventory.sync({ sessionId: session.id, ...device('tab-a'), pendingCount: 0, entries: [entry(ean(0), 3, { zone: 'A' })] });
    const manager = await as(services, org, 'manager');
    const asked = await manager.inventory.requestRecount({ sessionId: session.id, eans: [ean(0), ean(2), withCheckDigit('111111111111')] });
    expect(asked.marked).toEqual([ean(0), ean(2)].sort());
    expect(asked.unknown).toEqual([withCheckDigit('111111111111')]);
    expect((await manager.inventory.requestRecount({ sessionId: session.id, eans: [ean(0)] })).marked).toEqual([ean(0)]);
    const detail = await clerk.inventory.byId({ id: session.id });
    expect(detail.recountRequests.map((r) => [r.ean, r.recounted])).toEqual([[ean(0), false], [ean(2), false]].sort());
    const second = await asSecret(services, org.secondClerk.secret);
    await second.inventory.sync({ sessionId: session.id, ...device('tab-b'), pendingCount: 0, entries: [entry(ean(0), 7, { recount: true })] });
    const progress = await clerk.inventory.progress({ sessionId: session.id });
    expect(progress.recountRequests.find((r) => r.ean === ean(0))!.recounted).toBe(true);
    const line = (await manager.inventory.review({ sessionId: session.id, only: 'recount' })).items.find((l) => l.ean === ean(0))!;
    expect(line).toMatchObject({ counted: 7, recounted: true, recountRequested: true });
  });
});

describe('progress', () => {
  it('counts per zone and per clerk, with each device’s last sync and pending count, in one statement after the access check', async () => {
    const session = await open(0, { scope: 'partial', zones: ['A', 'B', 'C'] });
    await countScenario(session.id);
    await (await as(services, org, 'clerk')).inventory.sync({ sessionId: session.id, ...device('tab-a'), pendingCount: 4, entries: [] });
    const manager = await as(services, org, 'manager');
    await manager.auth.me();
    const { result: progress, queries } = await countQueries(() => manager.inventory.progress({ sessionId: session.id }));
    expect(queries.count).toBe(2);
    expect(progress.totals).toEqual({ entries: 7, products: 3, unmatchedEntries: 1 });
    expect(progress.zones.map((z) => [z.zone, z.entries, z.products])).toEqual([
      ['A', 5, 3],
      ['B', 2, 1],
      ['C', 0, 0],
    ]);
    expect(progress.clerks.map((c) => [c.name, c.entries, c.products])).toEqual([
      ['clerk fin', 6, 3],
      ['clerk2', 1, 1],
    ]);
    expect(Object.fromEntries(progress.devices.map((d) => [d.deviceId, d.pendingCount]))).toEqual({ [deviceIdOf('tab-a')]: 4, [deviceIdOf('tab-b')]: 0 });
  });
});

describe('inventory.finalize', () => {
  it('writes totals, the new store stock, the event and the audit row together; the analytics consumer counts it', async () => {
    await setStock(services, org, 0, [10, 20, 30]);
    const session = await open(0);
    await countScenario(session.id);
    const manager = await as(services, org, 'manager');
    const before = await manager.dashboard.summary({ storeId: org.stores[0]!.id });
    const [statsBefore] = await services.db.select().from(storeDailyStats).where(eq(storeDailyStats.storeId, org.stores[0]!.id));

    // Café was never counted: finalize asks what becomes of it (its number and value), and writes nothing meanwhile.
    const undecided = await errorOf(manager.inventory.finalize({ sessionId: session.id }));
    expect([undecided.code, undecided.cause?.reason, undecided.cause?.data]).toEqual(['PRECONDITION_FAILED', 'uncounted_lines', { lines: 1, value: 630 }]);
    const misread = await errorOf(manager.inventory.finalize({ sessionId: session.id, uncounted: 'zeroed', confirmUncountedLines: 2 }));
    expect([misread.code, misread.cause?.reason, misread.cause?.data]).toEqual(['PRECONDITION_FAILED', 'uncounted_confirmation', { lines: 1, value: 630, confirmed: 2 }]);
    expect(await services.db.$count(inventoryTotals, eq(inventoryTotals.sessionId, session.id))).toBe(0);
    expect(await stockOf(0)).toEqual({ 0: 10, 1: 20, 2: 30 });

    const result = await manager.inventory.finalize({ sessionId: session.id, uncounted: 'zeroed', confirmUncountedLines: 1 });
    expect(result).toMatchObject({ lines: 4, varianceValue: -624.5, alreadyFinalized: false, forcedPastDevices: [] });
    expect(result.session.status).toBe('finalized');

    const totals = await services.db.select().from(inventoryTotals).where(eq(inventoryTotals.sessionId, session.id));
    expect(Object.fromEntries(totals.map((t) => [t.ean, [t.countedQuantity, t.expectedQuantity, t.varianceQuantity, t.varianceValue]]))).toEqual({
      [ean(0)]: [9, 10, -1, -10],
      [ean(1)]: [21, 20, 1, 15.5],
      [ean(2)]: [0, 30, -30, -630],
      [unknownEan]: [3, 0, 3, 0],
    });
    expect(await stockOf(0)).toEqual({ 0: 9, 1: 21, 2: 0 });

    const events = await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, session.id), eq(eventLog.type, 'inventory.finalized')));
    expect(events.map((e) => [e.type, e.payload])).toEqual([['inventory.finalized', { sessionId: session.id, storeId: org.stores[0]!.id, lines: 4, varianceValue: -624.5 }]]);
    await runConsumers(services);
    const [statsAfter] = await services.db.select().from(storeDailyStats).where(eq(storeDailyStats.storeId, org.stores[0]!.id));
    expect(statsAfter!.inventoriesFinalized - (statsBefore?.inventoriesFinalized ?? 0)).toBe(1);
    expect(statsAfter!.varianceValue - (statsBefore?.varianceValue ?? 0)).toBeCloseTo(-624.5);
    const audits = await services.db.select().from(auditLog).where(and(eq(auditLog.entityId, session.id), eq(auditLog.action, 'inventory.finalized')));
    expect(audits).toHaveLength(1);
    expect((audits[0]!.after as { uncounted: unknown }).uncounted).toEqual({ lines: 1, value: 630, resolution: 'zeroed' });

    // The org's managers (and admins) are notified, once each, even when the event is replayed to the push consumer.
    const managers = await services.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.orgId, org.org.id), eq(users.active, true), inArray(users.role, ['manager', 'admin'])));
    const notifiedOf = async () =>
      (await services.db.select({ userId: notifications.userId }).from(notifications).where(eq(notifications.sourceEventId, String(events[0]!.id)))).map((n) => n.userId).sort();
    expect(await notifiedOf()).toEqual(managers.map((m) => m.id).sort());
    await services.db.delete(processedEvents).where(and(eq(processedEvents.eventId, events[0]!.id), eq(processedEvents.consumer, 'push')));
    await eventDelivery.apply({ services, pushEnabled: false }, events[0]!.id, { only: 'push' });
    expect(await notifiedOf()).toEqual(managers.map((m) => m.id).sort());

    // The dashboard's cache was outdated by the commit.
    const after = await manager.dashboard.summary({ storeId: org.stores[0]!.id });
    expect(after.stores[0]!.inventory.finalized).toBe(before.stores[0]!.inventory.finalized + 1);
    expect(after.stores[0]!.inventory.varianceValue).toBeCloseTo(-624.5);

    // A finalized session's review reads its totals.
    const review = await manager.inventory.review({ sessionId: session.id });
    expect(review.summary).toMatchObject({ lines: 4, varianceValue: -624.5, flaggedLines: 2, zeroedLines: 1, keptLines: 0 });
    expect(review.items.find((l) => l.ean === ean(2))).toMatchObject({ counted: 0, uncounted: 'zeroed', flagged: true });
    expect(review.items.find((l) => l.ean === ean(0))!.zones).toEqual([{ zone: 'A', quantity: 4 }, { zone: 'B', quantity: 5 }]);
  });

  it('keeps the expected quantity of the uncounted lines when the manager chooses so: no variance, their stock untouched', async () => {
    await setStock(services, org, 0, [10, 20, 30]);
    const session = await open(0);
    const manager = await as(services, org, 'manager');
    // Before anyone counted, nothing is flagged: every line is simply not counted yet.
    const untouched = await manager.inventory.review({ sessionId: session.id });
    expect(untouched.summary).toMatchObject({ flaggedLines: 0, uncountedLines: 3, uncountedExpectedLines: 3, uncountedExpectedValue: 100 + 310 + 630 });
    await countScenario(session.id);
    // A delivery reaches Café's stock while the count is open: keeping must not write the snapshot back over it.
    await setStock(services, org, 0, [10, 20, 35]);
    const result = await manager.inventory.finalize({ sessionId: session.id, uncounted: 'kept' });
    expect(result).toMatchObject({ lines: 4, varianceValue: 5.5 });
    const [cafe] = await services.db.select().from(inventoryTotals).where(and(eq(inventoryTotals.sessionId, session.id), eq(inventoryTotals.ean, ean(2))));
    // The delivery is a movement the opening snapshot did not see: it counts as expected (30 + 5), and keeping keeps it.
    expect(cafe).toMatchObject({ countedQuantity: 35, expectedQuantity: 35, varianceQuantity: 0, varianceValue: 0, entryCount: 0, uncounted: 'kept' });
    expect(await stockOf(0)).toEqual({ 0: 9, 1: 21, 2: 35 });
    const review = await manager.inventory.review({ sessionId: session.id });
    expect(review.summary).toMatchObject({ keptLines: 1, zeroedLines: 0, flaggedLines: 1, varianceValue: 5.5 });
    expect(review.items.find((l) => l.ean === ean(2))).toMatchObject({ uncounted: 'kept', flagged: false, varianceQuantity: 0 });
    // The printed result names who finalized it, and when.
    expect(await manager.inventory.byId({ id: session.id })).toMatchObject({ status: 'finalized', finalizedBy: org.users.manager.id, finalizedByName: 'manager fin', finalizedAt: expect.any(Date) });
  });

  it('asks for the uncounted lines to be counted; once they are, finalize needs no choice', async () => {
    await setStock(services, org, 0, [10, 20, 30]);
    const session = await open(0);
    await countScenario(session.id);
    const manager = await as(services, org, 'manager');
    const asked = await manager.inventory.recountUncounted({ sessionId: session.id });
    expect(asked.marked).toEqual([ean(2)]);
    expect((await manager.inventory.recountUncounted({ sessionId: session.id })).marked).toEqual([ean(2)]);
    const clerk = await as(services, org, 'clerk');
    expect((await clerk.inventory.byId({ id: session.id })).recountRequests.map((r) => [r.ean, r.recounted])).toEqual([[ean(2), false]]);
    await clerk.inventory.sync({ sessionId: session.id, ...device('tab-a'), pendingCount: 0, entries: [entry(ean(2), 28, { zone: 'A', recount: true })] });
    expect((await manager.inventory.recountUncounted({ sessionId: session.id })).marked).toEqual([]);
    const result = await manager.inventory.finalize({ sessionId: session.id });
    expect(result.varianceValue).toBe(-10 + 15.5 - 42);
    expect(await stockOf(0)).toEqual({ 0: 9, 1: 21, 2: 28 });
  });

  it('a retried finalize returns the finalized session and writes nothing more', async () => {
    await setStock(services, org, 0, [10, 20, 30]);
    const session = await open(0);
    await countScenario(session.id);
    const manager = await as(services, org, 'manager');
    const choice = { sessionId: session.id, uncounted: 'zeroed', confirmUncountedLines: 1 } as const;
    const [first, second] = await Promise.all([manager.inventory.finalize(choice), manager.inventory.finalize(choice)]);
    expect([first.alreadyFinalized, second.alreadyFinalized].sort()).toEqual([false, true]);
    expect(second.lines).toBe(first.lines);
    expect(second.varianceValue).toBe(first.varianceValue);
    expect(await services.db.$count(eventLog, and(eq(eventLog.aggregateId, session.id), eq(eventLog.type, 'inventory.finalized')))).toBe(1);
  });

  it('is refused while a device reports unsynced entries, and allowed when forced', async () => {
    const session = await open(0);
    const clerk = await as(services, org, 'clerk');
    await clerk.inventory.sync({ sessionId: session.id, ...device('tab-late'), pendingCount: 12, entries: [entry(ean(0), 1)] });
    const manager = await as(services, org, 'manager');
    const refused = await errorOf(manager.inventory.finalize({ sessionId: session.id }));
    expect(refused.code).toBe('PRECONDITION_FAILED');
    expect(refused.message).toContain('12 unsynced');
    expect(refused.cause?.reason).toBe('devices_pending');
    expect(refused.cause?.data).toMatchObject({ devices: [{ deviceId: deviceIdOf('tab-late'), pendingCount: 12, userId: org.users.clerk.id }] });
    expect((await clerk.inventory.byId({ id: session.id })).status).toBe('open');
    expect(await services.db.$count(inventoryTotals, eq(inventoryTotals.sessionId, session.id))).toBe(0);

    const forced = await manager.inventory.finalize({ sessionId: session.id, force: true, uncounted: 'kept' });
    expect(forced.forcedPastDevices).toEqual([{ deviceId: deviceIdOf('tab-late'), userName: 'clerk fin', pendingCount: 12 }]);
    const [audit] = await services.db.select().from(auditLog).where(and(eq(auditLog.entityId, session.id), eq(auditLog.action, 'inventory.finalized')));
    expect((audit!.after as { forcedPastDevices: unknown[] }).forcedPastDevices).toHaveLength(1);
  });

  it('finalizes once the device reports it has sent everything', async () => {
    const session = await open(0);
    const clerk = await as(services, org, 'clerk');
    await clerk.inventory.sync({ sessionId: session.id, ...device('tab-1'), pendingCount: 1, entries: [entry(ean(0), 1)] });
    const manager = await as(services, org, 'manager');
    expect(await codeOf(manager.inventory.finalize({ sessionId: session.id }))).toBe('PRECONDITION_FAILED');
    await clerk.inventory.sync({ sessionId: session.id, ...device('tab-1'), pendingCount: 0, entries: [entry(ean(1), 1)] });
    expect((await manager.inventory.finalize({ sessionId: session.id, uncounted: 'kept' })).session.status).toBe('finalized');
  });

  it('refuses a cancelled session (CONFLICT) and another org’s session (NOT_FOUND)', async () => {
    const session = await open(0);
    const manager = await as(services, org, 'manager');
    await manager.inventory.cancel({ sessionId: session.id, reason: 'teste' });
    expect(await codeOf(manager.inventory.finalize({ sessionId: session.id }))).toBe('CONFLICT');
    const other = await createInventoryFixture(services, 'fin-other');
    const stranger = await as(services, other, 'manager');
    const mine = await open(0);
    expect(await codeOf(stranger.inventory.finalize({ sessionId: mine.id }))).toBe('NOT_FOUND');
    expect(await codeOf(stranger.inventory.review({ sessionId: mine.id }))).toBe('NOT_FOUND');
  });

  it('finalizes sessions of different stores side by side: one store’s locked session does not hold up another', async () => {
    await setStock(services, org, 0, [10, 20, 30]);
    await setStock(services, org, 1, [1, 2, 3]);
    const s1 = await open(0);
    const s2 = await open(1);
    const manager = await as(services, org, 'manager');
    await manager.inventory.sync({ sessionId: s1.id, ...device('m1'), pendingCount: 0, entries: [entry(ean(0), 11), entry(ean(1), 22)] });
    await manager.inventory.sync({ sessionId: s2.id, ...device('m2'), pendingCount: 0, entries: [entry(ean(0), 4), entry(ean(2), 6)] });

    // Hold store 1's session row locked (as a long finalize would) while store 2 finalizes.
    let releaseLock!: () => void;
    const held = new Promise<void>((resolve) => (releaseLock = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = services.sql.begin(async (tx) => {
      await tx`select id from inventory_sessions where id = ${s1.id} for update`;
      locked();
      await held;
    });
    await isLocked;
    // Each leaves one product with stock uncounted, set to zero as before this choice existed.
    const zeroOne = (sessionId: string) => manager.inventory.finalize({ sessionId, uncounted: 'zeroed', confirmUncountedLines: 1 });
    const blocked = zeroOne(s1.id);
    const second = await zeroOne(s2.id);
    expect(second.session.status).toBe('finalized');
    releaseLock();
    await holder;
    expect((await blocked).session.status).toBe('finalized');

    const [a, b] = await Promise.all([open(0), open(1)]);
    await Promise.all([
      manager.inventory.sync({ sessionId: a.id, ...device('m1'), pendingCount: 0, entries: [entry(ean(0), 1)] }),
      manager.inventory.sync({ sessionId: b.id, ...device('m2'), pendingCount: 0, entries: [entry(ean(0), 2)] }),
    ]);
    const results = await Promise.all([zeroOne(a.id), zeroOne(b.id)]);
    expect(results.map((r) => r.session.status)).toEqual(['finalized', 'finalized']);
    expect(await stockOf(0)).toEqual({ 0: 1, 1: 0, 2: 0 });
    expect(await stockOf(1)).toEqual({ 0: 2, 1: 0, 2: 0 });
  });
});

describe('partial sessions', () => {
  it('by category: snapshots only those categories; counts of other categories are out of scope and leave the stock alone', async () => {
    await setStock(services, org, 0, [10, 20, 30]);
    const session = await open(0, { scope: 'partial', categories: ['Mercearia'] });
    const snapshot = await services.db.select().from(inventoryExpected).where(eq(inventoryExpected.sessionId, session.id));
    expect(snapshot.map((x) => x.productId).sort()).toEqual([org.products[0]!.id, org.products[1]!.id].sort());
    const clerk = await as(services, org, 'clerk');
    await clerk.inventory.sync({ sessionId: session.id, ...device('p'), pendingCount: 0, entries: [entry(ean(0), 8), entry(ean(2), 99)] });
    const manager = await as(services, org, 'manager');
    const review = await manager.inventory.review({ sessionId: session.id });
    expect(review.items.map((l) => [l.ean, l.counted, l.inScope])).toEqual(
      [
        [ean(0), 8, true],
        [ean(1), 0, true],
        [ean(2), 99, false],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    expect(review.summary).toMatchObject({ lines: 2, outOfScopeLines: 1 });
    expect((await manager.inventory.finalize({ sessionId: session.id, uncounted: 'zeroed', confirmUncountedLines: 1 })).lines).toBe(2);
    expect(await stockOf(0)).toEqual({ 0: 8, 1: 0, 2: 30 });
  });

  it('by zone: only what was counted is a line; uncounted products keep their stock', async () => {
    await setStock(services, org, 0, [10, 20, 30]);
    const session = await open(0, { scope: 'partial', zones: ['Corredor 3'] });
    const clerk = await as(services, org, 'clerk');
    await clerk.inventory.sync({ sessionId: session.id, ...device('z'), pendingCount: 0, entries: [entry(ean(1), 18, { zone: 'Corredor 3' })] });
    const manager = await as(services, org, 'manager');
    const review = await manager.inventory.review({ sessionId: session.id });
    expect(review.items.map((l) => [l.ean, l.counted, l.expected])).toEqual([[ean(1), 18, 20]]);
    await manager.inventory.finalize({ sessionId: session.id });
    expect(await stockOf(0)).toEqual({ 0: 10, 1: 18, 2: 30 });
  });
});
