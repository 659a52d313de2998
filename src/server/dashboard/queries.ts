import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { decodeCursor, encodeCursor } from '../db/cursor';

export type DashboardStore = {
  storeId: string;
  storeName: string;
  /** Requested value over the last 30 days (store_daily_stats). */
  requestsValue30d: number;
  inventory: { open: number; finalized: number; lastFinalizedAt: string | null; varianceValue: number };
  /** Deliveries: approved request items not yet received in full (and their requests), receipts being scanned. */
  receiving: { itemsToReceive: number; requestsToReceive: number; openReceipts: number };
  /**
   * Compliance photo tasks: due today, overdue (open past their time), waiting for a manager (failed by Vision or
   * not judged), and over the last 30 days the tasks that fell due, those sent on time, and the final verdicts
   * (`passRate`: passed of passed and failed, null before any).
   */
  compliance: { dueToday: number; overdue: number; awaitingReview: number; due30d: number; onTime30d: number; passed30d: number; failed30d: number; passRate: number | null };
};

export type DashboardRecentRequest = {
  id: string;
  number: string;
  storeId: string;
  storeName: string;
  createdByName: string;
  status: string;
  totalValue: number;
  itemCount: number;
  createdAt: string;
  submittedAt: string | null;
  items: { id: string; ean: string; productName: string; quantity: number; approvedQuantity: number | null; unitPrice: number; status: string; buyerName: string | null }[];
};

export type DashboardAggregates = {
  stores: DashboardStore[];
  requestsByStatus: { status: string; count: number; value: number }[];
  pendingByBuyer: { buyerId: string | null; buyerName: string | null; items: number; value: number }[];
  approvalByBuyer: { buyerId: string; buyerName: string; decided: number; approved: number; rejected: number; rate: number }[];
  daily: { day: string; requestsCreated: number; requestsValue: number; itemsApproved: number; itemsRejected: number }[];
  queues: { deadLetters: number; notificationsPending: number; notificationsFailed: number };
  recent: { items: DashboardRecentRequest[]; nextCursor: string | null };
};

const RECENT_STATUSES = `{pending,partially_approved,approved,rejected,closed}`;

/**
 * The recent submitted requests with store, creator, items, products and buyers, as one JSON array built by
 * PostgreSQL (limit + 1 rows: the extra one says there is a next page). Dates are ISO strings.
 */
function recentRequestsJson(orgId: string, storeFilter: SQL, limit: number, after: [string, string] | null): SQL {
  return sql`coalesce((
    select json_agg(json_build_object(
      'id', r.id, 'number', r.number, 'storeId', r.store_id, 'storeName', s.name, 'createdByName', (select u.name from users u where u.id = r.created_by), 'status', r.status,
      'totalValue', r.total_value::float8, 'itemCount', r.item_count, 'createdAt', r.created_at, 'submittedAt', r.submitted_at,
      'items', (select coalesce(json_agg(json_build_object(
          'id', i.id, 'ean', p.ean, 'productName', p.name, 'quantity', i.quantity::float8, 'unitPrice', i.unit_price::float8,
          'status', i.status, 'approvedQuantity', i.approved_quantity::float8, 'buyerName', (select b.name from users b where b.id = i.buyer_id))
          order by i.position, i.id), '[]')
        from purchase_request_items i join products p on p.id = i.product_id
        where i.request_id = r.id)
    ) order by r.created_at desc, r.id desc)
    from (
      select r.* from purchase_requests r join stores s on s.id = r.store_id
      where r.org_id = ${orgId} and r.status = any(${RECENT_STATUSES}::purchase_request_status[]) ${storeFilter}
        ${after ? sql`and (r.created_at, r.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
      order by r.created_at desc, r.id desc
      limit ${limit + 1}
    ) r
    join stores s on s.id = r.store_id
  ), '[]')`;
}

function toRecentPage(rows: DashboardRecentRequest[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([new Date(last.createdAt).toISOString(), last.id]) : null };
}

const storeFilterFor = (column: SQL, storeIds: string[] | null) => (storeIds ? sql`and ${column} = any(${`{${storeIds.join(',')}}`}::uuid[])` : sql``);

/**
 * Everything the dashboard shows in ONE statement, whatever the data size: status totals and pending approvals
 * per buyer from trigger-kept summary tables (request_status_totals, pending_approvals), approval rates from
 * the materialized view, charts from store_daily_stats (30 days), per-store inventory and compliance, and the
 * first page of recent requests. `storeIds` null = the whole org.
 */
export async function loadDashboard(db: Executor, orgId: string, storeIds: string[] | null, recentLimit: number): Promise<DashboardAggregates> {
  const [row] = await db.execute<{ data: Omit<DashboardAggregates, 'recent'> & { recent: DashboardRecentRequest[] } }>(sql`
    with scope as (
      select s.id, s.name from stores s where s.org_id = ${orgId} and s.active ${storeFilterFor(sql`s.id`, storeIds)}
    ),
    status_totals as (
      select t.status, sum(t.request_count)::int as count, sum(t.total_value)::float8 as value
      from request_status_totals t join scope on scope.id = t.store_id
      where t.org_id = ${orgId} and t.request_count > 0 and t.status <> 'draft'
      group by t.status
    ),
    pending_by_buyer as (
      select p.buyer_id, u.name as buyer_name, sum(p.items)::int as items, sum(p.value)::float8 as value
      from pending_approvals p
      join scope on scope.id = p.store_id
      join users u on u.id = p.buyer_id
      where p.org_id = ${orgId} and p.items > 0
      group by p.buyer_id, u.name
    ),
    approval as (
      select b.buyer_id, u.name as buyer_name, b.decided_items, b.approved_items, b.rejected_items, b.approval_rate
      from mv_buyer_approval_stats b join users u on u.id = b.buyer_id
      where b.org_id = ${orgId}
    ),
    daily as (
      select d.day, sum(d.requests_created)::int as requests_created, sum(d.requests_value)::float8 as requests_value,
        sum(d.items_approved)::int as items_approved, sum(d.items_rejected)::int as items_rejected
      from store_daily_stats d join scope on scope.id = d.store_id
      where d.org_id = ${orgId} and d.day > (now() at time zone 'America/Sao_Paulo')::date - 30
      group by d.day
    ),
    per_store as (
      select scope.id, scope.name,
        coalesce((select sum(d.requests_value) from store_daily_stats d
          where d.store_id = scope.id and d.day > (now() at time zone 'America/Sao_Paulo')::date - 30), 0)::float8 as requests_value,
        (select count(*) from inventory_sessions x where x.org_id = ${orgId} and x.store_id = scope.id and x.status = 'open')::int as inv_open,
        (select count(*) from inventory_sessions x where x.org_id = ${orgId} and x.store_id = scope.id and x.status = 'finalized')::int as inv_finalized,
        (select max(x.finalized_at) from inventory_sessions x where x.org_id = ${orgId} and x.store_id = scope.id) as inv_last,
        coalesce((select sum(t.variance_value) from inventory_totals t where t.session_id = (
          select l.id from inventory_sessions l where l.org_id = ${orgId} and l.store_id = scope.id and l.status = 'finalized' order by l.finalized_at desc limit 1)), 0)::float8 as inv_variance,
        (select count(*) from receipts x where x.org_id = ${orgId} and x.store_id = scope.id and x.status = 'open')::int as rc_open,
        awaited.*,
        co.*
      from scope
      cross join lateral (
        select count(*)::int as rc_items, count(distinct r.id)::int as rc_requests
          from purchase_requests r join purchase_request_items i on i.request_id = r.id
         where r.org_id = ${orgId} and r.store_id = scope.id and r.status in ('approved', 'partially_approved') and i.status = 'approved'
           and coalesce(i.approved_quantity, i.quantity) > i.received_quantity
      ) awaited
      cross join lateral (
        select
          count(*) filter (where c.period = (now() at time zone 'America/Sao_Paulo')::date and c.status <> 'cancelled')::int as co_due_today,
          count(*) filter (where c.status = 'open' and c.due_at < now())::int as co_overdue,
          count(*) filter (where c.status in ('needs_review', 'failed'))::int as co_review,
          count(*) filter (where c.due_at > now() - interval '30 days' and c.due_at <= now() and c.status <> 'cancelled')::int as co_due30,
          count(*) filter (where c.due_at > now() - interval '30 days' and c.due_at <= now() and c.status <> 'cancelled' and c.submitted_at <= c.due_at)::int as co_on_time30,
          count(*) filter (where c.completed_at > now() - interval '30 days' and c.status = 'passed')::int as co_passed30,
          -- Failed by Vision, or rejected by a person and back with the store.
          count(*) filter (where c.completed_at > now() - interval '30 days' and (c.status = 'failed' or (c.status = 'open' and c.returned_at is not null)))::int as co_failed30
        from compliance_tasks c
        where c.org_id = ${orgId} and c.store_id = scope.id
          and (c.due_at > now() - interval '31 days' or c.completed_at > now() - interval '31 days' or c.status in ('open', 'submitted', 'needs_review', 'failed'))
      ) co
    )
    select json_build_object(
      'stores', coalesce((select json_agg(json_build_object(
          'storeId', id, 'storeName', name, 'requestsValue30d', requests_value,
          'inventory', json_build_object('open', inv_open, 'finalized', inv_finalized, 'lastFinalizedAt', inv_last, 'varianceValue', inv_variance),
          'receiving', json_build_object('itemsToReceive', rc_items, 'requestsToReceive', rc_requests, 'openReceipts', rc_open),
          'compliance', json_build_object('dueToday', co_due_today, 'overdue', co_overdue, 'awaitingReview', co_review,
            'due30d', co_due30, 'onTime30d', co_on_time30, 'passed30d', co_passed30, 'failed30d', co_failed30,
            'passRate', case when co_passed30 + co_failed30 = 0 then null else co_passed30::float8 / (co_passed30 + co_failed30) end)
        ) order by name) from per_store), '[]'),
      'requestsByStatus', coalesce((select json_agg(json_build_object('status', status, 'count', count, 'value', value) order by status) from status_totals), '[]'),
      'pendingByBuyer', coalesce((select json_agg(json_build_object('buyerId', buyer_id, 'buyerName', buyer_name, 'items', items, 'value', value) order by items desc, buyer_name) from pending_by_buyer), '[]'),
      'approvalByBuyer', coalesce((select json_agg(json_build_object('buyerId', buyer_id, 'buyerName', buyer_name, 'decided', decided_items, 'approved', approved_items, 'rejected', rejected_items, 'rate', approval_rate) order by buyer_name) from approval), '[]'),
      'daily', coalesce((select json_agg(json_build_object('day', day, 'requestsCreated', requests_created, 'requestsValue', requests_value, 'itemsApproved', items_approved, 'itemsRejected', items_rejected) order by day) from daily), '[]'),
      'queues', json_build_object(
        'deadLetters', (select count(*)::int from dead_letter_queue q where q.resolved_at is null and (q.org_id = ${orgId} or q.org_id is null)),
        'notificationsPending', (select count(*)::int from notifications n where n.org_id = ${orgId} and n.push_status in ('queued', 'sending')),
        'notificationsFailed', (select count(*)::int from notifications n where n.org_id = ${orgId} and n.push_status = 'failed')),
      'recent', ${recentRequestsJson(orgId, storeFilterFor(sql`r.store_id`, storeIds), recentLimit, null)}
    ) as data`);
  const data = row!.data;
  return { ...data, recent: toRecentPage(data.recent, recentLimit) };
}

/** Later pages of the recent requests: one statement per page. */
export async function loadRecentRequests(db: Executor, orgId: string, params: { storeIds: string[] | null; cursor?: string | null; limit: number }) {
  const after = decodeCursor<[string, string]>(params.cursor, ['time', 'uuid']);
  const [row] = await db.execute<{ data: DashboardRecentRequest[] }>(
    sql`select ${recentRequestsJson(orgId, storeFilterFor(sql`r.store_id`, params.storeIds), params.limit, after)} as data`,
  );
  return toRecentPage(row!.data, params.limit);
}

/**
 * Refreshes the history-sized materialized views without blocking readers, and names the orgs whose rows changed
 * (a digest of each org's rows before and after; the view has a row per org and buyer, so this reads little).
 */
export async function refreshDashboardViews(db: Executor): Promise<string[]> {
  const digests = sql`select org_id, md5(string_agg(v::text, ',' order by buyer_id)) as digest from mv_buyer_approval_stats v group by org_id`;
  const before = await db.execute<{ org_id: string; digest: string }>(digests);
  await db.execute(sql`refresh materialized view concurrently mv_buyer_approval_stats`);
  const after = await db.execute<{ org_id: string; digest: string }>(digests);
  const was = new Map(before.map((r) => [r.org_id, r.digest]));
  const now = new Map(after.map((r) => [r.org_id, r.digest]));
  return [...new Set([...was.keys(), ...now.keys()])].filter((orgId) => was.get(orgId) !== now.get(orgId));
}

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
