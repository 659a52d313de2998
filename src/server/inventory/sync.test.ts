import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '~/lib/ean';
import { testEan } from '../../../tests/helpers/harness';
import { countQueries } from '../db/query-count';
import { auditLog, countEntries, inventoryDevices, organizations, products } from '../db/schema';
import type { Services } from '../services';
import { as, asSecret, cancelOpenSessions, codeOf, createTwoOrgInventory, entry, errorOf, type InventoryFixture } from '../../../tests/helpers/inventory';
import { device, deviceIdOf } from '../../../tests/helpers/devices';

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;
let other: InventoryFixture;

beforeAll(async () => {
  ({ services, close, org, other } = await createTwoOrgInventory('sync'));
});
afterAll(() => close());
afterEach(() => cancelOpenSessions(services));

const ean = (i: number) => org.products[i]!.ean;

async function openSession(storeIndex = 0, extra: Record<string, unknown> = {}) {
  const manager = await as(services, org, 'manager');
  return manager.inventory.open({
    storeId: org.stores[storeIndex]!.id,
    assignments: [
      { userId: org.users.clerk.id, zone: '' },
      { userId: org.secondClerk.id, zone: '' },
    ],
    ...extra,
  });
}

async function cancel(sessionId: string) {
  await (await as(services, org, 'manager')).inventory.cancel({ sessionId, reason: 'teste' });
}

const entriesOf = (sessionId: string) => services.db.select().from(countEntries).where(eq(countEntries.sessionId, sessionId));

describe('inventory.sync', () => {
  it('stores a batch, answers every id, carries who counted it and records the device', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const batch = [entry(ean(0), 3, { zone: 'A1' }), entry(ean(1), 2), entry(ean(0), 1, { zone: 'A2' })];
    const result = await clerk.inventory.sync({ sessionId: session.id, ...device('tab-1'), pendingCount: 7, entries: batch });
    expect(result.accepted.sort()).toEqual(batch.map((e) => e.id).sort());
    expect(result).toMatchObject({ duplicates: [], unmatched: [], rejected: [], serverCount: 3, lastSeq: Math.max(...batch.map((e) => e.seq)) });
    const stored = await entriesOf(session.id);
    expect(stored.map((e) => e.countedBy)).toEqual([org.users.clerk.id, org.users.clerk.id, org.users.clerk.id]);
    expect(stored.find((e) => e.id === batch[0]!.id)).toMatchObject({ productId: org.products[0]!.id, quantity: 3, zone: 'A1', deviceId: deviceIdOf('tab-1') });
    const [row] = await services.db.select().from(inventoryDevices).where(eq(inventoryDevices.sessionId, session.id));
    expect(row).toMatchObject({ deviceId: deviceIdOf('tab-1'), userId: org.users.clerk.id, pendingCount: 7 });
    const audits = await services.db.select().from(auditLog).where(and(eq(auditLog.entityId, session.id), eq(auditLog.action, 'inventory.synced')));
    expect(audits).toHaveLength(1);
    await cancel(session.id);
  });

  it('applies the same batch sent twice at once exactly once, and acknowledges it to both', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const batch = Array.from({ length: 300 }, (_, i) => entry(ean(i % 3), 1, { zone: `Z${i % 4}` }));
    const input = { sessionId: session.id, ...device('tab-dup'), pendingCount: 0, entries: batch };
    const [a, b] = await Promise.all([clerk.inventory.sync(input), clerk.inventory.sync(input)]);
    const ids = batch.map((e) => e.id).sort();
    expect(a.accepted.sort()).toEqual(ids);
    expect(b.accepted.sort()).toEqual(ids);
    // One of them stored everything; the other saw every entry as already stored.
    expect([a.duplicates.length, b.duplicates.length].sort((x, y) => x - y)).toEqual([0, 300]);
    expect(await services.db.$count(countEntries, eq(countEntries.sessionId, session.id))).toBe(300);
    const third = await clerk.inventory.sync(input);
    expect(third.duplicates.sort()).toEqual(ids);
    expect(third.serverCount).toBe(300);
    await cancel(session.id);
  });

  it('survives overlapping batches from two devices racing (partly the same ids, different orders)', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const shared = Array.from({ length: 200 }, () => entry(ean(1), 1));
    const mine = Array.from({ length: 50 }, () => entry(ean(2), 1));
    const results = await Promise.all([
      clerk.inventory.sync({ sessionId: session.id, ...device('tab-x'), pendingCount: 0, entries: [...shared, ...mine] }),
      clerk.inventory.sync({ sessionId: session.id, ...device('tab-x'), pendingCount: 0, entries: [...shared].reverse() }),
      clerk.inventory.sync({ sessionId: session.id, ...device('tab-x'), pendingCount: 0, entries: [...mine, ...shared.slice(0, 100)] }),
    ]);
    for (const r of results) expect(r.rejected).toEqual([]);
    expect(await services.db.$count(countEntries, eq(countEntries.sessionId, session.id))).toBe(250);
    await cancel(session.id);
  });

  it('stores unknown EANs unmatched instead of refusing them, and rejects bad codes and quantities one by one', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const unknown = withCheckDigit('789999999999');
    const badDigit = ean(0).slice(0, 12) + String((Number(ean(0)[12]) + 1) % 10);
    const batch = [entry(unknown, 2), entry(badDigit, 1), entry('12ab', 1), entry(ean(0), 0), entry(ean(1), 1), entry(ean(2), 2_000_000), entry(ean(2), 1.0005)];
    const result = await clerk.inventory.sync({ sessionId: session.id, ...device('tab-u'), pendingCount: 0, entries: batch });
    expect(result.accepted.sort()).toEqual([batch[0]!.id, batch[4]!.id].sort());
    expect(result.unmatched).toEqual([{ id: batch[0]!.id, ean: unknown }]);
    expect(Object.fromEntries(result.rejected.map((r) => [r.id, r.reason]))).toEqual({
      [batch[1]!.id]: 'invalid_check_digit',
      [batch[2]!.id]: 'invalid_barcode',
      [batch[3]!.id]: 'zero_quantity',
      // A quantity out of range or with too many decimals is refused alone: the rest of the batch is stored.
      [batch[5]!.id]: 'invalid_quantity',
      [batch[6]!.id]: 'invalid_quantity',
    });
    const [stored] = await services.db.select().from(countEntries).where(eq(countEntries.id, batch[0]!.id));
    expect(stored).toMatchObject({ productId: null, ean: unknown, quantity: 2 });
    await cancel(session.id);
  });

  it('takes corrections as new entries: negative quantities and replacements, each entry replaced at most once', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const first = entry(ean(0), 5);
    const fix = entry(ean(0), 3, { replaces: first.id });
    const minus = entry(ean(1), -1);
    const void0 = entry(ean(2), 4);
    const voiding = entry(ean(2), 0, { replaces: void0.id });
    const r1 = await clerk.inventory.sync({ sessionId: session.id, ...device('tab-c'), pendingCount: 0, entries: [first, fix, minus, void0, voiding] });
    expect(r1.rejected).toEqual([]);
    const again = entry(ean(0), 2, { replaces: first.id });
    const self = entry(ean(0), 1);
    self.replaces = self.id;
    const r2 = await clerk.inventory.sync({ sessionId: session.id, ...device('tab-c'), pendingCount: 0, entries: [again, self] });
    expect(Object.fromEntries(r2.rejected.map((r) => [r.id, r.reason]))).toEqual({ [again.id]: 'already_replaced', [self.id]: 'replaces_itself' });
    // The log keeps all of them; nothing was edited.
    expect(await services.db.$count(countEntries, eq(countEntries.sessionId, session.id))).toBe(5);
    await cancel(session.id);
  });

  it('refuses a correction that points at another session’s entry', async () => {
    const s1 = await openSession(0);
    const clerk = await as(services, org, 'clerk');
    const manager = await as(services, org, 'manager');
    const e1 = entry(ean(0), 1);
    await clerk.inventory.sync({ sessionId: s1.id, ...device('tab-o'), pendingCount: 0, entries: [e1] });
    const s2 = await openSession(1, { assignments: [] });
    const result = await manager.inventory.sync({ sessionId: s2.id, ...device('tab-o2'), pendingCount: 0, entries: [entry(ean(0), 1, { replaces: e1.id }), { ...entry(ean(0), 1), id: e1.id }] });
    expect(result.rejected.map((r) => r.reason).sort()).toEqual(['id_conflict', 'replaces_other_session']);
    await cancel(s1.id);
    await cancel(s2.id);
  });

  it('refuses a batch for a closed session with session_closed, but acknowledges a pure replay of stored entries', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const sent = [entry(ean(0), 1), entry(ean(1), 1)];
    await clerk.inventory.sync({ sessionId: session.id, ...device('tab-z'), pendingCount: 0, entries: sent });
    await (await as(services, org, 'manager')).inventory.finalize({ sessionId: session.id, uncounted: 'kept' });
    const late = entry(ean(2), 1);
    const error = await errorOf(clerk.inventory.sync({ sessionId: session.id, ...device('tab-z'), pendingCount: 0, entries: [sent[0]!, late] }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.cause?.reason).toBe('session_closed');
    expect(error.cause?.data).toMatchObject({ status: 'finalized', acknowledged: [sent[0]!.id] });
    expect(await services.db.$count(countEntries, eq(countEntries.id, late.id))).toBe(0);
    const replay = await clerk.inventory.sync({ sessionId: session.id, ...device('tab-z'), pendingCount: 0, entries: sent });
    expect(replay.duplicates.sort()).toEqual(sent.map((e) => e.id).sort());
    expect(replay.serverCount).toBe(2);
  });

  it('keeps clerks to the sessions they are assigned to and other orgs out (NOT_FOUND)', async () => {
    const session = await openSession(0, { assignments: [{ userId: org.secondClerk.id, zone: '' }] });
    const clerk = await as(services, org, 'clerk');
    const forbidden = await errorOf(clerk.inventory.sync({ sessionId: session.id, ...device('t'), pendingCount: 0, entries: [entry(ean(0))] }));
    expect(forbidden.code).toBe('FORBIDDEN');
    expect(forbidden.message).toContain('not assigned');
    const stranger = await as(services, other, 'manager');
    expect(await codeOf(stranger.inventory.sync({ sessionId: session.id, ...device('t'), pendingCount: 0, entries: [entry(ean(0))] }))).toBe('NOT_FOUND');
    expect(await codeOf((await as(services, org, 'buyer')).inventory.sync({ sessionId: session.id, ...device('t'), pendingCount: 0, entries: [] }))).toBe('FORBIDDEN');
    const second = await asSecret(services, org.secondClerk.secret);
    expect((await second.inventory.sync({ sessionId: session.id, ...device('t'), pendingCount: 0, entries: [entry(ean(0))] })).accepted).toHaveLength(1);
    expect(await services.db.$count(countEntries, eq(countEntries.sessionId, session.id))).toBe(1);
    await cancel(session.id);
  });

  it('refuses malformed batches as a whole with BAD_REQUEST (wrong shape, unknown fields)', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const bad = [
      { sessionId: session.id, ...device('t'), pendingCount: -1, entries: [] },
      { sessionId: session.id, ...device('t'), pendingCount: 0, entries: [{ ...entry(ean(0)), id: 'nope' }] },
      { sessionId: session.id, ...device('t'), pendingCount: 0, entries: [{ ...entry(ean(0)), extra: 1 }] },
      { sessionId: session.id, ...device('t'), pendingCount: 0, entries: [{ ...entry(ean(0)), quantity: '2' }] },
    ];
    for (const input of bad) expect(await codeOf(clerk.inventory.sync(input as never))).toBe('BAD_REQUEST');
    await cancel(session.id);
  });

  it('a stale batch does not overwrite a newer pending count; an empty batch reports it', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const newer = entry(ean(0), 1, { seq: 50_000 });
    const older = entry(ean(1), 1, { seq: 49_000 });
    await clerk.inventory.sync({ sessionId: session.id, ...device('tab-s'), pendingCount: 0, entries: [newer] });
    await clerk.inventory.sync({ sessionId: session.id, ...device('tab-s'), pendingCount: 40, entries: [older] });
    const row = () => services.db.select().from(inventoryDevices).where(and(eq(inventoryDevices.sessionId, session.id), eq(inventoryDevices.deviceId, deviceIdOf('tab-s'))));
    expect((await row())[0]).toMatchObject({ pendingCount: 0, lastSeq: newer.seq });
    await clerk.inventory.sync({ sessionId: session.id, ...device('tab-s'), pendingCount: 3, entries: [] });
    expect((await row())[0]!.pendingCount).toBe(3);
    await cancel(session.id);
  });

  it('syncs 1,000 entries in one transaction of a handful of statements, well under a second', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    await clerk.auth.me();
    const batch = Array.from({ length: 1000 }, (_, i) => entry(i % 10 === 0 ? withCheckDigit(`7899${String(i).padStart(8, '0')}`) : ean(i % 3), 1, { zone: `Z${i % 5}` }));
    const started = performance.now();
    const { result, queries } = await countQueries(() => clerk.inventory.sync({ sessionId: session.id, ...device('tab-big'), pendingCount: 0, entries: batch }));
    const ms = performance.now() - started;
    expect(result.accepted).toHaveLength(1000);
    expect(result.unmatched).toHaveLength(100);
    // begin, session lock, stored ids, products, insert, device + count, audit, commit (+ the session cache on a cold path)
    expect(queries.count).toBeLessThanOrEqual(10);
    expect(ms).toBeLessThan(1000);
  });
});

describe('variable-weight labels (scale barcodes)', () => {
  const plu = '4321';
  let weighed: { id: string; ean: string };

  beforeAll(async () => {
    const [p] = await services.db
      .insert(products)
      .values({ orgId: org.org.id, ean: testEan('sync-kg', 1), name: 'Queijo prato kg', unit: 'kg', referencePrice: 49.9, plu, category: 'Frios' })
      .returning();
    weighed = p!;
    await services.db.insert(products).values({ orgId: org.org.id, ean: testEan('sync-kg', 2), name: 'Sem preço kg', unit: 'kg', referencePrice: 0, plu: '0777' });
  });

  const setLayout = (layout: { pluLength: 4 | 5 | 6; value: 'weight_grams' | 'price_cents' } | null) =>
    services.db.update(organizations).set({ settings: layout ? { scaleBarcode: layout } : {} }).where(eq(organizations.id, org.org.id));

  it('weight layout: resolves by PLU and stores labels × kilograms', async () => {
    await setLayout({ pluLength: 4, value: 'weight_grams' });
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const label = withCheckDigit(`2${plu}0001250`); // 2 + PLU 4321 + pad 00 + 01250 g
    const one = entry(label, 1);
    const back = entry(label, -1);
    const two = entry(withCheckDigit(`2${plu}0000500`), 2);
    const result = await clerk.inventory.sync({ sessionId: session.id, ...device('scale'), pendingCount: 0, entries: [one, back, two] });
    expect(result).toMatchObject({ unmatched: [], rejected: [] });
    const stored = new Map((await entriesOf(session.id)).map((e) => [e.id, e]));
    expect(stored.get(one.id)).toMatchObject({ productId: weighed.id, quantity: 1.25, ean: label });
    expect(stored.get(back.id)!.quantity).toBe(-1.25);
    expect(stored.get(two.id)!.quantity).toBe(1);
    await cancel(session.id);
  });

  it('price layout: quantity is price / unit price; no unit price is rejected; unknown PLU is unmatched', async () => {
    await setLayout({ pluLength: 5, value: 'price_cents' });
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const priced = entry(withCheckDigit(`20${plu}002495`), 1); // R$ 24,95 of a R$ 49,90/kg cheese = 0.5 kg
    const noPrice = entry(withCheckDigit('200777001000'), 1);
    const unknownPlu = entry(withCheckDigit('299999001000'), 1);
    const result = await clerk.inventory.sync({ sessionId: session.id, ...device('scale'), pendingCount: 0, entries: [priced, noPrice, unknownPlu] });
    expect(result.rejected).toEqual([{ id: noPrice.id, reason: 'no_unit_price', message: expect.stringContaining('reference price') }]);
    expect(result.unmatched.map((u) => u.id)).toEqual([unknownPlu.id]);
    const [stored] = await services.db.select().from(countEntries).where(eq(countEntries.id, priced.id));
    expect(stored).toMatchObject({ productId: weighed.id, quantity: 0.5 });
    await cancel(session.id);
  });

  it('rejects a scale label with a bad check digit', async () => {
    await setLayout({ pluLength: 4, value: 'weight_grams' });
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const good = withCheckDigit(`2${plu}0001250`);
    const bad = entry(good.slice(0, 12) + String((Number(good[12]) + 3) % 10), 1);
    const result = await clerk.inventory.sync({ sessionId: session.id, ...device('scale'), pendingCount: 0, entries: [bad] });
    expect(result.rejected).toEqual([{ id: bad.id, reason: 'invalid_check_digit', message: expect.any(String) }]);
    expect(result.accepted).toEqual([]);
    await cancel(session.id);
  });

  it('without a layout a code starting with 2 is an ordinary EAN (unmatched here)', async () => {
    await setLayout(null);
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const e = entry(withCheckDigit(`2${plu}0001250`), 1);
    const result = await clerk.inventory.sync({ sessionId: session.id, ...device('scale'), pendingCount: 0, entries: [e] });
    expect(result.unmatched.map((u) => u.id)).toEqual([e.id]);
    await cancel(session.id);
  });
});

describe('idempotency keys are the client’s', () => {
  it('a second device re-sending another device’s entry (same id) is acknowledged, not added', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const e = entry(ean(0), 1);
    await clerk.inventory.sync({ sessionId: session.id, ...device('a'), pendingCount: 0, entries: [e] });
    const second = await asSecret(services, org.secondClerk.secret);
    const result = await second.inventory.sync({ sessionId: session.id, ...device('b'), pendingCount: 0, entries: [{ ...e, quantity: 99 }] });
    expect(result.duplicates).toEqual([e.id]);
    const [stored] = await services.db.select().from(countEntries).where(eq(countEntries.id, e.id));
    expect(stored).toMatchObject({ quantity: 1, countedBy: org.users.clerk.id, deviceId: deviceIdOf('a') });
    await cancel(session.id);
  });
});

describe('a tablet proves it is the device it names (its id is derived from a secret only it holds)', () => {
  const deviceRow = (sessionId: string, deviceId: string) =>
    services.db.select().from(inventoryDevices).where(and(eq(inventoryDevices.sessionId, sessionId), eq(inventoryDevices.deviceId, deviceId)));

  it("a clerk who read another tablet's id on the progress screen cannot sync as it, so finalize still waits for that tablet", async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const second = await asSecret(services, org.secondClerk.secret);
    const victim = device('tab-victim');
    await clerk.inventory.sync({ sessionId: session.id, ...victim, pendingCount: 5, entries: [entry(ean(0))] });

    const spoof = entry(ean(1), 40);
    for (const deviceSecret of [device('tab-spoof').deviceSecret, `${victim.deviceSecret.slice(0, 42)}${victim.deviceSecret.endsWith('A') ? 'B' : 'A'}`]) {
      const refused = await errorOf(second.inventory.sync({ sessionId: session.id, deviceId: victim.deviceId, deviceSecret, pendingCount: 0, entries: [spoof] }));
      expect(refused.code).toBe('FORBIDDEN');
      expect(refused.cause?.reason).toBe('device_secret_mismatch');
      expect(refused.cause?.data).toMatchObject({ deviceId: victim.deviceId });
    }
    // Nothing changed: the victim's pending count stands, the spoofed entry is not stored, finalize is refused.
    expect((await deviceRow(session.id, victim.deviceId))[0]).toMatchObject({ pendingCount: 5, userId: org.users.clerk.id });
    expect(await services.db.$count(countEntries, eq(countEntries.id, spoof.id))).toBe(0);
    const finalize = await errorOf((await as(services, org, 'manager')).inventory.finalize({ sessionId: session.id }));
    expect(finalize.cause?.reason).toBe('devices_pending');
    await cancel(session.id);
  });

  it('the same tablet passed to another clerk (same secret) syncs as itself', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const second = await asSecret(services, org.secondClerk.secret);
    const shared = device('tab-shared');
    await clerk.inventory.sync({ sessionId: session.id, ...shared, pendingCount: 0, entries: [entry(ean(0))] });
    expect((await second.inventory.sync({ sessionId: session.id, ...shared, pendingCount: 0, entries: [entry(ean(1))] })).serverCount).toBe(2);
    await cancel(session.id);
  });

  it('a missing or malformed secret is refused as a whole with BAD_REQUEST, changing nothing', async () => {
    const session = await openSession();
    const clerk = await as(services, org, 'clerk');
    const { deviceId, deviceSecret: good } = device('tab-bad');
    for (const deviceSecret of [undefined, '', 'short', `${good.slice(0, 42)}!`, `${good}A`]) {
      const input = { sessionId: session.id, deviceId, deviceSecret, pendingCount: 0, entries: [entry(ean(0))] };
      expect(await codeOf(clerk.inventory.sync(input as never)), String(deviceSecret)).toBe('BAD_REQUEST');
    }
    expect(await services.db.$count(countEntries, eq(countEntries.sessionId, session.id))).toBe(0);
    await cancel(session.id);
  });
});
