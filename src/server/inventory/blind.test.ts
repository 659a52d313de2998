import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../../tests/helpers/harness';
import { inventorySessions, products } from '../db/schema';
import type { Services } from '../services';
import { as, asSecret, createInventoryFixture, entry, errorOf, setStock, type InventoryFixture } from '../../../tests/helpers/inventory';
import { device } from '../../../tests/helpers/devices';

/** Stock quantities no other number in a response is likely to equal, so finding one means it leaked. */
const EXPECTED = [7331.5, 8642.25, 9753.125];

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createInventoryFixture(services, 'blind');
});
afterAll(() => close());

/** What would give an expected quantity away: a key or value naming it, or one of the snapshot's numbers. */
function leaks(response: unknown): string[] {
  const json = JSON.stringify(response);
  const found = EXPECTED.filter((n) => json.includes(String(n))).map(String);
  if (/expect/i.test(json)) found.push('an "expected" key');
  if (/variance(Quantity|Value)/i.test(json)) found.push('a variance');
  return found;
}

async function openWithFreshStock(blind: boolean) {
  await services.db.update(inventorySessions).set({ status: 'cancelled' }).where(eq(inventorySessions.status, 'open'));
  await setStock(services, org, 0, EXPECTED);
  const manager = await as(services, org, 'manager');
  const session = await manager.inventory.open({
    storeId: org.stores[0]!.id,
    blind,
    assignments: [
      { userId: org.users.clerk.id, zone: 'A' },
      { userId: org.secondClerk.id, zone: 'B' },
    ],
  });
  return session;
}

describe('a blind session never sends expected quantities to the counting side', () => {
  it('in any answer a clerk or device gets: open list, byId, lookup table, sync, progress, recount requests', async () => {
    const session = await openWithFreshStock(true);
    const manager = await as(services, org, 'manager');
    const clerk = await as(services, org, 'clerk');
    const second = await asSecret(services, org.secondClerk.secret);
    const responses: Record<string, unknown> = {};
    responses.sync = await clerk.inventory.sync({
      sessionId: session.id,
      ...device('tab-1'),
      pendingCount: 0,
      entries: [entry(org.products[0]!.ean, 3, { zone: 'A' }), entry(org.products[1]!.ean, 1, { zone: 'A' })],
    });
    responses.syncReplay = await clerk.inventory.sync({ sessionId: session.id, ...device('tab-1'), pendingCount: 0, entries: [] });
    await manager.inventory.requestRecount({ sessionId: session.id, eans: [org.products[2]!.ean] });
    responses.recountSync = await second.inventory.sync({ sessionId: session.id, ...device('tab-2'), pendingCount: 0, entries: [entry(org.products[2]!.ean, 2, { zone: 'B', recount: true })] });
    responses.list = await clerk.inventory.list({ limit: 50 });
    responses.byId = await clerk.inventory.byId({ id: session.id });
    responses.progress = await clerk.inventory.progress({ sessionId: session.id });
    responses.lookupWithSession = await clerk.inventory.productsForStore({ storeId: org.stores[0]!.id, sessionId: session.id });
    responses.lookupOfStore = await clerk.inventory.productsForStore({ storeId: org.stores[0]!.id });
    // A manager's device counting in the session gets the same answers.
    responses.managerLookup = await manager.inventory.productsForStore({ storeId: org.stores[0]!.id, sessionId: session.id });
    responses.managerById = await manager.inventory.byId({ id: session.id });
    responses.managerProgress = await manager.inventory.progress({ sessionId: session.id });
    await manager.inventory.finalize({ sessionId: session.id });
    responses.closedError = (await errorOf(clerk.inventory.sync({ sessionId: session.id, ...device('tab-1'), pendingCount: 0, entries: [entry(org.products[0]!.ean)] }))).cause;

    for (const [name, response] of Object.entries(responses)) expect(leaks(response), name).toEqual([]);
    expect((responses.lookupWithSession as { items: unknown[]; blind: boolean }).items).toHaveLength(3);
    expect((responses.lookupWithSession as { blind: boolean }).blind).toBe(true);
  });

  it('the manager’s review of it does show them (the check above would catch them)', async () => {
    const session = await openWithFreshStock(true);
    const review = await (await as(services, org, 'manager')).inventory.review({ sessionId: session.id });
    expect(leaks(review)).toEqual(expect.arrayContaining(EXPECTED.map(String)));
    const reviewError = await errorOf((await as(services, org, 'clerk')).inventory.review({ sessionId: session.id }));
    expect(reviewError.code).toBe('FORBIDDEN');
  });

  it('a session that is not blind gives devices the expected quantity in the lookup table', async () => {
    const session = await openWithFreshStock(false);
    const lookup = await (await as(services, org, 'clerk')).inventory.productsForStore({ storeId: org.stores[0]!.id, sessionId: session.id });
    expect(lookup.items.map((p) => p.expectedQuantity)).toEqual(EXPECTED);
    expect(lookup.blind).toBe(false);
  });
});

describe('inventory.productsForStore', () => {
  it('pages the store’s lookup table by EAN, with id, name, unit, PLU, price and approved photo', async () => {
    const clerk = await as(services, org, 'clerk');
    const first = await clerk.inventory.productsForStore({ storeId: org.stores[0]!.id, limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(Object.keys(first.items[0]!).sort()).toEqual(['category', 'ean', 'id', 'name', 'photoId', 'plu', 'price', 'unit']);
    const rest = await clerk.inventory.productsForStore({ storeId: org.stores[0]!.id, limit: 2, cursor: first.nextCursor });
    expect([...first.items, ...rest.items].map((p) => p.ean)).toEqual([...org.products].map((p) => p.ean).sort());
    expect(rest.nextCursor).toBeNull();
  });

  it('gives each product its approved photo id, and none for a photo that is not approved', async () => {
    const photoId = randomUUID();
    const [approved, inReview] = [org.products[0]!, org.products[1]!];
    const photoKey = (productId: string, id: string) => `products/${org.org.id}/${productId}/${id}`;
    await services.db.update(products).set({ imageStatus: 'approved', imageKey: photoKey(approved.id, photoId) }).where(eq(products.id, approved.id));
    await services.db.update(products).set({ imageStatus: 'manual_review', imageKey: photoKey(inReview.id, randomUUID()) }).where(eq(products.id, inReview.id));
    try {
      const lookup = await (await as(services, org, 'clerk')).inventory.productsForStore({ storeId: org.stores[0]!.id });
      const byEan = new Map(lookup.items.map((p) => [p.ean, p]));
      expect(byEan.get(approved.ean)).toMatchObject({ id: approved.id, photoId });
      expect(byEan.get(inReview.ean)).toMatchObject({ id: inReview.id, photoId: null });
    } finally {
      await services.db.update(products).set({ imageStatus: 'pending', imageKey: null }).where(inArray(products.id, [approved.id, inReview.id]));
    }
  });

  it('keeps clerks to their stores and other orgs out', async () => {
    const clerk = await as(services, org, 'clerk');
    expect((await errorOf(clerk.inventory.productsForStore({ storeId: org.stores[1]!.id }))).code).toBe('NOT_FOUND');
    const other = await createInventoryFixture(services, 'blind-other');
    expect((await errorOf((await as(services, other, 'manager')).inventory.productsForStore({ storeId: org.stores[0]!.id }))).code).toBe('NOT_FOUND');
  });
});
