import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../../tests/helpers/harness';
import { as, cancelOpenSessions, codeOf, createInventoryFixture, entry, errorOf, setStock, type InventoryFixture } from '../../../tests/helpers/inventory';
import { device } from '../../../tests/helpers/devices';
import { Prng } from '../seed/prng';
import type { Services } from '../services';

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createInventoryFixture(services, 'ledger');
});
afterAll(() => close());
afterEach(() => cancelOpenSessions(services));

const storeId = (i: number) => org.stores[i]!.id;
const productId = (i: number) => org.products[i]!.id;

/** Every store and product of the org whose balance is not the sum of its movements, or whose last movement's balance differs. */
async function ledgerMismatches() {
  const rows = await services.db.execute<{ store_id: string; product_id: string; quantity: string; moved: string | null; last_balance: string | null }>(sql`
    select s.store_id, s.product_id, s.quantity,
           (select sum(m.quantity) from stock_movements m where m.store_id = s.store_id and m.product_id = s.product_id) as moved,
           (select m.balance_after from stock_movements m where m.store_id = s.store_id and m.product_id = s.product_id order by m.id desc limit 1) as last_balance
      from store_stock s where s.org_id = ${org.org.id}`);
  return [...rows].filter((r) => Number(r.quantity) !== Number(r.moved ?? 0) || (r.moved !== null && Number(r.last_balance) !== Number(r.quantity)));
}

const balance = async (store: number, product: number) => {
  const [row] = await services.db.execute<{ quantity: string }>(sql`select quantity from store_stock where store_id = ${storeId(store)} and product_id = ${productId(product)}`);
  return Number(row?.quantity ?? 0);
};

describe('the stock ledger', () => {
  it('keeps every balance equal to the sum of its movements under random concurrent operations and retries', async () => {
    const manager = await as(services, org, 'manager');
    await setStock(services, org, 0, [50, 50, 50]);
    await setStock(services, org, 1, [20, 20, 20]);
    const rng = new Prng(20_251_203);
    const sent: { id: string; call: () => Promise<unknown> }[] = [];
    for (let i = 0; i < 120; i++) {
      const product = productId(rng.int(0, 2));
      const from = rng.int(0, 1);
      const id = randomUUID();
      const pick = rng.int(0, 3);
      const amount = rng.int(1, 5);
      const call =
        pick === 0
          ? () => manager.stock.adjust({ id, storeId: storeId(from), productId: product, kind: 'manual_adjustment', quantity: amount % 2 ? amount : -amount, reason: 'conferência' })
          : pick === 1
            ? () => manager.stock.adjust({ id, storeId: storeId(from), productId: product, kind: 'loss', quantity: amount, reason: 'avaria' })
            : pick === 2
              ? () => manager.stock.transfer({ id, fromStoreId: storeId(from), toStoreId: storeId(1 - from), productId: product, quantity: amount, reason: 'reposição' })
              : () => manager.inventory.stock.importCsv({ storeId: storeId(from), csv: `ean;quantidade\n${org.products.find((p) => p.id === product)!.ean};${amount * 10}\n` });
      sent.push({ id, call });
    }
    // Eight at a time, a fifth of them sent twice at once (a retry racing the first try).
    for (let i = 0; i < sent.length; i += 8) {
      await Promise.all(sent.slice(i, i + 8).flatMap(({ call }, j) => (j % 5 === 0 ? [call(), call()] : [call()])));
    }
    expect(await ledgerMismatches()).toEqual([]);
    // Each operation wrote its movements once (a transfer two, an adjustment one; imports of an unchanged quantity none).
    const [dupes] = await services.db.execute<{ n: number }>(sql`
      select count(*)::int as n from (select operation_id, store_id, product_id, kind from stock_movements where org_id = ${org.org.id} group by 1, 2, 3, 4 having count(*) > 1) d`);
    expect(dupes!.n).toBe(0);
  });

  it('answers a retried adjustment with the first one’s movement, and refuses the same id for another operation', async () => {
    const manager = await as(services, org, 'manager');
    const before = await balance(0, 0);
    const input = { id: randomUUID(), storeId: storeId(0), productId: productId(0), kind: 'manual_adjustment' as const, quantity: 7, reason: 'achado no depósito' };
    const first = await manager.stock.adjust(input);
    const again = await manager.stock.adjust(input);
    expect(first.repeated).toBe(false);
    expect(again).toMatchObject({ repeated: true, movements: first.movements });
    expect(await balance(0, 0)).toBe(before + 7);
    expect(await errorOf(manager.stock.adjust({ ...input, quantity: 8 }))).toMatchObject({ code: 'CONFLICT', cause: { reason: 'operation_id_reused' } });
    expect(await balance(0, 0)).toBe(before + 7);
    const [event] = await services.db.execute<{ n: number }>(sql`select count(*)::int as n from event_log where type = 'stock.adjusted' and payload ->> 'operationId' = ${input.id}`);
    expect(event!.n).toBe(1);
  });

  it('refuses what makes no sense, and lets only managers and admins change stock', async () => {
    const manager = await as(services, org, 'manager');
    const clerk = await as(services, org, 'clerk');
    const base = { id: randomUUID(), storeId: storeId(0), productId: productId(0), reason: 'x' };
    expect(await codeOf(manager.stock.adjust({ ...base, kind: 'loss', quantity: -2 }))).toBe('BAD_REQUEST');
    expect(await codeOf(manager.stock.adjust({ ...base, kind: 'manual_adjustment', quantity: 0 }))).toBe('BAD_REQUEST');
    expect(await codeOf(manager.stock.transfer({ id: randomUUID(), fromStoreId: storeId(0), toStoreId: storeId(0), productId: productId(0), quantity: 1, reason: 'x' }))).toBe('BAD_REQUEST');
    expect(await codeOf(clerk.stock.adjust({ ...base, kind: 'manual_adjustment', quantity: 1 }))).toBe('FORBIDDEN');
    expect(await codeOf(manager.stock.adjust({ ...base, productId: randomUUID(), kind: 'manual_adjustment', quantity: 1 }))).toBe('NOT_FOUND');
    // A clerk reads their store's stock only.
    expect((await clerk.stock.levels({ storeId: storeId(0) })).items.length).toBeGreaterThan(0);
    expect(await codeOf(clerk.stock.levels({ storeId: storeId(1) }))).toBe('NOT_FOUND');
  });

  it('shows a product’s history newest first, in pages, each movement with the balance after it', async () => {
    const manager = await as(services, org, 'manager');
    for (const quantity of [1, 2, 3]) await manager.stock.adjust({ id: randomUUID(), storeId: storeId(1), productId: productId(2), kind: 'manual_adjustment', quantity, reason: `ajuste ${quantity}` });
    const first = await manager.stock.history({ storeId: storeId(1), productId: productId(2), limit: 2 });
    expect(first.items.map((m) => m.reason)).toEqual(['ajuste 3', 'ajuste 2']);
    expect(first.items[0]!.balanceAfter).toBe(await balance(1, 2));
    expect(first.items[0]!.balanceAfter - first.items[1]!.balanceAfter).toBe(3);
    const second = await manager.stock.history({ storeId: storeId(1), productId: productId(2), limit: 2, cursor: first.nextCursor });
    expect(second.items[0]!.reason).toBe('ajuste 1');
  });
});

describe('a count with stock moving while it is open', () => {
  it('sets a session opened before the ledger (no snapshot) to the counted quantity, as finalize did then', async () => {
    await setStock(services, org, 1, [10, 20, 30]);
    const manager = await as(services, org, 'manager');
    const session = await manager.inventory.open({ storeId: storeId(1), assignments: [] });
    await services.db.execute(sql`update inventory_sessions set stock_snapshot = null where id = ${session.id}`);
    await setStock(services, org, 1, [13, 20, 30]);
    await manager.inventory.sync({ sessionId: session.id, ...device('ledger-legacy'), pendingCount: 0, entries: [0, 1, 2].map((i) => entry(org.products[i]!.ean, 11)) });
    await manager.inventory.finalize({ sessionId: session.id });
    expect([await balance(1, 0), await balance(1, 1), await balance(1, 2)]).toEqual([11, 11, 11]);
    expect(await ledgerMismatches()).toEqual([]);
  });

  it('adds the movements its snapshot did not see to the expected quantity: no variance from them, and the balance becomes the count', async () => {
    await setStock(services, org, 0, [10, 20, 30]);
    const manager = await as(services, org, 'manager');
    const clerk = await as(services, org, 'clerk');
    const session = await manager.inventory.open({ storeId: storeId(0), assignments: [{ userId: org.users.clerk.id, zone: '' }] });
    // A delivery of 12 Arroz arrives and is shelved mid-count; 5 Feijão are lost; then the shelves are counted.
    await manager.stock.adjust({ id: randomUUID(), storeId: storeId(0), productId: productId(0), kind: 'manual_adjustment', quantity: 12, reason: 'entrega' });
    await manager.stock.adjust({ id: randomUUID(), storeId: storeId(0), productId: productId(1), kind: 'loss', quantity: 5, reason: 'avaria' });
    await clerk.inventory.sync({
      sessionId: session.id,
      ...device('ledger-tab'),
      pendingCount: 0,
      entries: [entry(org.products[0]!.ean, 22), entry(org.products[1]!.ean, 14), entry(org.products[2]!.ean, 30)],
    });
    const review = await manager.inventory.review({ sessionId: session.id });
    const line = (i: number) => review.items.find((l) => l.ean === org.products[i]!.ean)!;
    expect(line(0)).toMatchObject({ expected: 22, counted: 22, varianceQuantity: 0 });
    expect(line(1)).toMatchObject({ expected: 15, counted: 14, varianceQuantity: -1 });
    // Stock moves again after the review, before the finalize: still accounted for.
    await manager.stock.adjust({ id: randomUUID(), storeId: storeId(0), productId: productId(2), kind: 'manual_adjustment', quantity: -4, reason: 'venda' });
    const result = await manager.inventory.finalize({ sessionId: session.id });
    expect(result.varianceValue).toBeCloseTo(-15.5 + 4 * 21, 2); // Feijão −1 at R$ 15,50; Café counted 30 against 26
    expect([await balance(0, 0), await balance(0, 1), await balance(0, 2)]).toEqual([22, 14, 30]);
    const adjustments = await services.db.execute<{ product_id: string; quantity: string }>(
      sql`select product_id, quantity from stock_movements where operation_id = ${session.id} and kind = 'count_adjustment' order by product_id`,
    );
    expect(
      [...adjustments]
        .map((a) => [org.products.findIndex((p) => p.id === a.product_id), Number(a.quantity)])
        .sort((x, y) => x[0]! - y[0]!),
    ).toEqual([
      [1, -1],
      [2, 4],
    ]);
    expect(await ledgerMismatches()).toEqual([]);
  });
});
