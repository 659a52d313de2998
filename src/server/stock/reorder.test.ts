import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../../tests/helpers/harness';
import { as, codeOf, createInventoryFixture, errorOf, setStock, type InventoryFixture } from '../../../tests/helpers/inventory';
import type { Services } from '../services';

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createInventoryFixture(services, 'reorder');
});
afterAll(() => close());

const storeId = (i: number) => org.stores[i]!.id;
const productId = (i: number) => org.products[i]!.id;

describe('reorder suggestions', () => {
  it('suggests what fell below its minimum, once: a product on an open request is not suggested again', async () => {
    const manager = await as(services, org, 'manager');
    const clerk = await as(services, org, 'clerk');
    await setStock(services, org, 0, [3, 50, 0]);
    await manager.stock.setReorder({ storeId: storeId(0), productId: productId(0), rule: { minQuantity: 10, reorderQuantity: 24 } });
    await manager.stock.setReorder({ storeId: storeId(0), productId: productId(1), rule: { minQuantity: 10, reorderQuantity: 12 } });
    expect(await codeOf(clerk.stock.setReorder({ storeId: storeId(0), productId: productId(2), rule: { minQuantity: 1, reorderQuantity: 1 } }))).toBe('FORBIDDEN');

    const below = await clerk.stock.levels({ storeId: storeId(0), belowMinimum: true });
    expect(below.items.map((l) => [l.productId, l.minQuantity, l.reorderQuantity])).toEqual([[productId(0), 10, 24]]);
    expect((await clerk.stock.suggestions({ storeId: storeId(0) })).items.map((s) => [s.productId, s.reorderQuantity])).toEqual([[productId(0), 24]]);

    // One step to a draft, prefilled; the same call again is the same draft.
    const id = randomUUID();
    const draft = await clerk.stock.draftFromSuggestions({ id, storeId: storeId(0) });
    expect(draft).toMatchObject({ status: 'draft', storeId: storeId(0) });
    expect(draft.items.map((i) => [i.productId, i.quantity])).toEqual([[productId(0), 24]]);
    expect((await clerk.stock.draftFromSuggestions({ id, storeId: storeId(0) })).id).toBe(draft.id);
    // Now on an open request: not suggested again, and a new draft has nothing to take.
    expect((await clerk.stock.suggestions({ storeId: storeId(0) })).items).toEqual([]);
    expect(await errorOf(clerk.stock.draftFromSuggestions({ id: randomUUID(), storeId: storeId(0) }))).toMatchObject({ code: 'PRECONDITION_FAILED', cause: { reason: 'nothing_to_reorder' } });

    // A rule removed: no longer suggested even once the request is gone.
    await manager.stock.setReorder({ storeId: storeId(0), productId: productId(0), rule: null });
    expect((await clerk.stock.levels({ storeId: storeId(0), belowMinimum: true })).items).toEqual([]);
  });

  it('takes minimums and reorder quantities from the stock CSV, row by row; a row may set only the rule', async () => {
    const manager = await as(services, org, 'manager');
    await setStock(services, org, 1, [7, 8, 9]);
    const ean = (i: number) => org.products[i]!.ean;
    const csv = `ean;quantidade;mínimo;reposição\n${ean(0)};3;10;24\n${ean(1)};;5;\n${ean(2)};;12,5;6\n`;
    const result = await manager.inventory.stock.importCsv({ storeId: storeId(1), csv });
    expect(result).toMatchObject({ updated: 1, rules: 2, rejected: 1 });
    expect(result.errors).toMatchObject([{ line: 3, errors: [{ reason: 'rule_incomplete' }, { reason: 'required' }] }]);
    const levels = await manager.stock.levels({ storeId: storeId(1) });
    expect(levels.items.map((l) => [l.productId, l.quantity, l.minQuantity, l.reorderQuantity])).toEqual(
      expect.arrayContaining([
        [productId(0), 3, 10, 24],
        [productId(1), 8, null, null],
        [productId(2), 9, 12.5, 6],
      ]),
    );
    expect((await manager.stock.suggestions({ storeId: storeId(1) })).items.map((s) => s.productId).sort()).toEqual([productId(0), productId(2)].sort());
  });

  it('keeps a clerk to their stores', async () => {
    const clerk = await as(services, org, 'clerk');
    expect(await codeOf(clerk.stock.suggestions({ storeId: storeId(1) }))).toBe('NOT_FOUND');
    expect(await codeOf(clerk.stock.draftFromSuggestions({ id: randomUUID(), storeId: storeId(1) }))).toBe('NOT_FOUND');
  });
});
