import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, eventLog, inventoryAssignments, notifications, inventoryExpected, inventorySessions, storeStock, stores, users } from '../db/schema';
import type { Services } from '../services';
import { notificationPath } from '~/lib/notification-links';
import { runConsumers } from '../../../tests/helpers/events';
import { addUser, as, asSecret, cancelOpenSessions, codeOf, createTwoOrgInventory, errorOf, type InventoryFixture } from '../../../tests/helpers/inventory';

let services: Services;
let close: () => Promise<void>;
let org: InventoryFixture;
let other: InventoryFixture;

beforeAll(async () => {
  ({ services, close, org, other } = await createTwoOrgInventory('ses'));
});
afterAll(() => close());
afterEach(() => cancelOpenSessions(services));

const store = (i: number) => org.stores[i]!.id;

describe('inventory.open', () => {
  it('opens a full session, snapshots the store stock in one statement, audits it and shows on the dashboard', async () => {
    const manager = await as(services, org, 'manager');
    const before = await manager.dashboard.summary({ storeId: store(0) });
    const session = await manager.inventory.open({ storeId: store(0), note: 'Inventário anual', assignments: [{ userId: org.users.clerk.id, zone: 'A' }] });
    expect(session).toMatchObject({ storeId: store(0), scope: 'full', blind: false, status: 'open', varianceThreshold: 0.1, note: 'Inventário anual', openedByName: 'manager ses' });
    expect(session.assignments).toEqual([{ userId: org.users.clerk.id, name: 'clerk ses', zone: 'A' }]);
    const snapshot = await services.db.select().from(inventoryExpected).where(eq(inventoryExpected.sessionId, session.id));
    expect(Object.fromEntries(snapshot.map((x) => [x.productId, x.expectedQuantity]))).toEqual({
      [org.products[0]!.id]: 10,
      [org.products[1]!.id]: 20,
      [org.products[2]!.id]: 30,
    });
    const audits = await services.db.select().from(auditLog).where(and(eq(auditLog.entityId, session.id), eq(auditLog.action, 'inventory.opened')));
    expect(audits[0]!.after).toMatchObject({ expectedProducts: 3, blind: false });
    // Its human number, and the list finds it by it.
    expect(session.number).toMatch(/^INV-\d{4}-\d{6}$/);
    expect((await manager.inventory.list({ limit: 5, number: session.number.slice(-6) })).items.map((s) => s.id)).toEqual([session.id]);
    const after = await manager.dashboard.summary({ storeId: store(0) });
    expect(after.stores[0]!.inventory.open).toBe(before.stores[0]!.inventory.open + 1);
  });

  it('allows one open session per store: a second is a CONFLICT naming the open one; concurrent opens make one', async () => {
    const manager = await as(services, org, 'manager');
    const admin = await as(services, org, 'admin');
    const results = await Promise.allSettled([manager.inventory.open({ storeId: store(1) }), admin.inventory.open({ storeId: store(1) }), manager.inventory.open({ storeId: store(1) })]);
    const opened = results.filter((r) => r.status === 'fulfilled');
    expect(opened).toHaveLength(1);
    const sessionId = (opened[0] as PromiseFulfilledResult<{ id: string }>).value.id;
    const error = await errorOf(manager.inventory.open({ storeId: store(1) }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('already has an open inventory');
    expect(error.cause?.reason).toBe('session_open');
    expect(error.cause?.data).toMatchObject({ sessionId });
    expect(await services.db.$count(inventorySessions, and(eq(inventorySessions.storeId, store(1)), eq(inventorySessions.status, 'open')))).toBe(1);
    // Another store opens at the same time without trouble.
    expect((await manager.inventory.open({ storeId: store(0) })).status).toBe('open');
  });

  it('a retried open with the same client id returns the same session and snapshots once', async () => {
    const manager = await as(services, org, 'manager');
    const input = { id: randomUUID(), storeId: store(0), blind: true };
    const [a, b] = await Promise.all([manager.inventory.open(input), manager.inventory.open(input)]);
    const c = await manager.inventory.open(input);
    expect(new Set([a.id, b.id, c.id])).toEqual(new Set([input.id]));
    expect(await services.db.$count(inventoryExpected, eq(inventoryExpected.sessionId, input.id))).toBe(3);
    expect(await services.db.$count(auditLog, and(eq(auditLog.entityId, input.id), eq(auditLog.action, 'inventory.opened')))).toBe(1);
  });

  it('validates the scope and the store, with messages that say what to do', async () => {
    const manager = await as(services, org, 'manager');
    const partial = await errorOf(manager.inventory.open({ storeId: store(0), scope: 'partial' }));
    expect([partial.code, partial.message]).toEqual(['BAD_REQUEST', 'A partial inventory needs the categories or zones it counts']);
    expect(await codeOf(manager.inventory.open({ storeId: store(0), categories: ['Mercearia'] }))).toBe('BAD_REQUEST');
    expect(await codeOf(manager.inventory.open({ storeId: store(0), varianceThreshold: -1 }))).toBe('BAD_REQUEST');
    expect(await codeOf(manager.inventory.open({ storeId: store(0), extra: true } as never))).toBe('BAD_REQUEST');
    expect(await codeOf(manager.inventory.open({ storeId: other.stores[0]!.id }))).toBe('NOT_FOUND');
    const [inactive] = await services.db.insert(stores).values({ orgId: org.org.id, code: 'ses-x', name: 'Loja fechada', active: false }).returning();
    expect(await codeOf(manager.inventory.open({ storeId: inactive!.id }))).toBe('CONFLICT');
    expect(await codeOf((await as(services, org, 'clerk')).inventory.open({ storeId: store(0) }))).toBe('FORBIDDEN');
  });
});

describe('inventory.assign', () => {
  it('sets who counts (per zone); the list replaces the previous one and is audited', async () => {
    const manager = await as(services, org, 'manager');
    const session = await manager.inventory.open({ storeId: store(0), assignments: [{ userId: org.users.clerk.id, zone: 'A' }] });
    const updated = await manager.inventory.assign({
      sessionId: session.id,
      assignments: [
        { userId: org.secondClerk.id, zone: 'B' },
        { userId: org.users.clerk.id, zone: 'C' },
        { userId: org.users.manager.id, zone: '' },
      ],
    });
    expect(updated.assignments.map((a) => [a.name, a.zone])).toEqual([
      ['clerk ses', 'C'],
      ['clerk2', 'B'],
      ['manager ses', ''],
    ]);
    expect(await services.db.$count(inventoryAssignments, eq(inventoryAssignments.sessionId, session.id))).toBe(3);
    const [audit] = await services.db.select().from(auditLog).where(and(eq(auditLog.entityId, session.id), eq(auditLog.action, 'inventory.assigned')));
    expect(audit!.before).toEqual([{ userId: org.users.clerk.id, zone: 'A' }]);
  });

  it('refuses buyers, clerks of other stores, users of other orgs, and a closed session', async () => {
    const manager = await as(services, org, 'manager');
    const session = await manager.inventory.open({ storeId: store(0) });
    const buyer = await errorOf(manager.inventory.assign({ sessionId: session.id, assignments: [{ userId: org.users.buyer.id, zone: '' }] }));
    expect([buyer.code, buyer.message]).toEqual(['BAD_REQUEST', 'buyer ses is a buyer; clerks, managers and admins count stock']);
    const elsewhere = await addUser(services, org, 'clerk', 'clerk3@ses.test', [store(1)]);
    const notHere = await errorOf(manager.inventory.assign({ sessionId: session.id, assignments: [{ userId: elsewhere.id, zone: '' }] }));
    expect(notHere.message).toContain('does not work at Loja ses 1');
    expect(await codeOf(manager.inventory.assign({ sessionId: session.id, assignments: [{ userId: other.users.clerk.id, zone: '' }] }))).toBe('NOT_FOUND');
    await manager.inventory.cancel({ sessionId: session.id, reason: 'teste' });
    const closed = await errorOf(manager.inventory.assign({ sessionId: session.id, assignments: [] }));
    expect(closed.code).toBe('PRECONDITION_FAILED');
  });
});

describe('assignment notifications', () => {
  it('tells each newly assigned person once, with the way to count, and never the manager who assigned', async () => {
    const manager = await as(services, org, 'manager');
    const session = await manager.inventory.open({ storeId: store(0), assignments: [{ userId: org.users.clerk.id, zone: 'A' }, { userId: org.users.manager.id, zone: '' }] });
    // Re-assigning the clerk to another zone tells nobody; adding the second clerk tells them.
    await manager.inventory.assign({ sessionId: session.id, assignments: [{ userId: org.users.clerk.id, zone: 'B' }, { userId: org.secondClerk.id, zone: 'B' }] });
    await manager.inventory.assign({ sessionId: session.id, assignments: [{ userId: org.users.clerk.id, zone: 'B' }, { userId: org.secondClerk.id, zone: 'B' }] });
    const events = await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, session.id), eq(eventLog.type, 'inventory.assigned'))).orderBy(eventLog.id);
    expect(events.map((e) => (e.payload as { userIds: string[] }).userIds)).toEqual([[org.users.clerk.id], [org.secondClerk.id]]);
    await runConsumers(services);
    const told = await services.db.select().from(notifications).where(inArray(notifications.sourceEventId, events.map((e) => String(e.id))));
    expect(told.map((n) => [n.userId, n.title, n.data]).sort()).toEqual(
      [
        [org.users.clerk.id, 'Contagem para você', { countSessionId: session.id, storeId: store(0) }],
        [org.secondClerk.id, 'Contagem para você', { countSessionId: session.id, storeId: store(0) }],
      ].sort(),
    );
    expect(told[0]!.body).toContain('manager ses designou você para o inventário da loja');
    expect(notificationPath(told[0]!.data as Record<string, unknown>)).toBe(`/inventory/${session.id}/count`);
    // The clerk's home lists the open counts assigned to them.
    const clerk = await as(services, org, 'clerk');
    expect((await clerk.inventory.list({ limit: 10, status: ['open'] })).items.map((s) => s.id)).toEqual([session.id]);
  });
});

describe('inventory.assignableCounters', () => {
  it('lists the active clerks, managers and admins of the session’s store with their zones, plus whoever is assigned', async () => {
    const inactive = await addUser(services, org, 'clerk', 'inactive@ses.test', [store(0)]);
    await services.db.update(users).set({ active: false }).where(eq(users.id, inactive.id));
    const buyerHere = await addUser(services, org, 'buyer', 'buyer-here@ses.test', [store(0)]);
    const clerkElsewhere = await addUser(services, org, 'clerk', 'clerk-elsewhere@ses.test', [store(1)]);
    const manager = await as(services, org, 'manager');
    const session = await manager.inventory.open({
      storeId: store(0),
      assignments: [
        { userId: org.users.clerk.id, zone: 'B' },
        { userId: org.users.clerk.id, zone: 'A' },
        { userId: org.users.admin.id, zone: '' },
      ],
    });
    const picker = await manager.inventory.assignableCounters({ sessionId: session.id });
    expect(picker).toMatchObject({ sessionId: session.id, storeId: store(0) });
    const byId = new Map(picker.people.map((p) => [p.userId, p]));
    expect(byId.get(org.users.clerk.id)).toEqual({ userId: org.users.clerk.id, name: 'clerk ses', role: 'clerk', active: true, worksAtStore: true, zones: ['A', 'B'] });
    expect(byId.get(org.secondClerk.id)).toMatchObject({ role: 'clerk', worksAtStore: true, zones: [] });
    expect(byId.get(org.users.manager.id)).toMatchObject({ role: 'manager', worksAtStore: true, zones: [] });
    // Assigned without working at the store (admins may count anywhere): listed so the manager can take them off.
    expect(byId.get(org.users.admin.id)).toMatchObject({ role: 'admin', worksAtStore: false, zones: [''] });
    for (const absent of [inactive.id, buyerHere.id, clerkElsewhere.id, org.users.buyer.id]) expect(byId.has(absent)).toBe(false);
    expect(picker.people.map((p) => p.name)).toEqual([...picker.people.map((p) => p.name)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

    // Unassigning everyone through assign: nobody keeps a zone, and the admin (not of this store) leaves the list.
    await manager.inventory.assign({ sessionId: session.id, assignments: [] });
    const after = await manager.inventory.assignableCounters({ sessionId: session.id });
    expect(after.people.every((p) => p.zones.length === 0)).toBe(true);
    expect(after.people.map((p) => p.userId)).not.toContain(org.users.admin.id);
  });

  it('is for managers and admins of the org: a clerk is FORBIDDEN, another org gets NOT_FOUND', async () => {
    const manager = await as(services, org, 'manager');
    const session = await manager.inventory.open({ storeId: store(1) });
    expect((await (await as(services, org, 'admin')).inventory.assignableCounters({ sessionId: session.id })).people.map((p) => p.userId)).toContain(org.users.manager.id);
    expect(await codeOf((await as(services, org, 'clerk')).inventory.assignableCounters({ sessionId: session.id }))).toBe('FORBIDDEN');
    expect(await codeOf((await as(services, other, 'manager')).inventory.assignableCounters({ sessionId: session.id }))).toBe('NOT_FOUND');
    expect(await codeOf(manager.inventory.assignableCounters({ sessionId: randomUUID() }))).toBe('NOT_FOUND');
  });
});

describe('who sees which session', () => {
  it('clerks list and open only the sessions they are assigned to; managers see all of the org', async () => {
    const manager = await as(services, org, 'manager');
    const mine = await manager.inventory.open({ storeId: store(0), assignments: [{ userId: org.users.clerk.id, zone: '' }] });
    const notMine = await manager.inventory.open({ storeId: store(1) });
    const clerk = await as(services, org, 'clerk');
    const listed = (await clerk.inventory.list({ limit: 50 })).items.map((s) => s.id);
    expect(listed).toContain(mine.id);
    expect(listed).not.toContain(notMine.id);
    expect(await codeOf(clerk.inventory.byId({ id: notMine.id }))).toBe('NOT_FOUND');
    expect(await codeOf(clerk.inventory.progress({ sessionId: notMine.id }))).toBe('NOT_FOUND');
    expect((await clerk.inventory.byId({ id: mine.id })).id).toBe(mine.id);
    const all = (await manager.inventory.list({ limit: 50, status: ['open'] })).items.map((s) => s.id);
    expect(all).toEqual(expect.arrayContaining([mine.id, notMine.id]));
    const strangers = (await (await as(services, other, 'manager')).inventory.list({ limit: 50 })).items.map((s) => s.id);
    expect(strangers).not.toContain(mine.id);
    const second = await asSecret(services, org.secondClerk.secret);
    expect((await second.inventory.list({ limit: 50, status: ['open'] })).items).toEqual([]);
  });

  it('lists newest first with a keyset cursor', async () => {
    const manager = await as(services, org, 'manager');
    for (let i = 0; i < 3; i++) {
      const s = await manager.inventory.open({ storeId: store(1) });
      await manager.inventory.cancel({ sessionId: s.id, reason: 'teste' });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await manager.inventory.list({ limit: 2, cursor, storeId: store(1) });
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });
});

describe('inventory.cancel', () => {
  it('closes a session without touching the stock, frees the store, and is idempotent', async () => {
    const manager = await as(services, org, 'manager');
    const session = await manager.inventory.open({ storeId: store(0) });
    const stockBefore = await services.db.select().from(storeStock).where(eq(storeStock.storeId, store(0)));
    const [a, b] = await Promise.all([manager.inventory.cancel({ sessionId: session.id, reason: 'aberta por engano' }), manager.inventory.cancel({ sessionId: session.id, reason: 'teste' })]);
    expect([a.status, b.status]).toEqual(['cancelled', 'cancelled']);
    expect(await services.db.$count(auditLog, and(eq(auditLog.entityId, session.id), eq(auditLog.action, 'inventory.cancelled')))).toBe(1);
    expect(await services.db.select().from(storeStock).where(eq(storeStock.storeId, store(0)))).toEqual(stockBefore);
    expect((await manager.inventory.open({ storeId: store(0) })).status).toBe('open');
  });
});
