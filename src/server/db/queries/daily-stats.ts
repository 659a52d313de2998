import { sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { storeDailyStats } from '../schema';

export type DailyStatsDelta = Partial<{
  requestsCreated: number;
  requestsValue: number;
  itemsApproved: number;
  itemsRejected: number;
  inventoriesFinalized: number;
  varianceValue: number;
}>;

/** Adds to a store's counters for the day (São Paulo calendar day) of `at`, in the caller's transaction. */
export async function addDailyStats(tx: Executor, orgId: string, storeId: string, at: Date, delta: DailyStatsDelta) {
  const day = sql`(${at.toISOString()}::timestamptz at time zone 'America/Sao_Paulo')::date`;
  const v = {
    requestsCreated: delta.requestsCreated ?? 0,
    requestsValue: delta.requestsValue ?? 0,
    itemsApproved: delta.itemsApproved ?? 0,
    itemsRejected: delta.itemsRejected ?? 0,
    inventoriesFinalized: delta.inventoriesFinalized ?? 0,
    varianceValue: delta.varianceValue ?? 0,
  };
  await tx
    .insert(storeDailyStats)
    .values({ orgId, storeId, day: day as unknown as string, ...v })
    .onConflictDoUpdate({
      target: [storeDailyStats.storeId, storeDailyStats.day],
      set: {
        requestsCreated: sql`${storeDailyStats.requestsCreated} + ${v.requestsCreated}`,
        requestsValue: sql`${storeDailyStats.requestsValue} + ${v.requestsValue}`,
        itemsApproved: sql`${storeDailyStats.itemsApproved} + ${v.itemsApproved}`,
        itemsRejected: sql`${storeDailyStats.itemsRejected} + ${v.itemsRejected}`,
        inventoriesFinalized: sql`${storeDailyStats.inventoriesFinalized} + ${v.inventoriesFinalized}`,
        varianceValue: sql`${storeDailyStats.varianceValue} + ${v.varianceValue}`,
      },
    });
}
