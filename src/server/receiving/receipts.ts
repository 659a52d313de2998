import { isStorableCountQuantity } from '~/lib/count-quantity';
import { storeOfCaller } from '../accounts/stores';
import type { SignedInContext } from '../domain/context';
import { isManager, seesStore } from '../domain/principal';
import { inTransaction } from '../domain/transaction';
import { AppError, notFound } from '../errors';
import { applyMovements } from '../stock/queries';
import {
  arrivedPerProduct,
  closedReceipts,
  countEntries,
  entryReceipts,
  fillRequestItems,
  findReceipt,
  insertEntries,
  insertReceipt,
  itemsToReceive,
  lockStoreReceiving,
  markClosed,
  openReceipts,
  pendingReceiptDevices,
  productBuyers,
  receiptLines,
  recordReceiptDevice,
  type NewReceiptEntry,
  type ReceiptRow,
} from './queries';
import type { Executor } from '../db/client';
import { decodeCursor, toPage } from '../db/cursor';
import { productsForScans, resolveScanCode } from '../inventory/scan-codes';

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

/**
 * What a store waits for: the oldest RECEIVE_LIST_LIMIT open items to list (`total`: how many there are), what every
 * open item adds up to per EAN (`expected`: what the tablet checks each scan against, however long the list), and
 * the deliveries open.
 */
export async function toReceive(ctx: SignedInContext, storeId: string) {
  await storeOfCaller(ctx, storeId);
  const [waiting, receipts] = await Promise.all([itemsToReceive(ctx.db, ctx.principal.orgId, storeId, RECEIVE_LIST_LIMIT), openReceipts(ctx.db, ctx.principal.orgId, storeId)]);
  return { ...waiting, openReceipts: receipts };
}

/** Opens a receipt with the tablet's id; opening it again answers the same receipt. */
export async function openReceipt(ctx: SignedInContext, input: { id: string; storeId: string; note?: string | null }) {
  await storeOfCaller(ctx, input.storeId);
  await inTransaction(ctx, async (tx, emit) => {
    const inserted = await insertReceipt(tx, { id: input.id, orgId: ctx.principal.orgId, storeId: input.storeId, note: input.note ?? null, openedBy: ctx.principal.userId });
    if (inserted) await emit([{ type: 'receiving.opened', orgId: ctx.principal.orgId, aggregateId: input.id, payload: { receiptId: input.id, storeId: input.storeId } }]);
  });
  const receipt = await findReceipt(ctx.db, ctx.principal.orgId, input.id);
  if (!receipt || receipt.storeId !== input.storeId) throw new AppError('CONFLICT', 'receipt_id_taken', 'This receipt id is already used; make a new id for a new delivery', { field: 'id' });
  return receiptDetail(ctx, receipt.id);
}

/** A store's closed deliveries, newest first, each with what its close found (the discrepancies). */
export async function closedReceiptsOf(ctx: SignedInContext, input: { storeId: string; cursor?: string | null; limit: number }) {
  await storeOfCaller(ctx, input.storeId);
  const after = decodeCursor<[string, string]>(input.cursor, ['time', 'uuid']);
  const rows = await closedReceipts(ctx.db, ctx.principal.orgId, input.storeId, { after, limit: input.limit });
  return toPage(rows, input.limit, (r) => [r.closedAt, r.id]);
}

export async function receiptDetail(ctx: SignedInContext, id: string) {
  const receipt = await visibleReceipt(ctx, id);
  const [lines, entryCount] = await Promise.all([receiptLines(ctx.db, receipt), countEntries(ctx.db, receipt.id)]);
  return { receipt, lines, entryCount, needsManager: lines.some((l) => l.excess > 0), unknownEans: lines.filter((l) => l.productId === null).map((l) => l.ean) };
}

type EntryInput = { id: string; ean: string; quantity: number; replaces?: string | null };

export const receiptEntryRefusals = {
  entry_of_another_receipt: 'this scan id belongs to another receipt; the device must make a new id',
  invalid_barcode: 'not a barcode (8, 12, 13 or 14 digits)',
  invalid_check_digit: 'wrong check digit: scan the code again',
  zero_quantity: 'quantity is zero (only a correction may be zero, to undo the scan it replaces)',
  invalid_quantity: 'quantity must be between -1,000,000 and 1,000,000 with at most 3 decimals',
  no_unit_price: 'price label of a product without a reference price: its quantity cannot be computed',
  replaces_itself: 'a correction cannot replace itself',
  replaces_other_receipt: 'the corrected scan belongs to another receipt',
  already_replaced: 'that scan was already corrected; correct the last correction instead',
} as const;
export type ReceiptEntryRefusal = keyof typeof receiptEntryRefusals;

const refuse = (id: string, reason: ReceiptEntryRefusal) => ({ id, reason, message: receiptEntryRefusals[reason] });

const receiptClosed = (status: string, acknowledged: string[]) =>
  new AppError('PRECONDITION_FAILED', 'receipt_closed', 'This receipt is no longer open: start a new one for what is left', { status, acknowledged });

/**
 * A batch of scans for an open receipt, answered entry by entry, in the shape the tablet's sync engine reads for
 * counting (`~/offline/sync`): `accepted` (new or already stored, so a resend is acknowledged and adds nothing) or
 * `rejected` with the reason. Codes resolve as in counting (a scale label to its product and weight). Once the
 * receipt is closed a batch is refused with `receipt_closed`, saying which of its scans the receipt had taken.
 */
export async function syncReceiptEntries(ctx: SignedInContext, input: { receiptId: string; entries: EntryInput[]; deviceId?: string | null; pendingCount?: number | null }) {
  const entries = [...new Map(input.entries.map((e) => [e.id, e])).values()];
  const ids = entries.map((e) => e.id);
  return inTransaction(ctx, async (tx) => {
    // Under the receipt's lock: a close running now either sees these scans or they are refused as late.
    const receipt = await visibleReceipt(ctx, input.receiptId, true, tx);
    const stored = await entryReceipts(tx, ctx.principal.orgId, ids);
    const storedHere = ids.filter((id) => stored.get(id) === receipt.id);
    if (receipt.status !== 'open') {
      if (ids.length > 0 && storedHere.length === ids.length) return syncAnswer(tx, receipt.id, storedHere, []);
      throw receiptClosed(receipt.status, storedHere);
    }
    const rejected: ReturnType<typeof refuse>[] = [];
    const fresh = entries.filter((e) => {
      const where = stored.get(e.id);
      if (where !== undefined && where !== receipt.id) rejected.push(refuse(e.id, 'entry_of_another_receipt'));
      return where === undefined;
    });
    const products = await productsForScans(tx, ctx.principal.orgId, fresh.map((e) => e.ean), receipt.scaleBarcode);
    // A correction names a scan of this receipt: stored already, or in this batch.
    const targets = await entryReceipts(tx, ctx.principal.orgId, [...new Set(fresh.flatMap((e) => (e.replaces ? [e.replaces] : [])))]);
    // Only this batch's new scans: an id stored in another receipt is not a scan of this one.
    const inBatch = new Set(fresh.map((e) => e.id));
    const valid: NewReceiptEntry[] = [];
    for (const e of fresh) {
      if (!isStorableCountQuantity(e.quantity)) rejected.push(refuse(e.id, 'invalid_quantity'));
      else if (e.quantity === 0 && !e.replaces) rejected.push(refuse(e.id, 'zero_quantity'));
      else if (e.replaces === e.id) rejected.push(refuse(e.id, 'replaces_itself'));
      else if (e.replaces && !inBatch.has(e.replaces) && targets.get(e.replaces) !== receipt.id) rejected.push(refuse(e.id, 'replaces_other_receipt'));
      else {
        const code = resolveScanCode(e.ean, e.quantity, receipt.scaleBarcode, products);
        if ('reject' in code) rejected.push(refuse(e.id, code.reject));
        else valid.push({ id: e.id, ean: code.ean, productId: code.productId, quantity: code.quantity, replaces: e.replaces ?? null });
      }
    }
    const inserted = await insertEntries(tx, { orgId: ctx.principal.orgId, receiptId: receipt.id, scannedBy: ctx.principal.userId }, valid);
    // Not inserted: stored meanwhile by a concurrent copy of this batch, or its target already corrected.
    const skipped = valid.filter((e) => !inserted.has(e.id));
    const late = await entryReceipts(tx, ctx.principal.orgId, skipped.map((e) => e.id));
    const accepted = [...storedHere, ...valid.filter((e) => inserted.has(e.id)).map((e) => e.id)];
    for (const e of skipped) {
      if (late.get(e.id) === receipt.id) accepted.push(e.id);
      else rejected.push(refuse(e.id, late.has(e.id) ? 'entry_of_another_receipt' : 'already_replaced'));
    }
    // What the tablet still holds after this batch: a close waits for it (closeReceipt).
    if (input.deviceId) await recordReceiptDevice(tx, { receiptId: receipt.id, deviceId: input.deviceId, userId: ctx.principal.userId, pendingCount: input.pendingCount ?? 0 });
    return syncAnswer(tx, receipt.id, accepted, rejected);
  });
}

async function syncAnswer(tx: Executor, receiptId: string, accepted: string[], rejected: { id: string; reason: ReceiptEntryRefusal; message: string }[]) {
  return { receiptId, accepted, rejected, serverCount: await countEntries(tx, receiptId), syncedAt: new Date() };
}

/**
 * Closes the receipt in one transaction: the store's request items filled, the `receipt` movements written, the
 * receipt closed, `stock.received` emitted. More than the requests expect is refused (PRECONDITION_FAILED
 * `excess_needs_manager`, with the lines) unless a manager or admin closes with `acceptExcess`. `entryCount`, the
 * scans the closer's screen showed, refuses a close that more scans reached meanwhile (CONFLICT `receipt_changed`).
 * A tablet that last said it still holds scans holds the close back (PRECONDITION_FAILED `receipt_devices_pending`)
 * unless a manager closes `withoutPending`. Closing a closed receipt answers it again.
 */
export async function closeReceipt(ctx: SignedInContext, input: { id: string; acceptExcess?: boolean; entryCount?: number; withoutPending?: boolean }) {
  const orgId = ctx.principal.orgId;
  await inTransaction(ctx, async (tx, emit) => {
    const receipt = await visibleReceipt(ctx, input.id, true, tx);
    if (receipt.status === 'closed') return;
    if (receipt.status === 'cancelled') throw new AppError('CONFLICT', 'receipt_cancelled', 'This receipt was cancelled');
    // Another tablet still holds scans of this delivery (offline): they would come too late. A manager may close
    // without them (they are then refused on arrival, and the tablet says so).
    const pending = await pendingReceiptDevices(tx, receipt.id);
    if (pending.length > 0 && !(input.withoutPending && isManager(ctx.principal))) {
      const total = pending.reduce((sum, d) => sum + d.pendingCount, 0);
      throw new AppError('PRECONDITION_FAILED', 'receipt_devices_pending', `${pending.length} tablet(s) still hold ${total} unsent scan(s) of this delivery: sync them, or a manager closes without them`, {
        devices: pending,
        total,
      });
    }
    // The closer decided on the lines as they were: scans that arrived since (another tablet) are looked at first.
    if (input.entryCount !== undefined && input.entryCount !== (await countEntries(tx, receipt.id))) {
      throw new AppError('CONFLICT', 'receipt_changed', 'New scans reached this receipt since you looked at it: check its lines again, then close');
    }
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
    const buyers = await productBuyers(tx, excess.map((l) => l.productId!));
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
    const unknownCodes = lines.filter((l) => l.productId === null && l.received > 0).length;
    await markClosed(tx, receipt.id, ctx.principal.userId, {
      products: arrived.length,
      excessProducts: excess.length,
      unknownCodes,
      partialItems: filled.filter((i) => i.received < i.approved).length,
    });
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
          excess: excess.map((l) => ({ productId: l.productId!, quantity: l.excess, buyerId: buyers.get(l.productId!) ?? null })),
          unknownEans: lines.filter((l) => l.productId === null && l.received > 0).map((l) => l.ean),
        },
      },
    ]);
  });
  return receiptDetail(ctx, input.id);
}
