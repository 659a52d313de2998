import { parseScan, type ScaleBarcodeLayout } from '~/lib/scale-barcode';
import { isStorableCountQuantity } from '~/lib/count-quantity';
import { writeAudit } from '../audit/audit';
import { countDeviceEntries, findEntrySessions, insertCountEntries, recordDeviceSync, type NewCountEntry } from './queries/entries';
import { productsForScans, resolveScanCode, type ScanProducts } from './scan-codes';
import { findFirstCountLines } from './queries/recounts';
import { findSessionForAccess } from './queries/sessions';
import { AppError, notFound } from '../errors';
import type { SignedInContext } from '../domain/context';
import { inTransaction } from '../domain/transaction';
import { settleAll } from '../db/pipeline';
import { isManager } from './access';
import { proveDevice } from './devices';
import { progressed } from './sessions';

export type SyncEntryInput = {
  id: string;
  ean: string;
  /** Units counted (negative: a correction). For a scale label: labels (1 per scan); the server turns it into kg. */
  quantity: number;
  zone: string;
  countedAt: Date;
  seq: number;
  /** The entry this one replaces (a correction that supersedes it). */
  replaces?: string | null;
  /** Part of a recount: once a line has recount entries, only they count. */
  recount?: boolean;
};

/** `deviceSecret`: made once by the tablet; `deviceId` is derived from it, so it proves the tablet is that device. */
export type SyncInput = { sessionId: string; deviceId: string; deviceSecret: string; pendingCount: number; entries: SyncEntryInput[] };

export const syncRejectReasons = {
  invalid_barcode: 'not a barcode (8, 12, 13 or 14 digits)',
  invalid_check_digit: 'wrong check digit: scan the code again',
  zero_quantity: 'quantity is zero (only a replacing entry may be zero, to void the entry it replaces)',
  invalid_quantity: 'quantity must be between -1,000,000 and 1,000,000 with at most 3 decimals',
  replaces_itself: 'an entry cannot replace itself',
  replaces_other_session: 'the replaced entry belongs to another inventory session',
  already_replaced: 'the replaced entry was already replaced by another correction; correct that one instead',
  id_conflict: 'this entry id is used by an entry of another session; the device must generate a new id',
  no_unit_price: 'price label of a product without a reference price: its quantity cannot be computed',
  recount_by_first_counter: 'you counted this product in the first count: its recount must be made by another clerk',
} as const;
export type SyncRejectReason = keyof typeof syncRejectReasons;

export type SyncResult = {
  storeId: string;
  /** Every entry of the batch the server now holds (newly stored or stored before): the device marks these synced. */
  accepted: string[];
  /** The accepted entries that were already stored (a retried batch): acknowledged, not added again. */
  duplicates: string[];
  /** Entries stored by this call whose EAN matched no product: kept, and resolved in review (or once the product exists). */
  unmatched: { id: string; ean: string }[];
  /** Not stored, with the reason (the device keeps them and shows why). */
  rejected: { id: string; reason: SyncRejectReason; message: string }[];
  /** Entries of this session from this device on the server: the device's "all synced" receipt. */
  serverCount: number;
  lastSeq: number;
  syncedAt: Date;
};

/** `line`: the EAN of the review line the entry counts for (the product's; an unmatched code's own). */
type Resolved = { entry: NewCountEntry; line: string } | { reject: SyncRejectReason };

/** Checks an entry and resolves its code (`./scan-codes`): product, stored quantity, review line. */
function resolveEntry(e: SyncEntryInput, layout: ScaleBarcodeLayout | null, products: ScanProducts): Resolved {
  const code = parseScan(e.ean, layout);
  if (!code.ok) return { reject: code.reason };
  if (!isStorableCountQuantity(e.quantity)) return { reject: 'invalid_quantity' };
  if (e.quantity === 0 && !e.replaces) return { reject: 'zero_quantity' };
  if (e.replaces === e.id) return { reject: 'replaces_itself' };
  const resolved = resolveScanCode(e.ean, e.quantity, layout, products);
  if ('reject' in resolved) return resolved;
  const entry = { id: e.id, ean: resolved.ean, zone: e.zone, seq: e.seq, replaces: e.replaces ?? null, recount: e.recount ?? false, countedAt: e.countedAt, productId: resolved.productId, quantity: resolved.quantity };
  return { entry, line: resolved.line };
}

const reject = (id: string, reason: SyncRejectReason) => ({ id, reason, message: syncRejectReasons[reason] });

/**
 * Applies a device's batch in one transaction, idempotently: an entry whose id is stored is acknowledged, never
 * added twice (also when the same batch arrives twice at once); unknown EANs are stored unmatched; per-entry
 * problems are answered per entry. A session that is no longer open refuses the batch, except a pure replay of
 * entries it already holds.
 */
export async function syncEntries(ctx: SignedInContext, input: SyncInput): Promise<SyncResult> {
  const started = performance.now();
  const result = await applyBatch(ctx, input);
  const { metrics } = ctx.services;
  metrics.syncBatches.inc();
  metrics.syncDuration.observe((performance.now() - started) / 1000);
  metrics.syncEntries.inc({ result: 'accepted' }, result.accepted.length - result.duplicates.length);
  metrics.syncEntries.inc({ result: 'duplicate' }, result.duplicates.length);
  metrics.syncEntries.inc({ result: 'rejected' }, result.rejected.length);
  return result;
}

async function applyBatch(ctx: SignedInContext, input: SyncInput): Promise<SyncResult> {
  const orgId = ctx.principal.orgId;
  const entries = [...new Map(input.entries.map((e) => [e.id, e])).values()];
  const ids = entries.map((e) => e.id);
  // Hashed before the transaction (off the event loop, in libuv's pool): its connection is not held meanwhile.
  const proof = proveDevice(input.deviceId, input.deviceSecret);
  proof.catch(() => {}); // answered in its turn below, after the session's checks

  return inTransaction(ctx, async (tx, emit) => {
    // A share lock: syncs run side by side; finalize (FOR UPDATE) waits for the ones in flight and vice versa.
    const session = await findSessionForAccess(tx, orgId, input.sessionId, ctx.principal.userId, 'share');
    if (!session) throw notFound('inventory_session');
    if (!isManager(ctx.principal) && !session.assigned) {
      throw new AppError('FORBIDDEN', 'not_assigned', 'You are not assigned to this inventory; ask the manager to assign you');
    }
    await proof;
    // Sent together (one round trip): which ids are stored, and the products of every code of the batch.
    const [stored, products] = await settleAll([findEntrySessions(tx, ids), productsForScans(tx, orgId, entries.map((e) => e.ean), session.scaleBarcode)]);
    const storedHere = ids.filter((id) => stored.get(id) === session.id);

    if (session.status !== 'open') {
      if (storedHere.length === ids.length && ids.length > 0) {
        return { storeId: session.storeId, accepted: ids, duplicates: ids, unmatched: [], rejected: [], serverCount: await countDeviceEntries(tx, session.id, input.deviceId), lastSeq: 0, syncedAt: new Date() };
      }
      throw new AppError('PRECONDITION_FAILED', 'session_closed', `This inventory session is ${session.status}: it takes no more counts. Show the manager the entries left on this device.`, {
        status: session.status,
        acknowledged: storedHere,
      });
    }

    const rejected: SyncResult['rejected'] = [];
    const fresh: SyncEntryInput[] = [];
    for (const e of entries) {
      const where = stored.get(e.id);
      if (where === undefined) fresh.push(e);
      else if (where !== session.id) rejected.push(reject(e.id, 'id_conflict'));
    }

    const resolvedEntries: { entry: NewCountEntry; line: string }[] = [];
    for (const e of fresh) {
      const resolved = resolveEntry(e, session.scaleBarcode, products);
      if ('reject' in resolved) rejected.push(reject(e.id, resolved.reject));
      else resolvedEntries.push(resolved);
    }

    // A recount is made by someone who did not count the line the first time (stored, or earlier in this batch).
    const recountLines = [...new Set(resolvedEntries.filter((r) => r.entry.recount).map((r) => r.line))];
    const firstCounted = await findFirstCountLines(tx, session.id, ctx.principal.userId, recountLines);
    for (const r of resolvedEntries) if (!r.entry.recount) firstCounted.add(r.line);
    const toInsert: NewCountEntry[] = [];
    for (const r of resolvedEntries) {
      if (r.entry.recount && firstCounted.has(r.line)) rejected.push(reject(r.entry.id, 'recount_by_first_counter'));
      else toInsert.push(r.entry);
    }

    // A correction may point at an entry not synced yet (it then counts once that arrives), not at another session's.
    const targets = [...new Set(toInsert.flatMap((e) => (e.replaces && !stored.has(e.replaces) ? [e.replaces] : [])))];
    const targetSessions = await findEntrySessions(tx, targets);
    const valid = toInsert.filter((e) => {
      const target = e.replaces ? (stored.get(e.replaces) ?? targetSessions.get(e.replaces)) : undefined;
      if (target !== undefined && target !== session.id) {
        rejected.push(reject(e.id, 'replaces_other_session'));
        return false;
      }
      return true;
    });

    const inserted = await insertCountEntries(tx, { orgId, sessionId: session.id, countedBy: ctx.principal.userId, deviceId: input.deviceId }, valid);
    // Not inserted: stored meanwhile by a concurrent copy of this batch, or its `replaces` target already replaced.
    const skipped = valid.filter((e) => !inserted.has(e.id));
    const skippedStored = await findEntrySessions(tx, skipped.map((e) => e.id));
    const lateDuplicates: string[] = [];
    for (const e of skipped) {
      const where = skippedStored.get(e.id);
      if (where === session.id) lateDuplicates.push(e.id);
      else rejected.push(reject(e.id, where === undefined ? 'already_replaced' : 'id_conflict'));
    }

    const duplicates = [...storedHere, ...lateDuplicates];
    const accepted = [...valid.filter((e) => inserted.has(e.id)).map((e) => e.id), ...duplicates];
    const unmatched = valid.filter((e) => e.productId === null && inserted.has(e.id)).map((e) => ({ id: e.id, ean: e.ean }));
    const seqs = input.entries.map((e) => e.seq);
    // The device's receipt, the audit row and the progress event: independent, sent together.
    const [device] = await settleAll([
      recordDeviceSync(tx, {
        sessionId: session.id,
        deviceId: input.deviceId,
        userId: ctx.principal.userId,
        pendingCount: input.pendingCount,
        batchMaxSeq: seqs.length ? Math.max(...seqs) : null,
      }),
      inserted.size > 0 || rejected.length > 0
        ? writeAudit(tx, ctx.actor, {
            action: 'inventory.synced',
            entityType: 'inventory_session',
            entityId: session.id,
            after: { deviceId: input.deviceId, stored: inserted.size, duplicates: duplicates.length, unmatched: unmatched.length, rejected: rejected.length, pendingCount: input.pendingCount },
          })
        : null,
      emit([progressed(session)]),
    ]);
    return {
      storeId: session.storeId,
      accepted,
      duplicates,
      unmatched,
      rejected,
      serverCount: device.serverCount,
      lastSeq: device.lastSeq,
      syncedAt: device.lastSyncAt,
    };
  });
}
