import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../../tests/helpers/harness';
import { as, createInventoryFixture, setStock, type InventoryFixture } from '../../../tests/helpers/inventory';
import { runConsumers } from '../../../tests/helpers/events';
import type { Services } from '../services';

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createInventoryFixture(services, 'levels');
  await setStock(services, org, 0, [4, 5, 6]);
});
afterAll(() => close());

const storeId = () => org.stores[0]!.id;
const names = (page: { items: { name: string }[] }) => page.items.map((l) => l.name);

describe("a store's stock page", () => {
  it('pages in name order (accents aside) and searches words as the catalogue does, or an EAN prefix', async () => {
    const clerk = await as(services, org, 'clerk');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { name: string }[]; nextCursor: string | null } = await clerk.stock.levels({ storeId: storeId(), limit: 1, cursor });
      seen.push(...names(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Arroz 5kg', 'Café 500g', 'Feijão 1kg']);
    expect(names(await clerk.stock.levels({ storeId: storeId(), search: 'feijao' }))).toEqual(['Feijão 1kg']);
    expect(names(await clerk.stock.levels({ storeId: storeId(), search: 'merc 5' }))).toEqual(['Arroz 5kg']);
    expect(names(await clerk.stock.levels({ storeId: storeId(), search: 'roz' }))).toEqual([]);
    expect(names(await clerk.stock.levels({ storeId: storeId(), search: org.products[2]!.ean.slice(0, 12) }))).toEqual(['Café 500g']);
    const byEan = await clerk.stock.levels({ storeId: storeId(), search: org.products[0]!.ean.slice(0, 3), limit: 2 });
    const rest = await clerk.stock.levels({ storeId: storeId(), search: org.products[0]!.ean.slice(0, 3), limit: 2, cursor: byEan.nextCursor });
    expect([...byEan.items, ...rest.items].map((l) => l.ean)).toEqual(org.products.map((p) => p.ean).sort());
  });

  it('follows a renamed product once the workers copy its name (its stock rows carry the name they are ordered and searched by)', async () => {
    const clerk = await as(services, org, 'clerk');
    const admin = await as(services, org, 'admin');
    await admin.products.update({ id: org.products[1]!.id, name: 'Açaí 1kg', brand: 'Frooty' });
    // The workers copy the new name to the store's rows (stock/consumers.ts).
    await runConsumers(services);
    expect(names(await clerk.stock.levels({ storeId: storeId() }))).toEqual(['Açaí 1kg', 'Arroz 5kg', 'Café 500g']);
    expect(names(await clerk.stock.levels({ storeId: storeId(), search: 'frooty' }))).toEqual(['Açaí 1kg']);
    expect(names(await clerk.stock.levels({ storeId: storeId(), search: 'feijao' }))).toEqual([]);
    const [stale] = await services.db.execute<{ n: number }>(sql`
      select count(*)::int as n from store_stock s join products p on p.id = s.product_id where s.name_key is distinct from p.name_key or s.search_words is distinct from p.search_words`);
    expect(stale!.n).toBe(0);
  });
});

describe('the stores whose stock a person reads', () => {
  it('lists a clerk their own stores and everyone else the org’s active ones, searched by name, code or city', async () => {
    await services.db.execute(sql`insert into stores (org_id, code, name, city, active) values (${org.org.id}, 'levels-x', 'Loja levels fechada', 'Santos', false)`);
    await services.db.execute(sql`insert into stores (org_id, code, name, city) values (${org.org.id}, 'levels-3', 'Loja levels 3', 'Campinas')`);
    const codes = (page: { items: { code: string }[] }) => page.items.map((s) => s.code);
    const clerk = await as(services, org, 'clerk');
    const buyer = await as(services, org, 'buyer');
    expect(codes(await clerk.stock.stores({}))).toEqual(['levels-1']);
    expect(codes(await clerk.stock.stores({ search: 'campinas' }))).toEqual([]);
    expect(codes(await buyer.stock.stores({}))).toEqual(['levels-1', 'levels-2', 'levels-3']);
    expect(codes(await buyer.stock.stores({ search: 'CAMPI' }))).toEqual(['levels-3']);
    expect(codes(await buyer.stock.stores({ search: 'levels-2' }))).toEqual(['levels-2']);
    const first = await buyer.stock.stores({ limit: 2 });
    expect(codes(await buyer.stock.stores({ limit: 2, cursor: first.nextCursor }))).toEqual(['levels-3']);
    // What the list offers is what stock.levels answers: a buyer reads any store of the org, a clerk only theirs.
    await expect(buyer.stock.levels({ storeId: org.stores[1]!.id })).resolves.toBeTruthy();
    await expect(clerk.stock.levels({ storeId: org.stores[1]!.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(codes(await buyer.stock.stores({ search: 'fechada' }))).toEqual([]);
  });
});
