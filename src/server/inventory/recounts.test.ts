import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '~/lib/ean';
import { auditLog, countEntries, inventoryRecounts } from '../db/schema';
import type { Services } from '../services';
import { as, asSecret, cancelOpenSessions, codeOf, createTwoOrgInventory, entry, errorOf, type InventoryFixture } from '../../../tests/helpers/inventory';
import { device } from '../../../tests/helpers/devices';

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;
let other: InventoryFixture;

beforeAll(async () => {
  ({ services, close, org, other } = await createTwoOrgInventory('rec'));
});
afterAll(() => close());
afterEach(() => cancelOpenSessions(services));

const ean = (i: number) => org.products[i]!.ean;
const unknownEan = withCheckDigit('789777766665');

async function open() {
  const manager = await as(services, org, 'manager');
  return manager.inventory.open({
    storeId: org.stores[0]!.id,
    assignments: [
      { userId: org.users.clerk.id, zone: '' },
      { userId: org.secondClerk.id, zone: '' },
    ],
  });
}

const recountAudits = (sessionId: string, action: string) => services.db.select().from(auditLog).where(and(eq(auditLog.entityId, sessionId), eq(auditLog.action, action)));
const lineOf = async (sessionId: string, lineEan: string) =>
  (await (await as(services, org, 'manager')).inventory.review({ sessionId, limit: 2000 })).items.find((l) => l.ean === lineEan)!;

describe('a recount is made by a second clerk', () => {
  it('rejects, entry by entry, a recount from a clerk who counted the line first; takes the second clerk’s and keeps both in the log', async () => {
    const session = await open();
    const clerk = await as(services, org, 'clerk');
    const second = await asSecret(services, org.secondClerk.secret);
    const manager = await as(services, org, 'manager');
    await clerk.inventory.sync({ sessionId: session.id, ...device('tab-a'), pendingCount: 0, entries: [entry(ean(0), 5), entry(ean(1), 3), entry(unknownEan, 2)] });
    await manager.inventory.requestRecount({ sessionId: session.id, eans: [ean(0), unknownEan] });
    const requests = (await clerk.inventory.byId({ id: session.id })).recountRequests;
    expect(requests.map((r) => [r.ean, r.firstCountBy])).toEqual(
      [
        [ean(0), [org.users.clerk.id]],
        [unknownEan, [org.users.clerk.id]],
      ].sort(),
    );

    const own = entry(ean(0), 6, { recount: true });
    const ownUnknown = entry(unknownEan, 1, { recount: true });
    const fresh = entry(ean(2), 4, { recount: true });
    const plain = entry(ean(1), 1);
    const result = await clerk.inventory.sync({ sessionId: session.id, ...device('tab-a'), pendingCount: 0, entries: [own, ownUnknown, fresh, plain] });
    expect(result.rejected.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
      [own, ownUnknown]
        .map((e) => ({ id: e.id, reason: 'recount_by_first_counter', message: 'you counted this product in the first count: its recount must be made by another clerk' }))
        .sort((x, y) => x.id.localeCompare(y.id)),
    );
    // One bad entry never fails the batch: the others are stored.
    expect(result.accepted.sort()).toEqual([fresh.id, plain.id].sort());
    expect(await services.db.$count(countEntries, and(eq(countEntries.sessionId, session.id), eq(countEntries.recount, true)))).toBe(1);
    expect((await recountAudits(session.id, 'inventory.synced')).some((a) => (a.after as { rejected: number }).rejected === 2)).toBe(true);
    expect(await lineOf(session.id, ean(0))).toMatchObject({ counted: 5, recounted: false });

    const theirs = entry(ean(0), 7, { recount: true });
    const theirsUnknown = entry(unknownEan, 4, { recount: true });
    const accepted = await second.inventory.sync({ sessionId: session.id, ...device('tab-b'), pendingCount: 0, entries: [theirs, theirsUnknown] });
    expect(accepted.rejected).toEqual([]);
    expect(accepted.accepted.sort()).toEqual([theirs.id, theirsUnknown.id].sort());
    expect(await lineOf(session.id, ean(0))).toMatchObject({ counted: 7, recounted: true, recountRequested: true });
    expect(await lineOf(session.id, unknownEan)).toMatchObject({ counted: 4, recounted: true });
    // Both counts stay in the log, each under who made it.
    const log = await services.db.select().from(countEntries).where(and(eq(countEntries.sessionId, session.id), eq(countEntries.productId, org.products[0]!.id)));
    expect(log.map((e) => [e.countedBy, e.quantity, e.recount]).sort()).toEqual(
      [
        [org.users.clerk.id, 5, false],
        [org.secondClerk.id, 7, true],
      ].sort(),
    );
    // A rejected entry is answered the same way when the device sends it again (and still is not stored).
    const again = await clerk.inventory.sync({ sessionId: session.id, ...device('tab-a'), pendingCount: 0, entries: [own] });
    expect(again.rejected.map((r) => r.reason)).toEqual(['recount_by_first_counter']);
  });

  it('also when the first count is in the same batch, and whether or not a recount was requested', async () => {
    const session = await open();
    const second = await asSecret(services, org.secondClerk.secret);
    const first = entry(ean(2), 2);
    const recount = entry(ean(2), 3, { recount: true });
    const result = await second.inventory.sync({ sessionId: session.id, ...device('tab-b'), pendingCount: 0, entries: [recount, first] });
    expect(result.accepted).toEqual([first.id]);
    expect(result.rejected).toEqual([expect.objectContaining({ id: recount.id, reason: 'recount_by_first_counter' })]);
    // The manager counted nothing of it: their recount is taken.
    const manager = await as(services, org, 'manager');
    const managerRecount = entry(ean(2), 9, { recount: true });
    expect((await manager.inventory.sync({ sessionId: session.id, ...device('tab-m'), pendingCount: 0, entries: [managerRecount] })).accepted).toEqual([managerRecount.id]);
    expect(await lineOf(session.id, ean(2))).toMatchObject({ counted: 9, recounted: true });
  });
});

describe('inventory.cancelRecount', () => {
  it('withdraws requests nobody recounted yet, audited once; withdrawing again changes nothing', async () => {
    const session = await open();
    const manager = await as(services, org, 'manager');
    await manager.inventory.requestRecount({ sessionId: session.id, eans: [ean(0), ean(1)] });
    const [a, b] = await Promise.all([
      manager.inventory.cancelRecount({ sessionId: session.id, eans: [ean(0)] }),
      manager.inventory.cancelRecount({ sessionId: session.id, eans: [ean(0)] }),
    ]);
    expect([...a.withdrawn, ...b.withdrawn]).toEqual([ean(0)]);
    expect(a.recountRequests.map((r) => r.ean)).toEqual([ean(1)]);
    expect(b.recountRequests.map((r) => r.ean)).toEqual([ean(1)]);
    const audits = await recountAudits(session.id, 'inventory.recountCancelled');
    expect(audits).toHaveLength(1);
    expect(audits[0]!.before).toEqual({ eans: [ean(0)] });
    expect((await manager.inventory.cancelRecount({ sessionId: session.id, eans: [ean(0)] })).withdrawn).toEqual([]);
    expect((await (await as(services, org, 'clerk')).inventory.byId({ id: session.id })).recountRequests.map((r) => r.ean)).toEqual([ean(1)]);
  });

  it('is refused (PRECONDITION_FAILED, nothing changed) once a recount arrived for a named line, or the session is closed', async () => {
    const session = await open();
    const manager = await as(services, org, 'manager');
    const second = await asSecret(services, org.secondClerk.secret);
    await manager.inventory.requestRecount({ sessionId: session.id, eans: [ean(0), ean(1)] });
    await second.inventory.sync({ sessionId: session.id, ...device('tab-b'), pendingCount: 0, entries: [entry(ean(0), 7, { recount: true })] });
    const refused = await errorOf(manager.inventory.cancelRecount({ sessionId: session.id, eans: [ean(1), ean(0)] }));
    expect(refused.code).toBe('PRECONDITION_FAILED');
    expect(refused.message).toBe(`Already recounted, so the request can no longer be withdrawn: ${ean(0)}`);
    expect([refused.cause?.reason, refused.cause?.data]).toEqual(['recount_arrived', { eans: [ean(0)] }]);
    expect(await services.db.$count(inventoryRecounts, eq(inventoryRecounts.sessionId, session.id))).toBe(2);
    expect(await recountAudits(session.id, 'inventory.recountCancelled')).toHaveLength(0);

    await manager.inventory.cancel({ sessionId: session.id, reason: 'teste' });
    const closed = await errorOf(manager.inventory.cancelRecount({ sessionId: session.id, eans: [ean(1)] }));
    expect([closed.code, closed.cause?.reason]).toEqual(['PRECONDITION_FAILED', 'session_closed']);
    expect(await services.db.$count(inventoryRecounts, eq(inventoryRecounts.sessionId, session.id))).toBe(2);
  });

  it('is for managers and admins of the org, and validates the lines', async () => {
    const session = await open();
    const manager = await as(services, org, 'manager');
    await manager.inventory.requestRecount({ sessionId: session.id, eans: [ean(0)] });
    expect(await codeOf((await as(services, org, 'clerk')).inventory.cancelRecount({ sessionId: session.id, eans: [ean(0)] }))).toBe('FORBIDDEN');
    expect(await codeOf((await as(services, other, 'manager')).inventory.cancelRecount({ sessionId: session.id, eans: [ean(0)] }))).toBe('NOT_FOUND');
    expect(await codeOf(manager.inventory.cancelRecount({ sessionId: session.id, eans: [] }))).toBe('BAD_REQUEST');
    expect(await codeOf(manager.inventory.cancelRecount({ sessionId: session.id, eans: ['abc'] }))).toBe('BAD_REQUEST');
    expect(await services.db.$count(inventoryRecounts, eq(inventoryRecounts.sessionId, session.id))).toBe(1);
  });
});
