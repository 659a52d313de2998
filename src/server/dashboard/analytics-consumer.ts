import { addDailyStats, type DailyStatsDelta } from '~/server/dashboard/daily-stats-queries';
import type { Consumer, StoredEvent } from '../events/consumer';

/** What the event adds to its store's day, and the store. */
function delta(event: StoredEvent): { storeId: string; delta: DailyStatsDelta } | null {
  switch (event.type) {
    case 'purchaseRequest.created':
      return { storeId: event.payload.storeId, delta: { requestsCreated: 1, requestsValue: event.payload.totalValue } };
    case 'purchaseRequest.itemDecided':
      return { storeId: event.payload.storeId, delta: event.payload.decision === 'approved' ? { itemsApproved: 1 } : { itemsRejected: 1 } };
    case 'inventory.finalized':
      return { storeId: event.payload.storeId, delta: { inventoriesFinalized: 1, varianceValue: event.payload.varianceValue } };
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
    if (!d || !event.orgId) return;
    await addDailyStats(tx, event.orgId, d.storeId, event.createdAt, d.delta);
  },
};
