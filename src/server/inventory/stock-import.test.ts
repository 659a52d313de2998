import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '~/lib/ean';
import { createTestServices } from '../../../tests/helpers/harness';
import { auditLog, storeStock } from '../db/schema';
import type { Services } from '../services';
import { parseQuantity, parseStockCsv } from './stock-import';
import { as, createInventoryFixture, errorOf, type InventoryFixture } from '../../../tests/helpers/inventory';

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createInventoryFixture(services, 'stk');
});
afterAll(() => close());

const stockOf = async (storeIndex: number) =>
  Object.fromEntries(
    (await services.db.select().from(storeStock).where(eq(storeStock.storeId, org.stores[storeIndex]!.id))).map((s) => [org.products.findIndex((p) => p.id === s.productId), s.quantity]),
  );

describe('parsing', () => {
  it('reads Brazilian and plain decimals, refuses negatives and more than 3 decimals', () => {
    expect([parseQuantity('12'), parseQuantity('12,5'), parseQuantity('1.234,567'), parseQuantity('0.75')]).toEqual([12, 12.5, 1234.567, 0.75]);
    expect(parseQuantity('-1')).toMatchObject({ reason: 'must_not_be_negative' });
    expect(parseQuantity('1,2345')).toMatchObject({ reason: 'not_a_quantity', params: { value: '1,2345' } });
    expect(parseQuantity('')).toMatchObject({ reason: 'required', params: { field: 'quantity' } });
  });

  it('accepts Portuguese headers, semicolons and a BOM; line numbers count the header as line 1', async () => {
    const parsed = await parseStockCsv(`\uFEFFcódigo;quantidade\n${org.products[0]!.ean};3\n\n${org.products[1]!.ean};x\n`);
    expect(parsed.rows).toEqual([{ line: 2, ean: org.products[0]!.ean, quantity: 3, rule: null }]);
    expect(parsed.errors).toEqual([{ line: 4, ean: org.products[1]!.ean, errors: [expect.objectContaining({ reason: 'not_a_quantity', params: { value: 'x' } })] }]);
    expect((await parseStockCsv('produto;saldo\n1;2\n')).fatal).toMatchObject({ reason: 'csv_missing_column', data: { column: 'ean' } });
  });
});

describe('inventory.stock.importCsv', () => {
  it('sets the store’s stock row by row, answering each bad row with its line, and audits the import', async () => {
    const manager = await as(services, org, 'manager');
    const unknown = withCheckDigit('789777666555');
    const csv = [
      'ean;quantidade',
      `${org.products[0]!.ean};12`,
      `${org.products[1]!.ean};2,5`,
      `${org.products[0]!.ean};7`,
      `${unknown};1`,
      `7890000000001;1`,
      `${org.products[2]!.ean};-3`,
    ].join('\n');
    const result = await manager.inventory.stock.importCsv({ storeId: org.stores[0]!.id, csv });
    expect(result).toMatchObject({ created: 2, updated: 0, rejected: 4 });
    expect(result.errors.map((e) => [e.line, e.errors.map((p) => p.reason).join()])).toEqual([
      [4, 'ean_repeated'],
      [5, 'ean_unknown'],
      [6, 'check_digit'],
      [7, 'must_not_be_negative'],
    ]);
    expect(result.errors[1]!.errors[0]).toMatchObject({ params: { ean: unknown }, message: `no product with EAN ${unknown} in the catalogue` });
    expect(await stockOf(0)).toEqual({ 0: 12, 1: 2.5 });
    expect(await stockOf(1)).toEqual({});
    const again = await manager.inventory.stock.importCsv({ storeId: org.stores[0]!.id, csv: `ean,quantity\n${org.products[0]!.ean},4\n` });
    expect([again.created, again.updated, again.rejected]).toEqual([0, 1, 0]);
    expect(await stockOf(0)).toEqual({ 0: 4, 1: 2.5 });
    expect(await services.db.$count(auditLog, and(eq(auditLog.entityId, org.stores[0]!.id), eq(auditLog.action, 'storeStock.imported')))).toBe(2);
  });

  it('imports thousands of rows in one call, set-based', async () => {
    const manager = await as(services, org, 'manager');
    const lines = ['ean;quantidade', ...Array.from({ length: 3000 }, (_, i) => `${withCheckDigit(`7890${String(i).padStart(8, '0')}`)};${i}`)];
    const started = performance.now();
    const result = await manager.inventory.stock.importCsv({ storeId: org.stores[1]!.id, csv: lines.join('\n') });
    expect(result.rejected).toBe(3000); // none of these EANs is in the catalogue: each counted, the first 1,000 listed with their line
    expect([result.errors.length, result.errors[999]!.line, result.errorsTruncated]).toEqual([1000, 1001, true]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses a file without the columns, another org’s store, and clerks', async () => {
    const manager = await as(services, org, 'manager');
    const bad = await errorOf(manager.inventory.stock.importCsv({ storeId: org.stores[0]!.id, csv: 'a;b\n1;2\n' }));
    expect([bad.code, bad.message]).toEqual(['BAD_REQUEST', 'Missing column "ean" in the header (line 1); expected ean;quantidade']);
    const other = await createInventoryFixture(services, 'stk-other');
    expect((await errorOf((await as(services, other, 'manager')).inventory.stock.importCsv({ storeId: org.stores[0]!.id, csv: 'ean;quantidade\n' }))).code).toBe('NOT_FOUND');
    expect((await errorOf((await as(services, org, 'clerk')).inventory.stock.importCsv({ storeId: org.stores[0]!.id, csv: 'ean;quantidade\n' }))).code).toBe('FORBIDDEN');
  });
});
