import { writeAudit } from '../audit/audit';
import { findPendingDevices } from './queries/entries';
import { countAdjustments, totalsSummary, writeTotals, type UncountedFigures } from './queries/lines';
import { applyMovements } from '../stock/queries';
import { findSessionDetail, setSessionStatus, type SessionDetail } from './queries/sessions';
import type { SignedInContext } from '../domain/context';
import type { UncountedResolution } from '../db/schema';
import { AppError } from '../errors';
import { inTransaction } from '../domain/transaction';
import { visibleSession } from './access';

export type FinalizeResult = {
  session: SessionDetail;
  /** Lines written to the totals. */
  lines: number;
  /** Sum of the lines' variance values (negative: stock missing). */
  varianceValue: number;
  /** Devices that still had entries when the manager forced it (empty otherwise). */
  forcedPastDevices: { deviceId: string; userName: string; pendingCount: number }[];
  /** True when the session had already been finalized (a retried call): nothing was written. */
  alreadyFinalized: boolean;
};

export type FinalizeInput = {
  sessionId: string;
  force?: boolean;
  /** What becomes of the lines nobody counted that expected stock; required when there are any. */
  uncounted?: UncountedResolution;
  /** With `zeroed`: the number of those lines, as the manager read it in the review (typed back). */
  confirmUncountedLines?: number;
};

/**
 * Closes the count in one transaction: totals in one set-based statement, each line's variance as a
 * `count_adjustment` movement of the stock ledger (the balance becomes the counted quantity) in another, the session marked finalized, `inventory.finalized`, the day's stats and the audit row. It locks
 * only this session's row, so sessions of different stores finalize side by side. Refused while a device still
 * reports unsynced entries, unless forced; finalizing a finalized session returns it.
 *
 * Lines nobody counted that expected stock are never zeroed silently: without a choice (`uncounted`) the finalize
 * is refused with their number and value (uncounted_lines), and zeroing them needs that number typed back, so a
 * count that grew or shrank since the manager read the review is refused too (uncounted_confirmation).
 */
export async function finalizeSession(ctx: SignedInContext, input: FinalizeInput): Promise<FinalizeResult> {
  const started = performance.now();
  const result = await finalizeOnce(ctx, input);
  ctx.services.metrics.finalizeDuration.observe((performance.now() - started) / 1000);
  return result;
}

async function finalizeOnce(ctx: SignedInContext, input: FinalizeInput): Promise<FinalizeResult> {
  const orgId = ctx.principal.orgId;
  const outcome = await inTransaction(ctx, async (tx, emit) => {
    const session = await visibleSession(ctx, input.sessionId, { tx, lock: 'update' });
    if (session.status === 'finalized') return { ...(await totalsSummary(tx, session.id)), forcedPastDevices: [], alreadyFinalized: true };
    if (session.status === 'cancelled') throw new AppError('CONFLICT', 'session_cancelled', 'This inventory session was cancelled; open a new one to count again', { status: session.status });

    const pending = await findPendingDevices(tx, session.id);
    if (pending.length > 0 && !input.force) {
      const total = pending.reduce((sum, d) => sum + d.pendingCount, 0);
      throw new AppError(
        'PRECONDITION_FAILED',
        'devices_pending',
        `${pending.length} device(s) still hold ${total} unsynced count(s): ${pending.map((d) => `${d.userName} (${d.deviceId}): ${d.pendingCount}`).join('; ')}. Sync them, or force the finalize to leave those counts out.`,
        { devices: pending, total },
      );
    }

    const { lines, varianceValue, uncounted } = await writeTotals(tx, session, input.uncounted ?? null);
    assertUncountedDecided(uncounted, input);
    const stockRows = await applyMovements(tx, {
      orgId,
      storeId: session.storeId,
      operationId: session.id,
      userId: ctx.principal.userId,
      referenceType: 'inventory_session',
      referenceId: session.id,
      movements: (await countAdjustments(tx, session)).map((a) => ({ ...a, kind: 'count_adjustment' as const })),
    });
    const finalizedAt = new Date();
    await setSessionStatus(tx, orgId, session.id, { status: 'finalized', finalizedAt, finalizedBy: ctx.principal.userId });
    await emit([{ type: 'inventory.finalized', orgId, aggregateId: session.id, payload: { sessionId: session.id, storeId: session.storeId, lines, varianceValue } }]);
    const forcedPastDevices = pending.map((d) => ({ deviceId: d.deviceId, userName: d.userName, pendingCount: d.pendingCount }));
    await writeAudit(tx, ctx.actor, {
      action: 'inventory.finalized',
      entityType: 'inventory_session',
      entityId: session.id,
      before: { status: 'open' },
      after: { status: 'finalized', lines, varianceValue, stockRows, forcedPastDevices, uncounted: uncounted.lines > 0 ? { ...uncounted, resolution: input.uncounted } : null },
    });
    return { lines, varianceValue, forcedPastDevices, alreadyFinalized: false };
  });
  return { session: (await findSessionDetail(ctx.db, orgId, input.sessionId))!, ...outcome };
}

/** Throws (rolling back the totals just written) unless the manager's choice covers the unaccounted lines. */
function assertUncountedDecided(uncounted: UncountedFigures, input: FinalizeInput) {
  if (uncounted.lines === 0) return;
  const figures = `${uncounted.lines} line(s) were never counted and expect stock worth R$ ${uncounted.value.toFixed(2)}`;
  if (!input.uncounted) {
    throw new AppError(
      'PRECONDITION_FAILED',
      'uncounted_lines',
      `${figures}: set them to zero (uncounted: 'zeroed', confirmUncountedLines: ${uncounted.lines}), keep their expected quantity (uncounted: 'kept'), or have them counted first`,
      uncounted,
    );
  }
  if (input.uncounted === 'zeroed' && input.confirmUncountedLines !== uncounted.lines) {
    throw new AppError(
      'PRECONDITION_FAILED',
      'uncounted_confirmation',
      `${figures}, not ${input.confirmUncountedLines ?? 'the number confirmed'}: read the review again before setting them to zero`,
      { ...uncounted, confirmed: input.confirmUncountedLines ?? null },
    );
  }
}
