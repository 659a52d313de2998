import { lineTotal } from '~/lib/money';
import { writeAudit } from '../audit/audit';
import type { Principal } from '../domain/principal';
import { findStore } from '../accounts/queries/stores';
import { findProductsByIds } from '../catalogue/queries';
import type { Transaction } from '../db/client';
import { settleAll } from '../db/pipeline';
import type { SignedInContext } from '../domain/context';
import { AppError, notFound, toTRPCError } from '../errors';
import { batchingEffects, inTransaction, type Emit } from '../domain/transaction';
import type { NewEvent } from '../events/types';
import {
  assignBuyers,
  countItemDecisions,
  decideItemIfPending,
  findItem,
  findRequestDetail,
  findRequestIdOfItem,
  insertDraftRequest,
  takeRequestNumber,
  listInbox,
  listRequests as listRequestRows,
  lockRequest,
  setRequestStatus,
  type RequestDetail,
  type RequestHead,
  type RequestListParams,
  type InboxParams,
} from './queries';
import { assertItemDecidable, assertMove, completedStatus } from './state-machine';

/** Clerks see and act on their stores only; buyers, managers and admins see the whole org. */
export function visibleStores(principal: Principal): string[] | null {
  return principal.role === 'clerk' ? principal.storeIds : null;
}

/** Requests are created for one of the caller's stores (admins: any store of the org). */
function assertCanRequestFor(ctx: SignedInContext, store: Awaited<ReturnType<typeof findStore>>) {
  if (!store) throw notFound('store', { field: 'storeId' });
  if (ctx.principal.role !== 'admin' && !ctx.principal.storeIds.includes(store.id)) {
    throw new AppError('FORBIDDEN', 'not_your_store', `You do not work at ${store.name}; ask an admin to add you to it`, { store: store.name });
  }
  if (!store.active) throw new AppError('CONFLICT', 'store_inactive', `${store.name} is inactive`, { store: store.name });
}

/** A request the caller may see, or NOT_FOUND (never a hint that it exists elsewhere). */
export async function getVisibleRequest(ctx: SignedInContext, requestId: string): Promise<RequestDetail> {
  return visibleOrNotFound(ctx, await findRequestDetail(ctx.db, ctx.principal.orgId, requestId));
}

function visibleOrNotFound(ctx: SignedInContext, request: RequestDetail | undefined): RequestDetail {
  const scope = visibleStores(ctx.principal);
  if (!request || (scope && !scope.includes(request.storeId))) throw notFound('purchase_request');
  return request;
}

/** The requests the caller may see, newest first; `mine`: only the ones they created. */
export const listRequests = (ctx: SignedInContext, params: Omit<RequestListParams, 'scopeStoreIds' | 'createdBy'> & { mine?: boolean | null }) =>
  listRequestRows(ctx.db, ctx.principal.orgId, { ...params, scopeStoreIds: visibleStores(ctx.principal), createdBy: params.mine ? ctx.principal.userId : null });

/** Pending items waiting for this buyer (admins: every buyer's, or one buyer's). */
export function buyerInbox(ctx: SignedInContext, params: Omit<InboxParams, 'buyerId'> & { buyerId?: string | null }) {
  const admin = ctx.principal.role === 'admin';
  if (params.buyerId && !admin && params.buyerId !== ctx.principal.userId) {
    throw new AppError('FORBIDDEN', 'other_buyers_inbox', "Only admins can see another buyer's inbox");
  }
  return listInbox(ctx.db, ctx.principal.orgId, { ...params, buyerId: admin ? (params.buyerId ?? null) : ctx.principal.userId });
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
export async function createRequest(ctx: SignedInContext, input: CreateRequestInput): Promise<RequestDetail> {
  const orgId = ctx.principal.orgId;
  const productIds = [...new Set(input.items.map((i) => i.productId))];
  if (productIds.length !== input.items.length) throw new AppError('INVALID', 'duplicate_products', 'Each product may appear once; add up the quantities', { field: 'items' });
  // The number first, in a statement of its own (takeRequestNumber): the org's counter is not held while this commits.
  const number = await takeRequestNumber(ctx.db, orgId);
  // Statements that do not wait on each other's answers are sent together: postgres.js pipelines a
  // transaction's concurrent queries on its connection, so each group costs one round trip.
  const created = await inTransaction(ctx, async (tx, emit) => {
    const [store, products] = await settleAll([findStore(tx, orgId, input.storeId), findProductsByIds(tx, orgId, productIds)]);
    assertCanRequestFor(ctx, store);
    const found = new Map(products.map((p) => [p.id, p]));
    const missing = productIds.filter((id) => !found.get(id));
    if (missing.length > 0) throw notFound('product', { productIds: missing });
    const inactive = productIds.map((id) => found.get(id)!).filter((p) => !p.active);
    if (inactive.length > 0) {
      throw new AppError('CONFLICT', 'products_inactive', `Inactive products cannot be requested: ${inactive.map((p) => p.name).join(', ')}`, { products: inactive.map((p) => p.name) });
    }

    const items = input.items.map((i) => ({ productId: i.productId, quantity: i.quantity, unitPrice: found.get(i.productId)!.referencePrice, note: i.note ?? null }));
    const draft = await insertDraftRequest(tx, { id: input.id, number, orgId, storeId: input.storeId, createdBy: ctx.principal.userId, note: input.note ?? null, items });
    if (!draft) return null;
    await settleAll([
      writeAudit(tx, ctx.actor, { action: 'purchaseRequest.created', entityType: 'purchase_request', entityId: input.id, after: input }),
      // The row was inserted by this transaction, so nobody else can see it, let alone lock it.
      input.submit ? submitLocked(tx, emit, ctx, draft) : null,
    ]);
    // Read back in the transaction: the answer without waiting for a connection a second time.
    return findRequestDetail(tx, orgId, input.id);
  });
  if (created) return visibleOrNotFound(ctx, created);
  // A retry carries the same content; the same id with other content is a different request.
  const existing = await findRequestDetail(ctx.db, orgId, input.id);
  const sameItems = (list: { productId: string; quantity: number }[]) =>
    list
      .map((i) => `${i.productId}:${i.quantity}`)
      .sort()
      .join(',');
  if (!existing || existing.createdBy !== ctx.principal.userId || existing.storeId !== input.storeId || sameItems(existing.items) !== sameItems(input.items)) {
    throw new AppError('CONFLICT', 'request_id_taken', 'This request id was already used for another request; generate a new id', { field: 'id' });
  }
  if (input.submit) return submitRequest(ctx, input.id);
  return visibleOrNotFound(ctx, existing);
}

/**
 * Draft → pending: each item goes to its product's (or category's) buyer, the total is fixed, and
 * `purchaseRequest.created` is written (its consumer notifies the buyers). Submitting an already submitted
 * request returns it.
 */
export async function submitRequest(ctx: SignedInContext, requestId: string): Promise<RequestDetail> {
  await inTransaction(ctx, async (tx, emit) => {
    const request = await lockRequest(tx, ctx.principal.orgId, requestId);
    const scope = visibleStores(ctx.principal);
    if (!request || (scope && !scope.includes(request.storeId))) throw notFound('purchase_request');
    if (request.status !== 'draft' && request.submittedAt) return; // a retried submit
    await submitLocked(tx, emit, ctx, request);
  });
  return getVisibleRequest(ctx, requestId);
}

/** The submit itself, on a request row this transaction holds. */
async function submitLocked(tx: Transaction, emit: Emit, ctx: SignedInContext, request: RequestHead) {
  const orgId = ctx.principal.orgId;
  const requestId = request.id;
  assertMove(request.status, 'submit');
  if (request.createdBy !== ctx.principal.userId && ctx.principal.role !== 'manager' && ctx.principal.role !== 'admin') {
    throw new AppError('FORBIDDEN', 'not_the_author', 'Only the author or a manager can submit this request');
  }
  const { unassigned, buyerIds } = await assignBuyers(tx, orgId, requestId);
  if (unassigned.length > 0) {
    throw new AppError('PRECONDITION_FAILED', 'no_buyer', `No buyer is responsible for: ${unassigned.join(', ')}. Ask an admin to assign one.`, { products: unassigned });
  }
  await settleAll([
    setRequestStatus(tx, orgId, requestId, { status: 'pending', submittedAt: new Date() }),
    writeAudit(tx, ctx.actor, { action: 'purchaseRequest.submitted', entityType: 'purchase_request', entityId: requestId, before: { status: 'draft' }, after: { status: 'pending' } }),
    emit([
      {
        type: 'purchaseRequest.created',
        orgId,
        aggregateId: requestId,
        payload: { requestId, requestNumber: request.number, storeId: request.storeId, createdBy: request.createdBy, totalValue: request.totalValue, itemCount: request.itemCount, buyerIds },
      },
    ]),
  ]);
}

export type DecideItemInput = { itemId: string; decision: 'approve' | 'reject'; quantity?: number | null; reason?: string | null };
export type Decided = { itemId: string; status: 'approved' | 'rejected'; requestId: string; requestStatus: RequestHead['status']; storeId: string };

/**
 * A buyer's decision on one item. The conditional update makes exactly one of two concurrent decisions win;
 * the loser gets CONFLICT. When it was the last pending item, the request completes in the same transaction.
 * The same decision sent again by who made it (a retry whose answer was lost) gets the same answer and writes
 * nothing: no second event, audit row or notification.
 */
export async function decideItem(ctx: SignedInContext, input: DecideItemInput): Promise<Decided> {
  const orgId = ctx.principal.orgId;
  if (input.decision === 'reject' && !input.reason?.trim()) throw new AppError('INVALID', 'rejection_reason_required', 'Say why the item is rejected', { field: 'reason' });
  // One connection for the whole decision: under load each wait for one is the longest part of a call.
  return inTransaction(ctx, async (tx, emit) => {
    const requestId = await findRequestIdOfItem(tx, orgId, input.itemId);
    if (!requestId) throw notFound('item');
    // The item is read once the request is locked: sent together, PostgreSQL runs them in that order.
    const [lockedRequest, foundItem] = await settleAll([lockRequest(tx, orgId, requestId), findItem(tx, orgId, input.itemId)]);
    const request = lockedRequest!;
    const item = foundItem!;
    const isAdmin = ctx.principal.role === 'admin';
    const status = input.decision === 'approve' ? 'approved' : 'rejected';
    const sameDecision =
      item.status === status && item.decidedBy === ctx.principal.userId && (status === 'rejected' || (input.quantity ?? item.quantity) === item.approvedQuantity);
    if (sameDecision) return { itemId: input.itemId, status, requestId, requestStatus: request.status, storeId: request.storeId };
    assertItemDecidable(request.status, item.status);
    if (!isAdmin && item.buyerId !== ctx.principal.userId) throw new AppError('FORBIDDEN', 'other_buyers_item', 'This item is assigned to another buyer');
    if (input.decision === 'approve' && input.quantity != null && input.quantity > item.quantity) {
      throw new AppError('INVALID', 'approve_at_most_requested', `Approve at most the requested ${item.quantity}`, { field: 'quantity', requested: item.quantity });
    }
    const decided = await decideItemIfPending(tx, orgId, input.itemId, {
      status,
      approvedQuantity: input.decision === 'approve' ? (input.quantity ?? item.quantity) : null,
      reason: input.reason?.trim() || null,
      decidedBy: ctx.principal.userId,
      onlyBuyer: isAdmin ? null : ctx.principal.userId,
    });
    if (!decided) throw new AppError('CONFLICT', 'decided_meanwhile', 'This item was decided by someone else a moment ago; reload to see the decision');

    const value = lineTotal(decided.approvedQuantity ?? decided.quantity, decided.unitPrice);
    const [, counts] = await settleAll([
      writeAudit(tx, ctx.actor, {
        action: `purchaseRequestItem.${status}`,
        entityType: 'purchase_request_item',
        entityId: input.itemId,
        before: { status: 'pending' },
        after: { status, approvedQuantity: decided.approvedQuantity, reason: decided.decisionReason },
      }),
      countItemDecisions(tx, requestId),
    ]);
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
          buyerId: decided.buyerId ?? ctx.principal.userId,
          decision: status,
          quantity: decided.quantity,
          approvedQuantity: decided.approvedQuantity,
          value,
          reason: decided.decisionReason,
          requestNumber: request.number,
          productName: decided.productName,
        },
      },
    ];
    let requestStatus = request.status;
    const completion: Promise<unknown>[] = [];
    if (counts.pending === 0) {
      requestStatus = completedStatus(counts.approved, counts.rejected);
      assertMove(request.status, 'complete', requestStatus);
      completion.push(
        setRequestStatus(tx, orgId, requestId, { status: requestStatus, completedAt: new Date() }),
        writeAudit(tx, ctx.actor, { action: 'purchaseRequest.completed', entityType: 'purchase_request', entityId: requestId, before: { status: request.status }, after: { status: requestStatus } }),
      );
      events.push({
        type: 'purchaseRequest.completed',
        orgId,
        aggregateId: requestId,
        payload: { requestId, storeId: request.storeId, status: requestStatus, approvedItems: counts.approved, rejectedItems: counts.rejected },
      });
    }
    await settleAll([...completion, emit(events)]);
    return { itemId: input.itemId, status, requestId, requestStatus, storeId: request.storeId };
  });
}

/**
 * Bulk decisions, answered item by item; each item is decided or not, on its own. The dashboard and open
 * screens hear of the batch once, after the last item. Each item is a transaction of its own, not a savepoint of
 * one for the batch: an item's triggers take its buyer's pending counter and then, when its request completes, the
 * store's status totals, the order every submit takes them in. A batch holding a store's totals while asking for
 * another buyer's counter can deadlock with a submit in that store, and a batch of 200 would keep the store's
 * submits waiting for it.
 */
export async function decideItems(ctx: SignedInContext, decisions: DecideItemInput[]) {
  return batchingEffects(ctx, async (batch) => {
    const results = [];
    for (const d of decisions) {
      try {
        results.push({ itemId: d.itemId, ok: true as const, result: await decideItem(batch, d) });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const { code, message } = toTRPCError(error);
        results.push({ itemId: d.itemId, ok: false as const, code, reason: error.reason, message, details: error.data ?? null });
      }
    }
    return { results };
  });
}

/** A manager (or admin) closes a request in any state but closed; closing a closed one again (a retry) changes nothing. */
export async function closeRequest(ctx: SignedInContext, requestId: string, reason: string | null) {
  const orgId = ctx.principal.orgId;
  await inTransaction(ctx, async (tx, emit) => {
    const request = await lockRequest(tx, orgId, requestId);
    if (!request) throw notFound('purchase_request');
    if (request.status === 'closed') return;
    assertMove(request.status, 'close');
    await setRequestStatus(tx, orgId, requestId, { status: 'closed', closedAt: new Date(), closedBy: ctx.principal.userId });
    await writeAudit(tx, ctx.actor, { action: 'purchaseRequest.closed', entityType: 'purchase_request', entityId: requestId, before: { status: request.status }, after: { status: 'closed', reason } });
    await emit([{ type: 'purchaseRequest.closed', orgId, aggregateId: requestId, payload: { requestId, storeId: request.storeId, previousStatus: request.status } }]);
  });
  return getVisibleRequest(ctx, requestId);
}

export { inboxSorts } from './queries';
