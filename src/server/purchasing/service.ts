import { sql } from 'drizzle-orm';
import { brl } from '~/lib/money';
import { writeAudit, type Actor } from '../audit/audit';
import type { Principal } from '../auth/principal';
import type { Database, Executor } from '../db/client';
import { settleAll } from '../db/pipeline';
import { notificationsOfEvent } from '../notifications/queries';
import { findProductsByIds } from '../catalogue/queries';
import {
  assignBuyers,
  countItemDecisions,
  decideItemIfPending,
  findItem,
  findRequestDetail,
  findRequestIdOfItem,
  insertDraftRequest,
  lockRequest,
  setRequestStatus,
  type RequestDetail,
  type RequestHead,
} from './queries';
import { findStore } from '../accounts/queries/stores';
import { AppError, notFound } from '../domain/errors';
import { appendEvent, appendEvents, type EventMetadata } from '../events/outbox';
import type { NewEvent } from '../events/types';
import { assertItemDecidable, assertMove, completedStatus } from './state-machine';

export type CallerContext = { db: Database; principal: Principal; actor: Actor; requestId: string };

const meta = (c: CallerContext): EventMetadata => ({ correlationId: c.requestId, userId: c.principal.userId });

/** Clerks see and act on their stores only; buyers, managers and admins see the whole org. */
export function visibleStores(principal: Principal): string[] | null {
  return principal.role === 'clerk' ? principal.storeIds : null;
}

/** Requests are created for one of the caller's stores (admins: any store of the org). */
function assertCanRequestFor(c: CallerContext, store: Awaited<ReturnType<typeof findStore>>) {
  if (!store) throw notFound('Store');
  if (c.principal.role !== 'admin' && !c.principal.storeIds.includes(store.id)) {
    throw new AppError('FORBIDDEN', `You do not work at ${store.name}; ask an admin to add you to it`);
  }
  if (!store.active) throw new AppError('CONFLICT', `${store.name} is inactive`);
}

/** A request the caller may see, or NOT_FOUND (never a hint that it exists elsewhere). */
export async function getVisibleRequest(c: CallerContext, requestId: string): Promise<RequestDetail> {
  const request = await findRequestDetail(c.db, c.principal.orgId, requestId);
  const scope = visibleStores(c.principal);
  if (!request || (scope && !scope.includes(request.storeId))) throw notFound('Purchase request');
  return request;
}

export type CreateRequestInput = {
  id: string;
  storeId: string;
  note?: string | null;
  items: { productId: string; quantity: number; note?: string | null }[];
  submit?: boolean;
};

/**
 * Creates a draft with unit prices from the catalogue. The id is the client's: a retried call returns the
 * request it already created instead of creating another. With `submit`, creating and submitting are one
 * transaction: a request that cannot be submitted (a product with no buyer) is not left behind as a draft.
 */
export async function createRequest(c: CallerContext, input: CreateRequestInput): Promise<RequestDetail> {
  const productIds = [...new Set(input.items.map((i) => i.productId))];
  if (productIds.length !== input.items.length) throw new AppError('INVALID', 'Each product may appear once; add up the quantities', { field: 'items' });
  // Statements that do not wait on each other's answers are sent together: postgres.js pipelines a
  // transaction's concurrent queries on its connection, so each group costs one round trip.
  const created = await c.db.transaction(async (tx) => {
    const [store, products] = await settleAll([findStore(tx, c.principal.orgId, input.storeId), findProductsByIds(tx, c.principal.orgId, productIds)]);
    assertCanRequestFor(c, store);
    const found = new Map(products.map((p) => [p.id, p]));
    const missing = productIds.filter((id) => !found.get(id));
    if (missing.length > 0) throw new AppError('NOT_FOUND', `Product not found: ${missing.join(', ')}`, { productIds: missing });
    const inactive = productIds.map((id) => found.get(id)!).filter((p) => !p.active);
    if (inactive.length > 0) throw new AppError('CONFLICT', `Inactive products cannot be requested: ${inactive.map((p) => p.name).join(', ')}`);

    const items = input.items.map((i) => ({ productId: i.productId, quantity: i.quantity, unitPrice: found.get(i.productId)!.referencePrice, note: i.note ?? null }));
    const draft = await insertDraftRequest(tx, { id: input.id, orgId: c.principal.orgId, storeId: input.storeId, createdBy: c.principal.userId, note: input.note ?? null, items });
    if (!draft) return false;
    await settleAll([
      writeAudit(tx, c.actor, { action: 'purchaseRequest.created', entityType: 'purchase_request', entityId: input.id, after: input }),
      // The row was inserted by this transaction, so nobody else can see it, let alone lock it.
      input.submit ? submitLocked(tx, c, draft) : null,
    ]);
    return true;
  });
  if (!created) {
    // A retry carries the same content; the same id with other content is a different request.
    const existing = await findRequestDetail(c.db, c.principal.orgId, input.id);
    const sameItems = (list: { productId: string; quantity: number }[]) =>
      list
        .map((i) => `${i.productId}:${i.quantity}`)
        .sort()
        .join(',');
    if (!existing || existing.createdBy !== c.principal.userId || existing.storeId !== input.storeId || sameItems(existing.items) !== sameItems(input.items)) {
      throw new AppError('CONFLICT', 'This request id was already used for another request; generate a new id');
    }
    if (input.submit) return submitRequest(c, input.id);
  }
  return getVisibleRequest(c, input.id);
}

/**
 * Draft → pending: each item goes to its product's (or category's) buyer, the total is fixed, the buyers are
 * notified and `purchaseRequest.created` is written. Submitting an already submitted request returns it.
 */
export async function submitRequest(c: CallerContext, requestId: string): Promise<RequestDetail> {
  await c.db.transaction(async (tx) => {
    const request = await lockRequest(tx, c.principal.orgId, requestId);
    const scope = visibleStores(c.principal);
    if (!request || (scope && !scope.includes(request.storeId))) throw notFound('Purchase request');
    if (request.status !== 'draft' && request.submittedAt) return; // a retried submit
    await submitLocked(tx, c, request);
  });
  return getVisibleRequest(c, requestId);
}

/** The submit itself, on a request row this transaction holds. */
async function submitLocked(tx: Executor, c: CallerContext, request: RequestHead) {
  const orgId = c.principal.orgId;
  const requestId = request.id;
  assertMove(request.status, 'submit');
  if (request.createdBy !== c.principal.userId && c.principal.role !== 'manager' && c.principal.role !== 'admin') {
    throw new AppError('FORBIDDEN', 'Only the author or a manager can submit this request');
  }
  const { unassigned, buyerIds } = await assignBuyers(tx, orgId, requestId);
  if (unassigned.length > 0) {
    throw new AppError('PRECONDITION_FAILED', `No buyer is responsible for: ${unassigned.join(', ')}. Ask an admin to assign one.`, { products: unassigned });
  }
  const submittedAt = new Date();
  const notifications = buyerIds.map((userId) => ({
    orgId,
    userId,
    kind: 'purchaseRequest.created',
    title: 'Nova solicitação de compra',
    body: `${c.principal.name} enviou uma solicitação de ${brl(request.totalValue)} com itens para você aprovar.`,
    data: { requestId },
  }));
  await settleAll([
    setRequestStatus(tx, orgId, requestId, { status: 'pending', submittedAt }),
    writeAudit(tx, c.actor, { action: 'purchaseRequest.submitted', entityType: 'purchase_request', entityId: requestId, before: { status: 'draft' }, after: { status: 'pending' } }),
    appendEvent(
      tx,
      {
        type: 'purchaseRequest.created',
        orgId,
        aggregateId: requestId,
        payload: { requestId, storeId: request.storeId, createdBy: request.createdBy, totalValue: request.totalValue, itemCount: request.itemCount, buyerIds },
      },
      meta(c),
      { alongside: (inserted) => notificationsOfEvent(notifications, sql`select id from ${inserted} where type = 'purchaseRequest.created'`) },
    ),
  ]);
}

export type DecideItemInput = { itemId: string; decision: 'approve' | 'reject'; quantity?: number | null; reason?: string | null };

/**
 * A buyer's decision on one item. The conditional update makes exactly one of two concurrent decisions win;
 * the loser gets CONFLICT. When it was the last pending item, the request completes in the same transaction.
 * The same decision sent again by who made it (a retry whose answer was lost) gets the same answer and writes
 * nothing: no second event, audit row or notification.
 */
export async function decideItem(c: CallerContext, input: DecideItemInput) {
  const orgId = c.principal.orgId;
  if (input.decision === 'reject' && !input.reason?.trim()) throw new AppError('INVALID', 'Say why the item is rejected', { field: 'reason' });
  const requestId = await findRequestIdOfItem(c.db, orgId, input.itemId);
  if (!requestId) throw notFound('Item');

  return c.db.transaction(async (tx) => {
    const request = (await lockRequest(tx, orgId, requestId))!;
    const item = (await findItem(tx, orgId, input.itemId))!;
    const isAdmin = c.principal.role === 'admin';
    const wanted = input.decision === 'approve' ? 'approved' : 'rejected';
    const sameDecision =
      item.status === wanted && item.decidedBy === c.principal.userId && (wanted === 'rejected' || (input.quantity ?? item.quantity) === item.approvedQuantity);
    if (sameDecision) return { itemId: input.itemId, status: wanted, requestId, requestStatus: request.status, storeId: request.storeId };
    assertItemDecidable(request.status, item.status);
    if (!isAdmin && item.buyerId !== c.principal.userId) throw new AppError('FORBIDDEN', 'This item is assigned to another buyer');
    if (input.decision === 'approve' && input.quantity != null && input.quantity > item.quantity) {
      throw new AppError('INVALID', `Approve at most the requested ${item.quantity}`, { field: 'quantity' });
    }
    const decided = await decideItemIfPending(tx, orgId, input.itemId, {
      status: input.decision === 'approve' ? 'approved' : 'rejected',
      approvedQuantity: input.decision === 'approve' ? (input.quantity ?? item.quantity) : null,
      reason: input.reason?.trim() || null,
      decidedBy: c.principal.userId,
      onlyBuyer: isAdmin ? null : c.principal.userId,
    });
    if (!decided) throw new AppError('CONFLICT', 'This item was decided by someone else a moment ago; reload to see the decision');

    const status: 'approved' | 'rejected' = input.decision === 'approve' ? 'approved' : 'rejected';
    const value = Math.round((decided.approvedQuantity ?? decided.quantity) * decided.unitPrice * 100) / 100;
    const now = new Date();
    await writeAudit(tx, c.actor, {
      action: `purchaseRequestItem.${status}`,
      entityType: 'purchase_request_item',
      entityId: input.itemId,
      before: { status: 'pending' },
      after: { status, approvedQuantity: decided.approvedQuantity, reason: decided.decisionReason },
    });
    const events: NewEvent[] = [
      {
        type: 'purchaseRequest.itemDecided',
        orgId,
        aggregateId: requestId,
        payload: {
          requestId,
          itemId: input.itemId,
          storeId: request.storeId,
          requesterId: request.createdBy,
          buyerId: decided.buyerId ?? c.principal.userId,
          decision: status,
          quantity: decided.quantity,
          approvedQuantity: decided.approvedQuantity,
          value,
          reason: decided.decisionReason,
        },
      },
    ];
    const counts = await countItemDecisions(tx, requestId);
    let requestStatus = request.status;
    if (counts.pending === 0) {
      requestStatus = completedStatus(counts.approved, counts.rejected);
      assertMove(request.status, 'complete', requestStatus);
      await setRequestStatus(tx, orgId, requestId, { status: requestStatus, completedAt: now });
      await writeAudit(tx, c.actor, { action: 'purchaseRequest.completed', entityType: 'purchase_request', entityId: requestId, before: { status: request.status }, after: { status: requestStatus } });
    }
    const notification = {
      orgId,
      userId: request.createdBy,
      kind: 'purchaseRequest.itemDecided',
      title: status === 'approved' ? 'Item aprovado' : 'Item recusado',
      body:
        status === 'approved'
          ? `${c.principal.name} aprovou ${decided.approvedQuantity} un. (${brl(value)}).`
          : `${c.principal.name} recusou um item: ${decided.decisionReason}.`,
      data: { requestId, itemId: input.itemId },
    };
    await appendEvents(
      tx,
      counts.pending === 0
        ? [
            ...events,
            {
              type: 'purchaseRequest.completed',
              orgId,
              aggregateId: requestId,
              payload: { requestId, storeId: request.storeId, status: completedStatus(counts.approved, counts.rejected), approvedItems: counts.approved, rejectedItems: counts.rejected },
            },
          ]
        : events,
      meta(c),
      // The notification points at the decision, not at the completion written with it.
      { alongside: (inserted) => notificationsOfEvent([notification], sql`select id from ${inserted} where type = 'purchaseRequest.itemDecided'`) },
    );
    return { itemId: input.itemId, status, requestId, requestStatus, storeId: request.storeId };
  });
}

/** A manager (or admin) closes a request in any state but closed; closing a closed one again (a retry) changes nothing. */
export async function closeRequest(c: CallerContext, requestId: string, reason: string | null) {
  const orgId = c.principal.orgId;
  await c.db.transaction(async (tx) => {
    const request = await lockRequest(tx, orgId, requestId);
    if (!request) throw notFound('Purchase request');
    if (request.status === 'closed') return;
    assertMove(request.status, 'close');
    await setRequestStatus(tx, orgId, requestId, { status: 'closed', closedAt: new Date(), closedBy: c.principal.userId });
    await writeAudit(tx, c.actor, { action: 'purchaseRequest.closed', entityType: 'purchase_request', entityId: requestId, before: { status: request.status }, after: { status: 'closed', reason } });
  });
  return getVisibleRequest(c, requestId);
}
