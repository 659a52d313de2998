import { randomUUID } from 'node:crypto';
import { type TRPCError } from '@trpc/server';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brl } from '~/lib/money';
import { runConsumers } from '../../../tests/helpers/events';
import { callerFor, codeOf, createOrgFixture, createTestServices, testEan, type OrgFixture } from '../../../tests/helpers/harness';
import { setStock } from '../../../tests/helpers/inventory';
import { countQueries } from '../db/query-count';
import { auditLog, eventLog, notifications, products, purchaseRequestItems, purchaseRequests, storeDailyStats } from '../db/schema';
import type { Services } from '../services';
import { canMove, requestTransitions, type RequestAction, type RequestStatus } from './state-machine';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'pr');
});
afterAll(() => close());

const as = (role: keyof OrgFixture['secrets']) => callerFor(services, { sessionSecret: org.secrets[role] });

async function newRequest(opts: { submit?: boolean; quantities?: number[]; store?: number } = {}) {
  const clerk = await as('clerk');
  const quantities = opts.quantities ?? [2, 5];
  return clerk.purchaseRequests.create({
    id: randomUUID(),
    storeId: org.stores[opts.store ?? 0]!.id,
    items: quantities.map((quantity, i) => ({ productId: org.products[i]!.id, quantity })),
    submit: opts.submit,
  });
}

const eventsOf = (requestId: string) =>
  services.db.select().from(eventLog).where(eq(eventLog.aggregateId, requestId)).orderBy(eventLog.aggregateSeq);

describe('request state machine (the table)', () => {
  const statuses = Object.keys(requestTransitions) as RequestStatus[];
  const actions: RequestAction[] = ['submit', 'complete', 'close'];
  const allowed = new Set([
    'draft:submit:pending',
    'draft:close:closed',
    'pending:complete:approved',
    'pending:complete:partially_approved',
    'pending:complete:rejected',
    'pending:close:closed',
    'approved:close:closed',
    'partially_approved:close:closed',
    'rejected:close:closed',
  ]);
  for (const from of statuses)
    for (const action of actions)
      for (const to of statuses) {
        const key = `${from}:${action}:${to}`;
        it(`${allowed.has(key) ? 'allows' : 'forbids'} ${key}`, () => expect(canMove(from, action, to)).toBe(allowed.has(key)));
      }
});

describe('creating and submitting', () => {
  it('creates a draft with catalogue prices and a computed total, audited', async () => {
    const request = await newRequest();
    expect(request.status).toBe('draft');
    expect(request.items.map((i) => i.unitPrice)).toEqual([10, 15.5]);
    expect(request.totalValue).toBe(2 * 10 + 5 * 15.5);
    const audits = await services.db.select().from(auditLog).where(eq(auditLog.entityId, request.id));
    expect(audits.map((a) => a.action)).toEqual(['purchaseRequest.created']);
  });

  it('submits: assigns buyers, writes the event and the buyer notification; the analytics consumer counts it per day', async () => {
    const [before] = await services.db.select().from(storeDailyStats).where(eq(storeDailyStats.storeId, org.stores[0]!.id));
    const draft = await newRequest();
    const clerk = await as('clerk');
    const submitted = await clerk.purchaseRequests.submit({ id: draft.id });
    expect(submitted.status).toBe('pending');
    expect(submitted.items.every((i) => i.buyerId === org.users.buyer.id)).toBe(true);
    const events = await eventsOf(draft.id);
    expect(events.map((e) => [e.type, e.aggregateSeq])).toEqual([['purchaseRequest.created', 1]]);
    expect(events[0]!.payload).toMatchObject({ requestId: draft.id, buyerIds: [org.users.buyer.id], totalValue: 97.5 });
    await runConsumers(services);
    const notes = await services.db.select().from(notifications).where(and(eq(notifications.userId, org.users.buyer.id), sql`${notifications.data}->>'requestId' = ${draft.id}`));
    // Written by the push consumer from the event, pointing at it, naming who submitted.
    // Named by the request's human number, the org's next one this year.
    expect(submitted.number).toMatch(/^PC-\d{4}-\d{6}$/);
    expect(events[0]!.payload).toMatchObject({ requestNumber: submitted.number });
    expect(notes.map((n) => [n.kind, n.title, n.sourceEventId])).toEqual([['purchaseRequest.created', `Nova solicitação ${submitted.number}`, String(events[0]!.id)]]);
    expect(notes[0]!.body).toBe(`${org.users.clerk.name} enviou uma solicitação de ${brl(97.5)} com itens para você aprovar.`);
    const [after] = await services.db.select().from(storeDailyStats).where(eq(storeDailyStats.storeId, org.stores[0]!.id));
    expect(after!.requestsCreated - (before?.requestsCreated ?? 0)).toBe(1);
    expect(after!.requestsValue - (before?.requestsValue ?? 0)).toBeCloseTo(97.5);
  });

  it('a retried create (same client id) returns the same request and creates nothing more', async () => {
    const clerk = await as('clerk');
    const input = { id: randomUUID(), storeId: org.stores[0]!.id, items: [{ productId: org.products[0]!.id, quantity: 1 }], submit: true };
    const [first, second] = await Promise.all([clerk.purchaseRequests.create(input), clerk.purchaseRequests.create(input)]);
    const third = await clerk.purchaseRequests.create(input);
    expect(second.id).toBe(first.id);
    expect(third.status).toBe('pending');
    expect(await services.db.$count(purchaseRequests, eq(purchaseRequests.id, input.id))).toBe(1);
    expect(await services.db.$count(purchaseRequestItems, eq(purchaseRequestItems.requestId, input.id))).toBe(1);
    expect((await eventsOf(input.id)).length).toBe(1);
    const other = { ...input, items: [{ productId: org.products[1]!.id, quantity: 9 }] };
    expect(await codeOf(clerk.purchaseRequests.create(other))).toBe('CONFLICT');
  });

  it('a retried submit returns the request and writes no second event', async () => {
    const request = await newRequest({ submit: true });
    const clerk = await as('clerk');
    expect((await clerk.purchaseRequests.submit({ id: request.id })).status).toBe('pending');
    expect((await eventsOf(request.id)).length).toBe(1);
  });

  it('refuses a store the clerk does not work at (FORBIDDEN) and hides its requests (NOT_FOUND)', async () => {
    const clerk = await as('clerk');
    const forbidden = clerk.purchaseRequests.create({ id: randomUUID(), storeId: org.stores[1]!.id, items: [{ productId: org.products[0]!.id, quantity: 1 }] });
    expect(await codeOf(forbidden)).toBe('FORBIDDEN');
    const manager = await as('manager');
    const other = await manager.purchaseRequests.create({ id: randomUUID(), storeId: org.stores[1]!.id, items: [{ productId: org.products[0]!.id, quantity: 1 }] });
    expect(await codeOf(clerk.purchaseRequests.byId({ id: other.id }))).toBe('NOT_FOUND');
    const page = await clerk.purchaseRequests.list({ limit: 200 });
    expect(page.items.some((r) => r.id === other.id)).toBe(false);
  });

  it('refuses bad input with BAD_REQUEST and writes nothing', async () => {
    const clerk = await as('clerk');
    const count = await services.db.$count(purchaseRequests);
    const bad = [
      { id: 'not-a-uuid', storeId: org.stores[0]!.id, items: [{ productId: org.products[0]!.id, quantity: 1 }] },
      { id: randomUUID(), storeId: org.stores[0]!.id, items: [] },
      { id: randomUUID(), storeId: org.stores[0]!.id, items: [{ productId: org.products[0]!.id, quantity: -1 }] },
      { id: randomUUID(), storeId: org.stores[0]!.id, items: [{ productId: org.products[0]!.id, quantity: 1 }], extra: 1 },
    ];
    for (const input of bad) expect(await codeOf(clerk.purchaseRequests.create(input as never))).toBe('BAD_REQUEST');
    expect(await services.db.$count(purchaseRequests)).toBe(count);
  });

  it('refuses to submit when a product has no buyer, and the request stays a draft', async () => {
    const [orphan] = await services.db
      .insert(products)
      .values({ orgId: org.org.id, ean: testEan('pr-orphan', 1), name: 'Sem comprador', category: 'Outros', referencePrice: 3 })
      .returning();
    const clerk = await as('clerk');
    const draft = await clerk.purchaseRequests.create({ id: randomUUID(), storeId: org.stores[0]!.id, items: [{ productId: orphan!.id, quantity: 1 }] });
    const error = await clerk.purchaseRequests.submit({ id: draft.id }).catch((e: TRPCError) => e);
    expect((error as TRPCError).code).toBe('PRECONDITION_FAILED');
    expect((error as TRPCError).message).toContain('Sem comprador');
    expect((await clerk.purchaseRequests.byId({ id: draft.id })).status).toBe('draft');
    expect(await eventsOf(draft.id)).toEqual([]);
  });

  it('create with submit is all or nothing: a product with no buyer leaves no draft behind, and a retry after the fix submits', async () => {
    const [orphan] = await services.db
      .insert(products)
      .values({ orgId: org.org.id, ean: testEan('pr-orphan', 2), name: 'Sem comprador 2', category: 'Sem categoria', referencePrice: 3 })
      .returning();
    const clerk = await as('clerk');
    const input = { id: randomUUID(), storeId: org.stores[0]!.id, items: [{ productId: orphan!.id, quantity: 2 }], submit: true };
    const error = await clerk.purchaseRequests.create(input).catch((e: TRPCError) => e);
    expect((error as TRPCError).code).toBe('PRECONDITION_FAILED');
    expect(await services.db.$count(purchaseRequests, eq(purchaseRequests.id, input.id))).toBe(0);
    expect(await services.db.$count(auditLog, eq(auditLog.entityId, input.id))).toBe(0);

    await services.db.update(products).set({ buyerId: org.users.buyer.id }).where(eq(products.id, orphan!.id));
    const submitted = await clerk.purchaseRequests.create(input);
    expect(submitted.status).toBe('pending');
    expect((await eventsOf(input.id)).map((e) => e.type)).toEqual(['purchaseRequest.created']);
    // The same call again (a lost answer) returns the request as it is.
    expect((await clerk.purchaseRequests.create(input)).status).toBe('pending');
    expect((await eventsOf(input.id)).length).toBe(1);
  });
});

describe('buyer decisions', () => {
  it('approve (with a lower quantity) then reject completes the request as partially approved, with events in order', async () => {
    const request = await newRequest({ submit: true, quantities: [10, 4] });
    const buyer = await as('buyer');
    const inbox = await buyer.purchaseRequests.inbox({ limit: 200 });
    expect(inbox.items.filter((i) => i.requestId === request.id)).toHaveLength(2);
    await buyer.purchaseRequests.decideItem({ itemId: request.items[0]!.id, decision: 'approve', quantity: 8 });
    const done = await buyer.purchaseRequests.decideItem({ itemId: request.items[1]!.id, decision: 'reject', reason: 'Estoque alto' });
    expect(done.requestStatus).toBe('partially_approved');
    const detail = await buyer.purchaseRequests.byId({ id: request.id });
    expect(detail.items.map((i) => [i.status, i.approvedQuantity, i.decisionReason])).toEqual([
      ['approved', 8, null],
      ['rejected', null, 'Estoque alto'],
    ]);
    expect((await eventsOf(request.id)).map((e) => [e.aggregateSeq, e.type])).toEqual([
      [1, 'purchaseRequest.created'],
      [2, 'purchaseRequest.itemDecided'],
      [3, 'purchaseRequest.itemDecided'],
      [4, 'purchaseRequest.completed'],
    ]);
    await runConsumers(services);
    const requesterNotes = await services.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, org.users.clerk.id), sql`${notifications.data}->>'requestId' = ${request.id}`));
    // Each points at its decision, also the last one, whose statement also wrote purchaseRequest.completed.
    const decisionIds = (await eventsOf(request.id)).filter((e) => e.type === 'purchaseRequest.itemDecided').map((e) => String(e.id));
    expect(requesterNotes.map((n) => n.sourceEventId).sort()).toEqual(decisionIds.sort());
    // "Arroz Camil 5 kg: aprovado 1 de 4 — pedido PC-2026-000123": the product, the decision, partly, and the request.
    const names = detail.items.map((i) => i.productName);
    expect(requesterNotes.map((n) => n.title).sort()).toEqual([`${names[0]}: aprovado 8 de 10 — pedido ${detail.number}`, `${names[1]}: recusado — pedido ${detail.number}`].sort());
    expect(requesterNotes.map((n) => n.body).sort()).toEqual([`${org.users.buyer.name} aprovou em parte: 8 de 10 (${brl(8 * request.items[0]!.unitPrice)}).`, `${org.users.buyer.name} recusou: Estoque alto.`].sort());
  });

  it.each([
    [['approve', 'approve'], 'approved'],
    [['reject', 'reject'], 'rejected'],
  ] as const)('decisions %j complete the request as %s', async (decisions, status) => {
    const request = await newRequest({ submit: true });
    const buyer = await as('buyer');
    let last;
    for (const [i, d] of decisions.entries()) last = await buyer.purchaseRequests.decideItem({ itemId: request.items[i]!.id, decision: d, reason: 'motivo' });
    expect(last!.requestStatus).toBe(status);
  });

  it('two concurrent decisions on one item: exactly one wins, the other gets CONFLICT', async () => {
    const request = await newRequest({ submit: true });
    const [buyer, admin] = await Promise.all([as('buyer'), as('admin')]);
    const itemId = request.items[0]!.id;
    const codes = await Promise.all([
      codeOf(buyer.purchaseRequests.decideItem({ itemId, decision: 'approve' })),
      codeOf(admin.purchaseRequests.decideItem({ itemId, decision: 'reject', reason: 'não' })),
    ]);
    expect(codes.sort()).toEqual(['CONFLICT', 'OK']);
    const decided = (await eventsOf(request.id)).filter((e) => e.type === 'purchaseRequest.itemDecided');
    expect(decided).toHaveLength(1);
  });

  it('each move stamps its own time, who closed, and a new version, keeping the earlier stamps', async () => {
    const started = Date.now() - 1000;
    const request = await newRequest({ submit: true, quantities: [1] });
    const row = async () => (await services.db.select().from(purchaseRequests).where(eq(purchaseRequests.id, request.id)))[0]!;
    const submitted = await row();
    expect(submitted.submittedAt!.getTime()).toBeGreaterThan(started);
    expect([submitted.completedAt, submitted.closedAt, submitted.closedBy]).toEqual([null, null, null]);
    const buyer = await as('buyer');
    await buyer.purchaseRequests.decideItem({ itemId: request.items[0]!.id, decision: 'approve' });
    const completed = await row();
    expect(completed.status).toBe('approved');
    expect(completed.completedAt!.getTime()).toBeGreaterThanOrEqual(submitted.submittedAt!.getTime());
    expect(completed.submittedAt).toEqual(submitted.submittedAt);
    expect(completed.version).toBe(submitted.version + 1);
    await (await as('manager')).purchaseRequests.close({ id: request.id, reason: 'entregue' });
    const closed = await row();
    expect([closed.status, closed.closedBy, closed.version]).toEqual(['closed', org.users.manager.id, completed.version + 1]);
    expect(closed.closedAt!.getTime()).toBeGreaterThanOrEqual(completed.completedAt!.getTime());
    expect([closed.submittedAt, closed.completedAt]).toEqual([submitted.submittedAt, completed.completedAt]);
    expect(completed.updatedAt.getTime()).toBeGreaterThan(submitted.updatedAt.getTime());
    expect(closed.updatedAt.getTime()).toBeGreaterThan(completed.updatedAt.getTime());
  });

  it('forbidden moves are CONFLICT naming the current state, and change nothing', async () => {
    const draft = await newRequest();
    const buyer = await as('buyer');
    const manager = await as('manager');
    const onDraft = await buyer.purchaseRequests.decideItem({ itemId: draft.items[0]!.id, decision: 'approve' }).catch((e: TRPCError) => e);
    expect((onDraft as TRPCError).code).toBe('CONFLICT');
    expect((onDraft as TRPCError).message).toContain('draft');

    const request = await newRequest({ submit: true });
    await manager.purchaseRequests.close({ id: request.id, reason: 'cancelada' });
    const [closedRow] = await services.db.select().from(purchaseRequests).where(eq(purchaseRequests.id, request.id));
    // Closing again (a retry whose answer was lost) answers the closed request and changes nothing.
    expect((await manager.purchaseRequests.close({ id: request.id })).status).toBe('closed');
    expect((await services.db.select().from(purchaseRequests).where(eq(purchaseRequests.id, request.id)))[0]).toEqual(closedRow);
    expect(await codeOf(buyer.purchaseRequests.decideItem({ itemId: request.items[0]!.id, decision: 'approve' }))).toBe('CONFLICT');
    const clerk = await as('clerk');
    expect(await codeOf(clerk.purchaseRequests.submit({ id: request.id }))).toBe('OK'); // already submitted once: idempotent
    expect((await clerk.purchaseRequests.byId({ id: request.id })).status).toBe('closed');
    const closedDraft = await newRequest();
    await manager.purchaseRequests.close({ id: closedDraft.id });
    expect(await codeOf(clerk.purchaseRequests.submit({ id: closedDraft.id }))).toBe('CONFLICT');
    const items = await services.db.select().from(purchaseRequestItems).where(eq(purchaseRequestItems.requestId, request.id));
    expect(items.every((i) => i.status === 'pending')).toBe(true);
  });

  it('a decision sent again by its buyer (the answer was lost) gets the same answer and writes nothing twice', async () => {
    const request = await newRequest({ submit: true, quantities: [3] });
    const buyer = await as('buyer');
    const input = { itemId: request.items[0]!.id, decision: 'approve' as const, quantity: 2 };
    const first = await buyer.purchaseRequests.decideItem(input);
    const again = await buyer.purchaseRequests.decideItem(input);
    expect(again).toEqual(first);
    expect(first.requestStatus).toBe('approved');
    expect((await eventsOf(request.id)).map((e) => e.type)).toEqual(['purchaseRequest.created', 'purchaseRequest.itemDecided', 'purchaseRequest.completed']);
    await runConsumers(services);
    expect(await services.db.$count(notifications, eq(notifications.userId, org.users.clerk.id))).toBeGreaterThan(0);
    const decidedNotes = await services.db.select().from(notifications).where(sql`${notifications.data}->>'itemId' = ${input.itemId}`);
    expect(decidedNotes).toHaveLength(1);
    // Another quantity, or another buyer's same decision, is not a retry.
    expect(await codeOf(buyer.purchaseRequests.decideItem({ ...input, quantity: 1 }))).toBe('CONFLICT');
    expect(await codeOf((await as('admin')).purchaseRequests.decideItem(input))).toBe('CONFLICT');
  });

  it('a total too large to store is a BAD_REQUEST that says so, and writes nothing', async () => {
    const buyer = await as('buyer');
    const dear = await buyer.products.create({ ean: testEan('pr-dear', 1), name: 'Gerador industrial', referencePrice: 1_000_000, buyerId: org.users.buyer.id });
    const clerk = await as('clerk');
    const id = randomUUID();
    const error = await clerk.purchaseRequests
      .create({ id, storeId: org.stores[0]!.id, items: [{ productId: dear.id, quantity: 1_000_000 }], submit: true })
      .catch((e: TRPCError) => e);
    expect((error as TRPCError).code).toBe('BAD_REQUEST');
    expect((error as TRPCError).message).toContain('too large');
    expect(await services.db.$count(purchaseRequests, eq(purchaseRequests.id, id))).toBe(0);
  });

  it('rejecting needs a reason; approving more than requested is refused', async () => {
    const request = await newRequest({ submit: true, quantities: [3, 1] });
    const buyer = await as('buyer');
    expect(await codeOf(buyer.purchaseRequests.decideItem({ itemId: request.items[0]!.id, decision: 'reject' }))).toBe('BAD_REQUEST');
    expect(await codeOf(buyer.purchaseRequests.decideItem({ itemId: request.items[0]!.id, decision: 'approve', quantity: 4 }))).toBe('BAD_REQUEST');
    expect((await buyer.purchaseRequests.byId({ id: request.id })).items[0]!.status).toBe('pending');
  });

  it('bulk decisions answer item by item', async () => {
    const request = await newRequest({ submit: true });
    const buyer = await as('buyer');
    const { results } = await buyer.purchaseRequests.decideItems({
      decisions: [
        { itemId: request.items[0]!.id, decision: 'approve' },
        { itemId: request.items[0]!.id, decision: 'approve' },
        { itemId: request.items[0]!.id, decision: 'reject', reason: 'mudei de ideia' },
        { itemId: request.items[1]!.id, decision: 'reject' },
        { itemId: request.items[1]!.id, decision: 'reject', reason: 'sem verba' },
      ],
    });
    // The repeated approval is the same decision (OK, nothing written twice); the change of mind is a CONFLICT.
    expect(results.map((r) => (r.ok ? 'OK' : r.code))).toEqual(['OK', 'OK', 'CONFLICT', 'BAD_REQUEST', 'OK']);
    expect((await eventsOf(request.id)).filter((e) => e.type === 'purchaseRequest.itemDecided')).toHaveLength(2);
  });

  const approve = (items: { id: string }[]) => ({ decisions: items.map((i) => ({ itemId: i.id, decision: 'approve' as const })) });

  it('two bulk decisions over the same requests, in opposite orders, both go through (no request held across items)', async () => {
    const [buyer, admin] = [await as('buyer'), await as('admin')];
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([newRequest({ submit: true }), newRequest({ submit: true })]);
      const answers = await Promise.all([
        buyer.purchaseRequests.decideItems(approve([a.items[0]!, b.items[0]!])),
        admin.purchaseRequests.decideItems(approve([b.items[1]!, a.items[1]!])),
      ]);
      expect(answers.flatMap((answer) => answer.results.map((r) => r.ok))).toEqual([true, true, true, true]);
      for (const request of [a, b]) expect((await buyer.purchaseRequests.byId({ id: request.id })).status).toBe('approved');
    }
  });

  it("two bulk decisions that meet on the same stores' counters in opposite orders both go through, each decision written once (no counter held across items)", async () => {
    const [buyer, admin] = [await as('buyer'), await as('admin')];
    for (let round = 0; round < 5; round++) {
      // Four requests, two per store, every item the same buyer's: the batches share no request, only the counters.
      const request = (store: number) =>
        admin.purchaseRequests.create({ id: randomUUID(), storeId: org.stores[store]!.id, items: [{ productId: org.products[0]!.id, quantity: 1 }], submit: true });
      const [a, b, c, d] = await Promise.all([0, 1, 1, 0].map(request));
      const answers = await Promise.all([buyer.purchaseRequests.decideItems(approve([a!.items[0]!, b!.items[0]!])), admin.purchaseRequests.decideItems(approve([c!.items[0]!, d!.items[0]!]))]);
      expect(answers.flatMap((answer) => answer.results.map((r) => r.ok))).toEqual([true, true, true, true]);
      for (const request of [a!, b!, c!, d!]) {
        expect((await buyer.purchaseRequests.byId({ id: request.id })).status).toBe('approved');
        expect((await eventsOf(request.id)).filter((e) => e.type === 'purchaseRequest.itemDecided')).toHaveLength(1);
      }
    }
  });
});

describe('product photos', () => {
  it('each line of the detail and of the inbox carries its product’s approved photo id, and none for a photo not approved', async () => {
    const photoId = randomUUID();
    const [approved, inReview] = [org.products[0]!, org.products[1]!];
    const photoKey = (productId: string, id: string) => `products/${org.org.id}/${productId}/${id}`;
    await services.db.update(products).set({ imageStatus: 'approved', imageKey: photoKey(approved.id, photoId) }).where(eq(products.id, approved.id));
    await services.db.update(products).set({ imageStatus: 'manual_review', imageKey: photoKey(inReview.id, randomUUID()) }).where(eq(products.id, inReview.id));
    try {
      const request = await newRequest({ submit: true });
      expect(request.items.map((i) => i.photoId)).toEqual([photoId, null]);
      const detail = await (await as('clerk')).purchaseRequests.byId({ id: request.id });
      expect(detail.items.map((i) => i.photoId)).toEqual([photoId, null]);
      const inbox = await (await as('buyer')).purchaseRequests.inbox({ limit: 200 });
      // Lines of one request share their created time: their order is the items' ids'.
      const lines = new Map(inbox.items.filter((i) => i.requestId === request.id).map((i) => [i.productId, i.photoId]));
      expect(lines).toEqual(
        new Map([
          [approved.id, photoId],
          [inReview.id, null],
        ]),
      );
    } finally {
      await services.db.update(products).set({ imageStatus: 'pending', imageKey: null }).where(inArray(products.id, [approved.id, inReview.id]));
    }
  });
});

describe('human numbers', () => {
  it('gives each request the org’s next number of the year, distinct under concurrent creates, findable by any part of it', async () => {
    const made = await Promise.all(Array.from({ length: 8 }, () => newRequest()));
    const numbers = made.map((r) => r.number);
    const year = new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'America/Sao_Paulo' }).format(new Date());
    for (const n of numbers) expect(n).toMatch(new RegExp(`^PC-${year}-\\d{6}$`));
    const sequence = numbers.map((n) => Number(n.slice(-6))).sort((a, b) => a - b);
    expect(new Set(sequence).size).toBe(8);
    expect(sequence.at(-1)! - sequence[0]!).toBe(7);
    // A retried create (same id) keeps its number.
    const clerk = await as('clerk');
    const again = await clerk.purchaseRequests.create({ id: made[0]!.id, storeId: org.stores[0]!.id, items: [2, 5].map((quantity, i) => ({ productId: org.products[i]!.id, quantity })) });
    expect(again.number).toBe(made[0]!.number);
    // Search by the digits the clerk reads out, or the whole number.
    const digits = String(sequence[3]);
    const found = await clerk.purchaseRequests.list({ limit: 50, number: digits });
    expect(found.items.map((r) => r.number)).toContain(numbers.find((n) => n.endsWith(digits.padStart(6, '0')))!);
    expect((await clerk.purchaseRequests.list({ limit: 50, number: made[2]!.number.toLowerCase() })).items.map((r) => r.id)).toEqual([made[2]!.id]);
    expect((await clerk.purchaseRequests.list({ limit: 50, number: '%' })).items).toEqual([]);
  });

  it("a request still inside its transaction does not hold back the org's next one (the number is not locked until commit)", async () => {
    const manager = await as('manager');
    // Two stores: each store's status totals are its own row (a second request of one store does wait for the first).
    const create = (product: number) => manager.purchaseRequests.create({ id: randomUUID(), storeId: org.stores[product]!.id, items: [{ productId: org.products[product]!.id, quantity: 1 }] });
    let slow: Promise<{ number: string }> | undefined;
    let quick: { number: string } | undefined;
    // Another transaction holds product 0's row: a request of it waits inside its own transaction (its items' foreign
    // key check), after its number is taken.
    await services.sql.begin(async (tx) => {
      await tx`select 1 from products where id = ${org.products[0]!.id} for update`;
      slow = create(0);
      await new Promise((r) => setTimeout(r, 300));
      quick = await Promise.race([create(1), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the second request waited for the first')), 5000))]);
    });
    const waited = await slow!;
    expect(quick!.number).not.toBe(waited.number);
    expect(Number(quick!.number.slice(-6))).toBe(Number(waited.number.slice(-6)) + 1);
  });
});

describe('buyer context', () => {
  it('each inbox line carries the store’s stock, the last 30 days of that product there, and the reference price; filters and sorts', async () => {
    const own = await createOrgFixture(services, 'prctx');
    const call = (role: keyof OrgFixture['secrets']) => callerFor(services, { sessionSecret: own.secrets[role] });
    const clerk = await call('clerk');
    const buyer = await call('buyer');
    const request = (quantities: number[]) =>
      clerk.purchaseRequests.create({ id: randomUUID(), storeId: own.stores[0]!.id, items: quantities.map((quantity, i) => ({ productId: own.products[i]!.id, quantity })), submit: true });
    await setStock(services, own, 0, [12, 0]);
    // Earlier this month: 5 asked of product 0, 3 approved.
    const earlier = await request([5]);
    await buyer.purchaseRequests.decideItem({ itemId: earlier.items[0]!.id, decision: 'approve', quantity: 3 });
    const now = await request([4, 30]);

    const inbox = await buyer.purchaseRequests.inbox({ limit: 50 });
    const line = (productIndex: number) => inbox.items.find((i) => i.requestId === now.id && i.productId === own.products[productIndex]!.id)!;
    expect(line(0)).toMatchObject({ stockOnHand: 12, last30Days: { requested: 5, approved: 3 }, referencePrice: own.products[0]!.referencePrice, category: own.products[0]!.category });
    expect(line(0).stockUpdatedAt).not.toBeNull();
    expect(line(1)).toMatchObject({ stockOnHand: 0, last30Days: { requested: 0, approved: 0 } });

    // By value, largest first, paged by keyset; by category; by age (all were submitted just now).
    const values: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof buyer.purchaseRequests.inbox>> = await buyer.purchaseRequests.inbox({ limit: 1, sort: 'value', cursor });
      values.push(...page.items.map((i) => i.value));
      cursor = page.nextCursor;
    } while (cursor);
    expect(values).toHaveLength(2);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const category = own.products[1]!.category;
    const inCategory = await buyer.purchaseRequests.inbox({ limit: 50, category });
    expect(inCategory.items.every((i) => i.category === category)).toBe(true);
    expect(inCategory.items.map((i) => i.productId)).toContain(own.products[1]!.id);
    expect((await buyer.purchaseRequests.inbox({ limit: 50, minAgeDays: 1 })).items).toEqual([]);
    expect((await buyer.purchaseRequests.inbox({ limit: 50, minAgeDays: 0 })).items).toHaveLength(2);
  });
});

describe('lists', () => {
  it('issue a constant number of SQL statements per page, whatever its size', async () => {
    for (let i = 0; i < 12; i++) await newRequest({ submit: i % 2 === 0 });
    const manager = await as('manager');
    await manager.auth.me(); // warms the session cache
    const small = await countQueries(() => manager.purchaseRequests.list({ limit: 10 }));
    const large = await countQueries(() => manager.purchaseRequests.list({ limit: 100 }));
    expect(small.result.items).toHaveLength(10);
    expect(large.result.items.length).toBeGreaterThan(10);
    expect(small.queries.count).toBe(large.queries.count);
    expect(large.queries.count).toBeLessThanOrEqual(3);
    const detail = await countQueries(() => manager.purchaseRequests.byId({ id: small.result.items[0]!.id }));
    expect(detail.queries.count).toBe(1);
  });

  it('paginate with a cursor without repeating or skipping a request', async () => {
    const manager = await as('manager');
    const all = await manager.purchaseRequests.list({ limit: 200 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof manager.purchaseRequests.list>> = await manager.purchaseRequests.list({ limit: 4, cursor });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((r) => r.id));
  });

  it('filter by store and status', async () => {
    const manager = await as('manager');
    const page = await manager.purchaseRequests.list({ limit: 200, storeId: org.stores[0]!.id, status: ['draft'] });
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((r) => r.storeId === org.stores[0]!.id && r.status === 'draft')).toBe(true);
  });

  it('rejects a tampered cursor with BAD_REQUEST', async () => {
    const manager = await as('manager');
    expect(await codeOf(manager.purchaseRequests.list({ limit: 5, cursor: 'garbage' }))).toBe('BAD_REQUEST');
  });
});
