import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsumers } from '../../../tests/helpers/events';
import { createTestServices } from '../../../tests/helpers/harness';
import { as, codeOf, createInventoryFixture, entry, errorOf, setStock, type InventoryFixture } from '../../../tests/helpers/inventory';
import { device } from '../../../tests/helpers/devices';
import { withCheckDigit } from '~/lib/ean';
import { notifications, purchaseRequestItems } from '../db/schema';
import type { Services } from '../services';

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createInventoryFixture(services, 'recv');
});
afterAll(() => close());

const storeId = (i: number) => org.stores[i]!.id;
const ean = (i: number) => org.products[i]!.ean;

/** A request of store 0 for these quantities of the fixture's products, approved in full by the buyer. */
async function approvedRequest(quantities: number[]) {
  const clerk = await as(services, org, 'clerk');
  const request = await clerk.purchaseRequests.create({
    id: randomUUID(),
    storeId: storeId(0),
    items: quantities.map((quantity, i) => ({ productId: org.products[i]!.id, quantity })),
    submit: true,
  });
  const buyer = await as(services, org, 'buyer');
  for (const item of request.items) await buyer.purchaseRequests.decideItem({ itemId: item.id, decision: 'approve' });
  return request;
}

const balance = async (store: number, product: number) => {
  const [row] = await services.db.execute<{ quantity: string }>(sql`select quantity from store_stock where store_id = ${storeId(store)} and product_id = ${org.products[product]!.id}`);
  return Number(row?.quantity ?? 0);
};
const scan = (code: string, quantity: number) => ({ id: randomUUID(), ean: code, quantity });

describe('receiving a delivery', () => {
  it('fills the approved items oldest first, puts what arrived in stock once, and leaves the rest to receive', async () => {
    await setStock(services, org, 0, [5, 5, 5]);
    const first = await approvedRequest([10, 4]);
    const second = await approvedRequest([6]);
    const clerk = await as(services, org, 'clerk');
    const waiting = await clerk.receiving.toReceive({ storeId: storeId(0) });
    expect(waiting.items.filter((i) => i.productId === org.products[0]!.id).map((i) => i.remaining)).toEqual([10, 6]);
    expect(waiting.total).toBe(waiting.items.length);
    expect(waiting.expected.find((e) => e.ean === ean(0))?.remaining).toBe(16);

    const receipt = await clerk.receiving.open({ id: randomUUID(), storeId: storeId(0), note: 'NF 1234' });
    const batch = [scan(ean(0), 8), scan(ean(0), 5), scan(ean(1), 4), scan(ean(0), -1)];
    await clerk.receiving.sync({ receiptId: receipt.receipt.id, entries: batch });
    // The same batch again (a dropped answer): acknowledged, nothing added.
    const again = await clerk.receiving.sync({ receiptId: receipt.receipt.id, entries: batch });
    expect([...again.accepted].sort()).toEqual(batch.map((b) => b.id).sort());
    expect(again.rejected).toEqual([]);
    expect(again.serverCount).toBe(4);
    const detail = await clerk.receiving.byId({ id: receipt.receipt.id });
    expect(detail.lines.find((l) => l.ean === ean(0))).toMatchObject({ received: 12, expected: 16, excess: 0 });

    const closed = await clerk.receiving.close({ id: receipt.receipt.id });
    expect(closed.receipt.status).toBe('closed');
    // Arroz: 12 arrived, the older request's 10 filled, 2 of the newer's 6; Feijão: 4 of 4.
    const received = async (itemId: string) => (await services.db.select().from(purchaseRequestItems).where(eq(purchaseRequestItems.id, itemId)))[0]!.receivedQuantity;
    expect(await received(first.items[0]!.id)).toBe(10);
    expect(await received(first.items[1]!.id)).toBe(4);
    expect(await received(second.items[0]!.id)).toBe(2);
    expect([await balance(0, 0), await balance(0, 1)]).toEqual([17, 9]);
    // The store's closed deliveries say what each close found: Arroz came in part for the newer request.
    const closedList = await clerk.receiving.closed({ storeId: storeId(0) });
    expect(closedList.items.find((r) => r.id === receipt.receipt.id)).toMatchObject({ products: 2, excessProducts: 0, unknownCodes: 0, partialItems: 1, note: 'NF 1234' });
    // Closing again answers the closed receipt and writes nothing more.
    await clerk.receiving.close({ id: receipt.receipt.id });
    expect(await balance(0, 0)).toBe(17);
    const left = await clerk.receiving.toReceive({ storeId: storeId(0) });
    expect(left.items.filter((i) => i.productId === org.products[0]!.id).map((i) => i.remaining)).toEqual([4]);
    // A closed receipt takes no more scans, and says which of the batch it had taken; a pure resend is acknowledged.
    const late = await errorOf(clerk.receiving.sync({ receiptId: receipt.receipt.id, entries: [batch[0]!, scan(ean(0), 1)] }));
    expect(late).toMatchObject({ code: 'PRECONDITION_FAILED', cause: { reason: 'receipt_closed', data: { acknowledged: [batch[0]!.id] } } });
    expect((await clerk.receiving.sync({ receiptId: receipt.receipt.id, entries: batch })).accepted).toHaveLength(4);
    const [event] = await services.db.execute<{ payload: { items: unknown[] } }>(sql`select payload from event_log where type = 'stock.received' and aggregate_id = ${receipt.receipt.id}`);
    expect(event!.payload.items).toHaveLength(3);
    // The requester and the buyer hear that the newer request's Arroz came in part.
    await runConsumers(services);
    for (const userId of [org.users.clerk.id, org.users.buyer.id]) {
      const [notice] = await services.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.kind, 'stock.received')));
      expect(notice?.body).toContain(`${second.number}: 2 de 6`);
    }
  });

  it('keeps an unknown code aside and needs a manager for more than the requests expect', async () => {
    const clerk = await as(services, org, 'clerk');
    const manager = await as(services, org, 'manager');
    const before = await balance(0, 2);
    const receipt = await clerk.receiving.open({ id: randomUUID(), storeId: storeId(0) });
    const unknown = withCheckDigit('789777766665');
    const sent = await clerk.receiving.sync({ receiptId: receipt.receipt.id, entries: [scan(ean(2), 1.995), scan(ean(2), 1.005), scan(unknown, 2), scan(ean(2), 0.0001)] });
    // Three decimals are a quantity (kg from a scale label); a fourth is refused alone.
    expect(sent.accepted).toHaveLength(3);
    expect(sent.rejected).toMatchObject([{ reason: 'invalid_quantity' }]);
    const detail = await clerk.receiving.byId({ id: receipt.receipt.id });
    expect(detail.unknownEans).toEqual([unknown]);
    expect(detail.needsManager).toBe(true);
    const refused = await errorOf(clerk.receiving.close({ id: receipt.receipt.id, acceptExcess: true }));
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', cause: { reason: 'excess_needs_manager' } });
    expect(await balance(0, 2)).toBe(before);
    // A manager who looked before the last scans arrived decides again.
    expect(detail.entryCount).toBe(3);
    expect(await errorOf(manager.receiving.close({ id: receipt.receipt.id, acceptExcess: true, entryCount: 2 }))).toMatchObject({ code: 'CONFLICT', cause: { reason: 'receipt_changed' } });
    await manager.receiving.close({ id: receipt.receipt.id, acceptExcess: true, entryCount: 3 });
    expect(await balance(0, 2)).toBe(before + 3);
    // The product's buyer hears of what came beyond the requests, even with no request of it touched.
    await runConsumers(services);
    const notices = await services.db.select().from(notifications).where(and(eq(notifications.userId, org.users.buyer.id), eq(notifications.kind, 'stock.received')));
    expect(notices.find((n) => (n.data as { receiptId?: string }).receiptId === receipt.receipt.id)?.body).toContain('além do pedido');
  });

  it('counts a correction instead of the scan it replaces, once, and only within its receipt', async () => {
    const clerk = await as(services, org, 'clerk');
    const [a, b] = await Promise.all([0, 1].map(() => clerk.receiving.open({ id: randomUUID(), storeId: storeId(0) })));
    const first = scan(ean(1), 6);
    const fix = { ...scan(ean(1), 4), replaces: first.id };
    const sent = await clerk.receiving.sync({ receiptId: a!.receipt.id, entries: [first, fix] });
    expect(sent.accepted).toEqual([first.id, fix.id]);
    // A second correction of the same scan, and a correction from another receipt, are refused alone.
    const again = { ...scan(ean(1), 2), replaces: first.id };
    const other = { ...scan(ean(1), 1), replaces: fix.id };
    expect((await clerk.receiving.sync({ receiptId: a!.receipt.id, entries: [again] })).rejected).toMatchObject([{ id: again.id, reason: 'already_replaced' }]);
    expect((await clerk.receiving.sync({ receiptId: b!.receipt.id, entries: [other] })).rejected).toMatchObject([{ id: other.id, reason: 'replaces_other_receipt' }]);
    // Nor with the other receipt's scan resent alongside it: that scan is not this receipt's to correct.
    const sneaky = { ...scan(ean(1), 0), replaces: first.id };
    const crossed = await clerk.receiving.sync({ receiptId: b!.receipt.id, entries: [first, sneaky] });
    expect(crossed.rejected.map((r) => [r.id, r.reason])).toEqual([
      [first.id, 'entry_of_another_receipt'],
      [sneaky.id, 'replaces_other_receipt'],
    ]);
    // Undoing the correction (0) leaves nothing of the product on the receipt.
    const undo = { ...scan(ean(1), 0), replaces: fix.id };
    expect((await clerk.receiving.sync({ receiptId: a!.receipt.id, entries: [undo, scan(ean(2), 0)] })).rejected).toMatchObject([{ reason: 'zero_quantity' }]);
    expect((await clerk.receiving.byId({ id: a!.receipt.id })).lines).toEqual([]);
    await clerk.receiving.sync({ receiptId: a!.receipt.id, entries: [{ ...scan(ean(1), 3), replaces: undo.id }] });
    expect((await clerk.receiving.byId({ id: a!.receipt.id })).lines).toMatchObject([{ ean: ean(1), received: 3 }]);
  });

  it('waits for a tablet that still holds scans of the delivery, unless a manager closes without them', async () => {
    const clerk = await as(services, org, 'clerk');
    const manager = await as(services, org, 'manager');
    const receipt = await clerk.receiving.open({ id: randomUUID(), storeId: storeId(0) });
    await clerk.receiving.sync({ receiptId: receipt.receipt.id, entries: [scan(ean(0), 1)], deviceId: 'tab-a', pendingCount: 0 });
    // Another tablet sent a first batch and went offline with 3 more.
    await clerk.receiving.sync({ receiptId: receipt.receipt.id, entries: [scan(ean(0), 1)], deviceId: 'tab-b', pendingCount: 3 });
    expect(await errorOf(clerk.receiving.close({ id: receipt.receipt.id, acceptExcess: true }))).toMatchObject({
      code: 'PRECONDITION_FAILED',
      cause: { reason: 'receipt_devices_pending', data: { total: 3 } },
    });
    expect(await codeOf(clerk.receiving.close({ id: receipt.receipt.id, withoutPending: true }))).toBe('PRECONDITION_FAILED');
    // Its last batch says it holds nothing more: the close goes through.
    await clerk.receiving.sync({ receiptId: receipt.receipt.id, entries: [scan(ean(0), 1)], deviceId: 'tab-b', pendingCount: 0 });
    await clerk.receiving.sync({ receiptId: receipt.receipt.id, entries: [], deviceId: 'tab-c', pendingCount: 2 });
    const closed = await manager.receiving.close({ id: receipt.receipt.id, acceptExcess: true, withoutPending: true });
    expect(closed.receipt.status).toBe('closed');
  });

  it('closes two receipts for the same items at once without filling an item twice', async () => {
    const request = await approvedRequest([0, 0, 5].map((q) => q || 1));
    const clerk = await as(services, org, 'clerk');
    const manager = await as(services, org, 'manager');
    const receipts = await Promise.all([0, 1].map(() => clerk.receiving.open({ id: randomUUID(), storeId: storeId(0) })));
    for (const r of receipts) await clerk.receiving.sync({ receiptId: r.receipt.id, entries: [scan(ean(2), 4)] });
    await Promise.all(receipts.map((r) => manager.receiving.close({ id: r.receipt.id, acceptExcess: true })));
    const [item] = await services.db.select().from(purchaseRequestItems).where(eq(purchaseRequestItems.id, request.items[2]!.id));
    expect(item!.receivedQuantity).toBe(5);
    const [dupes] = await services.db.execute<{ n: number }>(sql`
      select count(*)::int as n from stock_movements where kind = 'receipt' and operation_id in (${receipts[0]!.receipt.id}, ${receipts[1]!.receipt.id})`);
    expect(dupes!.n).toBe(2);
  });

  it('closes while a count of the same store finalizes: both land, and every balance is still the sum of its movements', async () => {
    await setStock(services, org, 1, [10, 10, 10]);
    const manager = await as(services, org, 'manager');
    const session = await manager.inventory.open({ storeId: storeId(1), assignments: [] });
    const receipt = await manager.receiving.open({ id: randomUUID(), storeId: storeId(1) });
    await manager.receiving.sync({ receiptId: receipt.receipt.id, entries: [scan(ean(0), 5)] });
    await manager.inventory.sync({ sessionId: session.id, ...device('recv-count'), pendingCount: 0, entries: [0, 1, 2].map((i) => entry(ean(i), 10)) });
    await Promise.all([manager.inventory.finalize({ sessionId: session.id }), manager.receiving.close({ id: receipt.receipt.id, acceptExcess: true })]);
    // Counted 10 with the delivery either before the count's totals (expected 15: −5, then 10) or after them (10, then +5).
    expect([10, 15]).toContain(await balance(1, 0));
    const [mismatch] = await services.db.execute<{ n: number }>(sql`
      select count(*)::int as n from store_stock s
       where s.store_id = ${storeId(1)} and s.quantity <> (select coalesce(sum(m.quantity), 0) from stock_movements m where m.store_id = s.store_id and m.product_id = s.product_id)`);
    expect(mismatch!.n).toBe(0);
  });

  it('is the store’s: a clerk of another store sees no receipt of it', async () => {
    const manager = await as(services, org, 'manager');
    const receipt = await manager.receiving.open({ id: randomUUID(), storeId: storeId(1) });
    const clerk = await as(services, org, 'clerk');
    expect(await codeOf(clerk.receiving.byId({ id: receipt.receipt.id }))).toBe('NOT_FOUND');
    expect(await codeOf(clerk.receiving.toReceive({ storeId: storeId(1) }))).toBe('NOT_FOUND');
    // The same receipt id for another store is a CONFLICT.
    expect(await codeOf(manager.receiving.open({ id: receipt.receipt.id, storeId: storeId(0) }))).toBe('CONFLICT');
  });

  it('lists the oldest 500 items of a long wait, says how many there are, and checks scans against all of them', async () => {
    // 501 approved requests of store 1, one line each: 500 of Arroz (1 each), the newest of Feijão (7).
    const requestIds = Array.from({ length: 501 }, () => randomUUID());
    await services.db.execute(sql`
      insert into purchase_requests (id, org_id, store_id, created_by, status, submitted_at, created_at)
      select r.id, ${org.org.id}, ${storeId(1)}, ${org.users.admin.id}, 'approved', now(), now() - make_interval(secs => 1000 - r.n)
        from unnest(string_to_array(${requestIds.join(',')}, ',')::uuid[]) with ordinality as r(id, n)`);
    await services.db.execute(sql`
      insert into purchase_request_items (org_id, request_id, product_id, quantity, unit_price, status, approved_quantity)
      select ${org.org.id}, r.id, case when r.n = 501 then ${org.products[1]!.id}::uuid else ${org.products[0]!.id}::uuid end,
             case when r.n = 501 then 7 else 1 end, 1, 'approved', null
        from unnest(string_to_array(${requestIds.join(',')}, ',')::uuid[]) with ordinality as r(id, n)`);
    try {
      const admin = await as(services, org, 'admin');
      const waiting = await admin.receiving.toReceive({ storeId: storeId(1) });
      expect(waiting.items).toHaveLength(500);
      expect(waiting.total).toBe(501);
      expect(waiting.items.every((i) => i.ean === ean(0))).toBe(true);
      // The 501st (not listed) is still expected: a scan of Feijão is checked against its 7.
      expect(Object.fromEntries(waiting.expected.map((e) => [e.ean, e.remaining]))).toEqual({ [ean(0)]: 500, [ean(1)]: 7 });
    } finally {
      await services.db.execute(sql`delete from purchase_request_items where request_id = any(string_to_array(${requestIds.join(',')}, ',')::uuid[])`);
      await services.db.execute(sql`delete from purchase_requests where id = any(string_to_array(${requestIds.join(',')}, ',')::uuid[])`);
    }
  });
});
