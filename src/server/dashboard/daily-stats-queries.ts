import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';

export type DailyStatsDelta = Partial<{
  requestsCreated: number;
  requestsValue: number;
  itemsApproved: number;
  itemsRejected: number;
  inventoriesFinalized: number;
  varianceValue: number;
}>;

/**
 * Adds to a store's counters for the day (São Paulo calendar day) of `at`, in the caller's transaction. Plain
 * SQL: it runs once per event on the workers' hot path.
 */
export async function addDailyStats(tx: Executor, orgId: string, storeId: string, at: Date, delta: DailyStatsDelta) {
  await tx.execute(sql`
    insert into store_daily_stats as s (org_id, store_id, day, requests_created, requests_value, items_approved, items_rejected, inventories_finalized, variance_value)
    values (${orgId}, ${storeId}, (${at.toISOString()}::timestamptz at time zone 'America/Sao_Paulo')::date,
      ${delta.requestsCreated ?? 0}, ${delta.requestsValue ?? 0}, ${delta.itemsApproved ?? 0}, ${delta.itemsRejected ?? 0}, ${delta.inventoriesFinalized ?? 0}, ${delta.varianceValue ?? 0})
    on conflict (store_id, day) do update set
      requests_created = s.requests_created + excluded.requests_created,
      requests_value = s.requests_value + excluded.requests_value,
      items_approved = s.items_approved + excluded.items_approved,
      items_rejected = s.items_rejected + excluded.items_rejected,
      inventories_finalized = s.inventories_finalized + excluded.inventories_finalized,
      variance_value = s.variance_value + excluded.variance_value`);
}
