import { isStorableCountQuantity } from '~/lib/count-quantity';
import { storeOfCaller } from '../accounts/stores';
import type { SignedInContext } from '../domain/context';
import { isManager, seesStore } from '../domain/principal';
import { inTransaction } from '../domain/transaction';
import { AppError, notFound } from '../errors';
import { applyMovements } from '../stock/queries';
import {
  arrivedPerProduct,
  entriesElsewhere,
  fillRequestItems,
  findReceipt,
  insertEntries,
  insertReceipt,
  itemsToReceive,
  lockStoreReceiving,
  markClosed,
  openReceipts,
  receiptLines,
  type ReceiptRow,
} from './queries';

/**
 * Receiving on the tablet: approved request items are "to receive" at their store; a clerk opens a receipt (one
 * delivery), sends its scans (ids made on the device: a resent batch adds nothing) and closes it. Closing writes the
 * `receipt` movements of the stock ledger and fills the request items, oldest request first; a partial delivery
 * leaves the rest to receive, more than the requests expect needs a manager, an unknown code stays aside.
 */

async function visibleReceipt(ctx: SignedInContext, id: string, lock = false, tx = ctx.db): Promise<ReceiptRow> {
  const receipt = await findReceipt(tx, ctx.principal.orgId, id, { lock });
  if (!receipt || !seesStore(ctx.principal, receipt.storeId)) throw notFound('receipt', { field: 'id' });
  return receipt;
}

const RECEIVE_LIST_LIMIT = 500;

export async function toReceive(ctx: SignedInContext, storeId: string) {
  await storeOfCaller(ctx, storeId);
  const [items, receipts] = await Promise.all([itemsToReceive(ctx.db, ctx.principal.orgId, storeId, RECEIVE_LIST_LIMIT), openReceipts(ctx.db, ctx.principal.orgId, storeId)]);
  return { items, openReceipts: receipts };
}

/** Opens a receipt with the tablet's id; opening it again answers the same receipt. */
export async function openReceipt(ctx: SignedInContext, input: { id: string; storeId: string; note?: string | null }) {
  await storeOfCaller(ctx, input.storeId);
  await insertReceipt(ctx.db, { id: input.id, orgId: ctx.principal.orgId, storeId: input.storeId, note: input.note ?? null, openedBy: ctx.principal.userId });
  const receipt = await findReceipt(ctx.db, ctx.principal.orgId, input.id);
  if (!receipt || receipt.storeId !== input.storeId) throw new AppError('CONFLICT', 'receipt_id_taken', 'This receipt id is already used; make a new id for a new delivery', { field: 'id' });
  return receiptDetail(ctx, receipt.id);
}

export async function receiptDetail(ctx: SignedInContext, id: string) {
  const receipt = await visibleReceipt(ctx, id);
  const lines = await receiptLines(ctx.db, receipt);
  return { receipt, lines, needsManager: lines.some((l) => l.excess > 0), unknownEans: lines.filter((l) => l.productId === null).map((l) => l.ean) };
}

type EntryInput = { id: string; ean: string; quantity: number };

/**
 * A batch of scans for an open receipt, answered entry by entry: `stored` (new or already there, so a resend is
 * acknowledged) or `refused` with the reason (a scan id of another receipt, a bad quantity). Nothing of a refused
 * entry is stored; the others are.
 */
export async function syncReceiptEntries(ctx: SignedInContext, input: { receiptId: string; entries: EntryInput[] }) {
  const receipt = await visibleReceipt(ctx, input.receiptId);
  if (receipt.status !== 'open') throw new AppError('PRECONDITION_FAILED', 'receipt_closed', 'This receipt is no longer open: start a new one for what is left', { status: receipt.status });
  const elsewhere = await entriesElsewhere(ctx.db, receipt.id, input.entries.map((e) => e.id));
  const results = input.entries.map((e) => {
    if (elsewhere.has(e.id)) return { id: e.id, status: 'refused' as const, reason: 'entry_of_another_receipt' };
    if (e.quantity === 0 || !isStorableCountQuantity(e.quantity)) {
      return { id: e.id, status: 'refused' as const, reason: 'invalid_quantity' };
    }
    return { id: e.id, status: 'stored' as const, reason: null };
  });
  const accepted = input.entries.filter((_, i) => results[i]!.status === 'stored');
  await inTransaction(ctx, async (tx) => {
    // Under the receipt's lock: a close running now either sees these scans or they are refused as late.
    const locked = await visibleReceipt(ctx, receipt.id, true, tx);
    if (locked.status !== 'open') throw new AppError('PRECONDITION_FAILED', 'receipt_closed', 'This receipt is no longer open: start a new one for what is left', { status: locked.status });
    await insertEntries(tx, { orgId: ctx.principal.orgId, receiptId: receipt.id, scannedBy: ctx.principal.userId }, accepted);
  });
  return { receiptId: receipt.id, results };
}

/**
 * Closes the receipt in one transaction: the store's request items filled, the `receipt` movements written, the
 * receipt closed, `stock.received` emitted. More than the requests expect is refused (PRECONDITION_FAILED
 * `excess_needs_manager`, with the lines) unless a manager or admin closes with `acceptExcess`. Closing a closed
 * receipt answers it again.
 */
export async function closeReceipt(ctx: SignedInContext, input: { id: string; acceptExcess?: boolean }) {
  const orgId = ctx.principal.orgId;
  await inTransaction(ctx, async (tx, emit) => {
    const receipt = await visibleReceipt(ctx, input.id, true, tx);
    if (receipt.status === 'closed') return;
    if (receipt.status === 'cancelled') throw new AppError('CONFLICT', 'receipt_cancelled', 'This receipt was cancelled');
    await lockStoreReceiving(tx, receipt.storeId);
    const lines = await receiptLines(tx, receipt);
    const excess = lines.filter((l) => l.excess > 0);
    if (excess.length > 0 && !(input.acceptExcess && isManager(ctx.principal))) {
      throw new AppError(
        'PRECONDITION_FAILED',
        'excess_needs_manager',
        `${excess.length} product(s) arrived beyond what the store's requests expect: a manager must accept the excess (acceptExcess)`,
        { lines: excess.map((l) => ({ ean: l.ean, name: l.name, received: l.received, expected: l.expected, excess: l.excess })) },
      );
    }
    const filled = await fillRequestItems(tx, receipt);
    const arrived = await arrivedPerProduct(tx, receipt.id);
    await applyMovements(tx, {
      orgId,
      storeId: receipt.storeId,
      operationId: receipt.id,
      userId: ctx.principal.userId,
      referenceType: 'receipt',
      referenceId: receipt.id,
      movements: arrived.map((a) => ({ ...a, kind: 'receipt' as const })),
    });
    await markClosed(tx, receipt.id, ctx.principal.userId);
    await emit([
      {
        type: 'stock.received',
        orgId,
        aggregateId: receipt.id,
        payload: {
          receiptId: receipt.id,
          storeId: receipt.storeId,
          products: arrived.length,
          items: filled,
          excess: excess.map((l) => ({ productId: l.productId!, quantity: l.excess })),
          unknownEans: lines.filter((l) => l.productId === null && l.received > 0).map((l) => l.ean),
        },
      },
    ]);
  });
  return receiptDetail(ctx, input.id);
}
