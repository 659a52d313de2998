import { sql } from 'drizzle-orm';
import type { Executor } from '../client';

export type DashboardAggregates = {
  stores: { storeId: string; storeName: string }[];
  requestsByStatus: { status: string; count: number; value: number }[];
  pendingByBuyer: { buyerId: string | null; buyerName: string | null; items: number; value: number }[];
  approvalByBuyer: { buyerId: string; buyerName: string; decided: number; approved: number; rejected: number; rate: number }[];
  inventories: { storeId: string; storeName: string; open: number; finalized: number; lastFinalizedAt: string | null; varianceValue: number }[];
  compliance: { storeId: string; storeName: string; open: number; completed: number; rate: number }[];
  daily: { day: string; requestsCreated: number; requestsValue: number; itemsApproved: number; itemsRejected: number }[];
  valueByStore: { storeId: string; storeName: string; value: number }[];
  queues: { deadLetters: number; notificationsPending: number; notificationsFailed: number };
};

/**
 * Every aggregate of the dashboard in ONE statement, whatever the data size: status totals from the
 * trigger-kept summary table, pending approvals from the partial index of pending items, approval rates from
 * the materialized view, charts from store_daily_stats (30 days), and per-store inventory and compliance.
 * `storeIds` null = the whole org.
 */
export async function loadDashboardAggregates(db: Executor, orgId: string, storeIds: string[] | null): Promise<DashboardAggregates> {
  const storeFilter = storeIds ? sql`and s.id = any(${`{${storeIds.join(',')}}`}::uuid[])` : sql``;
  const [row] = await db.execute<{ data: DashboardAggregates }>(sql`
    with scope as (
      select s.id, s.name from stores s where s.org_id = ${orgId} and s.active ${storeFilter}
    ),
    status_totals as (
      select t.status, sum(t.request_count)::int as count, sum(t.total_value)::float8 as value
      from request_status_totals t join scope on scope.id = t.store_id
      where t.org_id = ${orgId} and t.request_count > 0 and t.status <> 'draft'
      group by t.status
    ),
    pending_by_buyer as (
      select i.buyer_id, u.name as buyer_name, count(*)::int as items, sum(i.quantity * i.unit_price)::float8 as value
      from purchase_request_items i
      join purchase_requests r on r.id = i.request_id
      join scope on scope.id = r.store_id
      left join users u on u.id = i.buyer_id
      where i.org_id = ${orgId} and i.status = 'pending' and r.status = 'pending'
      group by i.buyer_id, u.name
    ),
    approval as (
      select b.buyer_id, u.name as buyer_name, b.decided_items, b.approved_items, b.rejected_items, b.approval_rate
      from mv_buyer_approval_stats b join users u on u.id = b.buyer_id
      where b.org_id = ${orgId}
    ),
    inventories as (
      select scope.id as store_id, scope.name as store_name,
        count(x.id) filter (where x.status = 'open')::int as open,
        count(x.id) filter (where x.status = 'finalized')::int as finalized,
        max(x.finalized_at) as last_finalized_at,
        coalesce((select sum(t.variance_value) from inventory_totals t where t.session_id = (
          select l.id from inventory_sessions l where l.store_id = scope.id and l.status = 'finalized' order by l.finalized_at desc limit 1)), 0)::float8 as variance_value
      from scope left join inventory_sessions x on x.store_id = scope.id and x.org_id = ${orgId}
      group by scope.id, scope.name
    ),
    compliance as (
      select scope.id as store_id, scope.name as store_name,
        count(c.id) filter (where c.status = 'open')::int as open,
        count(c.id) filter (where c.status = 'completed')::int as completed
      from scope left join compliance_tasks c on c.store_id = scope.id and c.org_id = ${orgId}
      group by scope.id, scope.name
    ),
    daily as (
      select d.day, sum(d.requests_created)::int as requests_created, sum(d.requests_value)::float8 as requests_value,
        sum(d.items_approved)::int as items_approved, sum(d.items_rejected)::int as items_rejected
      from store_daily_stats d join scope on scope.id = d.store_id
      where d.org_id = ${orgId} and d.day > (now() at time zone 'America/Sao_Paulo')::date - 30
      group by d.day
    ),
    value_by_store as (
      select scope.id as store_id, scope.name as store_name, coalesce(sum(d.requests_value), 0)::float8 as value
      from scope left join store_daily_stats d on d.store_id = scope.id and d.org_id = ${orgId}
        and d.day > (now() at time zone 'America/Sao_Paulo')::date - 30
      group by scope.id, scope.name
    )
    select json_build_object(
      'stores', coalesce((select json_agg(json_build_object('storeId', id, 'storeName', name) order by name) from scope), '[]'),
      'requestsByStatus', coalesce((select json_agg(json_build_object('status', status, 'count', count, 'value', value) order by status) from status_totals), '[]'),
      'pendingByBuyer', coalesce((select json_agg(json_build_object('buyerId', buyer_id, 'buyerName', buyer_name, 'items', items, 'value', value) order by items desc) from pending_by_buyer), '[]'),
      'approvalByBuyer', coalesce((select json_agg(json_build_object('buyerId', buyer_id, 'buyerName', buyer_name, 'decided', decided_items, 'approved', approved_items, 'rejected', rejected_items, 'rate', approval_rate) order by buyer_name) from approval), '[]'),
      'inventories', coalesce((select json_agg(json_build_object('storeId', store_id, 'storeName', store_name, 'open', open, 'finalized', finalized, 'lastFinalizedAt', last_finalized_at, 'varianceValue', variance_value) order by store_name) from inventories), '[]'),
      'compliance', coalesce((select json_agg(json_build_object('storeId', store_id, 'storeName', store_name, 'open', open, 'completed', completed,
        'rate', case when open + completed = 0 then 0 else completed::float8 / (open + completed) end) order by store_name) from compliance), '[]'),
      'daily', coalesce((select json_agg(json_build_object('day', day, 'requestsCreated', requests_created, 'requestsValue', requests_value, 'itemsApproved', items_approved, 'itemsRejected', items_rejected) order by day) from daily), '[]'),
      'valueByStore', coalesce((select json_agg(json_build_object('storeId', store_id, 'storeName', store_name, 'value', value) order by value desc) from value_by_store), '[]'),
      'queues', json_build_object(
        'deadLetters', (select count(*)::int from dead_letter_queue q where q.resolved_at is null and (q.org_id = ${orgId} or q.org_id is null)),
        'notificationsPending', (select count(*)::int from notifications n where n.org_id = ${orgId} and n.push_status in ('queued', 'sending')),
        'notificationsFailed', (select count(*)::int from notifications n where n.org_id = ${orgId} and n.push_status = 'failed'))
    ) as data`);
  return row!.data;
}

/** Refreshes the history-sized materialized views without blocking readers. */
export async function refreshDashboardViews(db: Executor): Promise<void> {
  await db.execute(sql`refresh materialized view concurrently mv_buyer_approval_stats`);
}
