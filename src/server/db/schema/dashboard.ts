import { index, integer, numeric, pgMaterializedView, pgTable, primaryKey, real, text, uuid } from 'drizzle-orm/pg-core';
import { money, orgId } from './_columns';

/**
 * Count and value of purchase requests per store and status, kept exact by a trigger on purchase_requests
 * (migration 0001), so the dashboard reads a few rows per store instead of scanning the history.
 */
export const requestStatusTotals = pgTable(
  'request_status_totals',
  {
    orgId: orgId(),
    storeId: uuid().notNull(),
    status: text().notNull(),
    requestCount: integer().notNull().default(0),
    totalValue: money().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.status] }), index('request_status_totals_org_idx').on(t.orgId)],
);

/**
 * Items waiting for each buyer (pending items of pending requests), per store: kept exact by triggers on
 * purchase_requests and purchase_request_items (migration 0002), so "pending approvals per buyer" costs a few rows
 * whatever the history size.
 */
export const pendingApprovals = pgTable(
  'pending_approvals',
  {
    orgId: orgId(),
    storeId: uuid().notNull(),
    buyerId: uuid().notNull(),
    items: integer().notNull().default(0),
    /** Unrounded sum of quantity × unit price, so adding and subtracting never drifts. */
    value: numeric({ mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.buyerId] }), index('pending_approvals_org_idx').on(t.orgId)],
);

/**
 * Approval rate per buyer over every decided item: history-sized, so a materialized view refreshed on a
 * schedule (REFRESH … CONCURRENTLY, see src/server/dashboard/refresh.ts). Defined in migration 0001.
 */
export const buyerApprovalStats = pgMaterializedView('mv_buyer_approval_stats', {
  orgId: uuid().notNull(),
  buyerId: uuid().notNull(),
  decidedItems: integer().notNull(),
  approvedItems: integer().notNull(),
  rejectedItems: integer().notNull(),
  approvedValue: money().notNull(),
  approvalRate: real().notNull(),
}).existing();
