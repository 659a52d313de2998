import { writeAudit } from '../audit/audit';
import { findPendingDevices } from './queries/entries';
import { totalsSummary, updateStockFromTotals, writeTotals } from './queries/lines';
import { findSessionDetail, setSessionStatus, type SessionDetail } from './queries/sessions';
import type { SignedInContext } from '../domain/context';
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

/**
 * Closes the count in one transaction: totals in one set-based statement, the store's stock from them in
 * another, the session marked finalized, `inventory.finalized`, the day's stats and the audit row. It locks
 * only this session's row, so sessions of different stores finalize side by side. Refused while a device still
 * reports unsynced entries, unless forced; finalizing a finalized session returns it.
 */
export async function finalizeSession(ctx: SignedInContext, input: { sessionId: string; force?: boolean }): Promise<FinalizeResult> {
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

    const { lines, varianceValue } = await writeTotals(tx, session);
    const stockRows = await updateStockFromTotals(tx, session);
    const finalizedAt = new Date();
    await setSessionStatus(tx, orgId, session.id, { status: 'finalized', finalizedAt, finalizedBy: ctx.principal.userId });
    await emit([{ type: 'inventory.finalized', orgId, aggregateId: session.id, payload: { sessionId: session.id, storeId: session.storeId, lines, varianceValue } }]);
    const forcedPastDevices = pending.map((d) => ({ deviceId: d.deviceId, userName: d.userName, pendingCount: d.pendingCount }));
    await writeAudit(tx, ctx.actor, {
      action: 'inventory.finalized',
      entityType: 'inventory_session',
      entityId: session.id,
      before: { status: 'open' },
      after: { status: 'finalized', lines, varianceValue, stockRows, forcedPastDevices },
    });
    return { lines, varianceValue, forcedPastDevices, alreadyFinalized: false };
  });
  return { session: (await findSessionDetail(ctx.db, orgId, input.sessionId))!, ...outcome };
}
