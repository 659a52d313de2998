import { addDailyStats, type DailyStatsDelta } from '~/server/db/queries/daily-stats';
import type { Consumer, StoredEvent } from './types';

function delta(event: StoredEvent): DailyStatsDelta | null {
  const p = event.payload;
  switch (event.type) {
    case 'purchaseRequest.created':
      return { requestsCreated: 1, requestsValue: Number(p.totalValue) };
    case 'purchaseRequest.itemDecided':
      return p.decision === 'approved' ? { itemsApproved: 1 } : { itemsRejected: 1 };
    case 'inventory.finalized':
      return { inventoriesFinalized: 1, varianceValue: Number(p.varianceValue) };
    default:
      return null;
  }
}

/**
 * Keeps store_daily_stats (the dashboard's charts) from the events, on the day each event happened. Counters
 * only add up, so the order events arrive in does not matter; the processed mark makes each count once.
 */
export const analyticsConsumer: Consumer = {
  name: 'analytics',
  handles: (type) => type === 'purchaseRequest.created' || type === 'purchaseRequest.itemDecided' || type === 'inventory.finalized',
  async apply(tx, event) {
    const d = delta(event);
    if (!d || !event.orgId || typeof event.payload.storeId !== 'string') return;
    await addDailyStats(tx, event.orgId, event.payload.storeId, event.createdAt, d);
  },
};
