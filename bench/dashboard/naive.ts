import type { Sql } from 'postgres';
import type { DashboardSummary } from '~/server/dashboard/service';

/**
 * The baseline: the seed's dashboard route, faithfully N+1 (Part 1.1) — every non-draft request of the org,
 * then for each one its user, its store and its items, and for each item its product and its buyer; the
 * aggregates computed in JavaScript from those rows; per-store queries for inventories and compliance.
 * It builds the same payload as the real dashboard. Kept under bench/ only: nothing in the app calls it.
 */
type Row = Record<string, unknown>;

export async function naiveDashboard(sql: Sql, orgId: string): Promise<DashboardSummary> {
  const requests = await sql<Row[]>`select * from purchase_requests where org_id = ${orgId} and status <> 'draft' order by created_at desc, id desc`;
  const full = [];
  for (const r of requests) {
    const [user] = await sql<Row[]>`select * from users where id = ${r.created_by as string}`;
    const [store] = await sql<Row[]>`select * from stores where id = ${r.store_id as string}`;
    const items = await sql<Row[]>`select * from purchase_request_items where request_id = ${r.id as string} order by position, id`;
    const withProducts = [];
    for (const item of items) {
      const [product] = await sql<Row[]>`select * from products where id = ${item.product_id as string}`;
      const [buyer] = item.buyer_id ? await sql<Row[]>`select * from users where id = ${item.buyer_id as string}` : [undefined];
      withProducts.push({ item, product: product!, buyer });
    }
    full.push({ request: r, user: user!, store: store!, items: withProducts });
  }

  const stores = await sql<Row[]>`select * from stores where org_id = ${orgId} and active order by name`;
  const byStatus = new Map<string, { count: number; value: number }>();
  const pending = new Map<string | null, { buyerName: string | null; items: number; value: number }>();
  const approval = new Map<string, { buyerName: string; decided: number; approved: number; rejected: number }>();
  const daily = new Map<string, { requestsCreated: number; requestsValue: number; itemsApproved: number; itemsRejected: number }>();
  const valueByStore = new Map<string, number>();
  const since = Date.now() - 30 * 86_400_000;
  const dayOf = (d: unknown) => new Date(d as Date).toLocaleDateString('sv-SE', { timeZone: 'America/Sao_Paulo' });
  const money = (v: unknown) => Number(v);
  // The app's postgres.js client (shared with Drizzle) hands timestamps back as strings.
  const date = (v: unknown) => (v == null ? null : new Date(v as string));

  for (const { request, store, items } of full) {
    const status = request.status as string;
    const entry = byStatus.get(status) ?? { count: 0, value: 0 };
    entry.count++;
    entry.value += money(request.total_value);
    byStatus.set(status, entry);
    const submitted = date(request.submitted_at);
    if (submitted && submitted.getTime() >= since) {
      const d = daily.get(dayOf(submitted)) ?? { requestsCreated: 0, requestsValue: 0, itemsApproved: 0, itemsRejected: 0 };
      d.requestsCreated++;
      d.requestsValue += money(request.total_value);
      daily.set(dayOf(submitted), d);
      valueByStore.set(store.id as string, (valueByStore.get(store.id as string) ?? 0) + money(request.total_value));
    }
    for (const { item, buyer } of items) {
      if (item.status === 'pending' && status === 'pending') {
        const p = pending.get((item.buyer_id as string) ?? null) ?? { buyerName: (buyer?.name as string) ?? null, items: 0, value: 0 };
        p.items++;
        p.value += money(item.quantity) * money(item.unit_price);
        pending.set((item.buyer_id as string) ?? null, p);
      }
      if (item.status !== 'pending' && item.decided_by) {
        const [decider] = await sql<Row[]>`select * from users where id = ${item.decided_by as string}`;
        const a = approval.get(item.decided_by as string) ?? { buyerName: decider!.name as string, decided: 0, approved: 0, rejected: 0 };
        a.decided++;
        if (item.status === 'approved') a.approved++;
        else a.rejected++;
        approval.set(item.decided_by as string, a);
        const decidedAt = date(item.decided_at)!;
        if (decidedAt.getTime() >= since) {
          const d = daily.get(dayOf(decidedAt)) ?? { requestsCreated: 0, requestsValue: 0, itemsApproved: 0, itemsRejected: 0 };
          if (item.status === 'approved') d.itemsApproved++;
          else d.itemsRejected++;
          daily.set(dayOf(decidedAt), d);
        }
      }
    }
  }

  const perStore = [];
  for (const store of stores) {
    const sessions = await sql<Row[]>`select * from inventory_sessions where store_id = ${store.id as string} order by finalized_at desc nulls last`;
    const last = sessions.find((x) => x.status === 'finalized');
    const totals = last ? await sql<Row[]>`select * from inventory_totals where session_id = ${last.id as string}` : [];
    const tasks = await sql<Row[]>`select * from compliance_tasks where store_id = ${store.id as string}`;
    const receipts = await sql<Row[]>`select * from receipts where store_id = ${store.id as string} and status = 'open'`;
    const awaited = await sql<Row[]>`
      select i.request_id from purchase_request_items i join purchase_requests r on r.id = i.request_id
       where r.store_id = ${store.id as string} and r.status in ('approved', 'partially_approved') and i.status = 'approved'
         and coalesce(i.approved_quantity, i.quantity) > i.received_quantity`;
    const now = Date.now();
    const month = 30 * 86_400_000;
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(new Date());
    const inMonth = (v: unknown) => date(v) !== null && date(v)!.getTime() > now - month;
    const fellDue = tasks.filter((t) => t.status !== 'cancelled' && inMonth(t.due_at) && date(t.due_at)!.getTime() <= now);
    const passed30d = tasks.filter((t) => t.status === 'passed' && inMonth(t.completed_at)).length;
    const failed30d = tasks.filter((t) => inMonth(t.completed_at) && (t.status === 'failed' || (t.status === 'open' && t.returned_at))).length;
    perStore.push({
      storeId: store.id as string,
      storeName: store.name as string,
      requestsValue30d: valueByStore.get(store.id as string) ?? 0,
      inventory: {
        open: sessions.filter((x) => x.status === 'open').length,
        finalized: sessions.filter((x) => x.status === 'finalized').length,
        lastFinalizedAt: last ? date(last.finalized_at)!.toISOString() : null,
        varianceValue: totals.reduce((sum, t) => sum + money(t.variance_value), 0),
      },
      receiving: { itemsToReceive: awaited.length, requestsToReceive: new Set(awaited.map((a) => a.request_id)).size, openReceipts: receipts.length },
      compliance: {
        dueToday: tasks.filter((t) => String(t.period) === today && t.status !== 'cancelled').length,
        overdue: tasks.filter((t) => t.status === 'open' && date(t.due_at)!.getTime() < now).length,
        awaitingReview: tasks.filter((t) => t.status === 'needs_review' || t.status === 'failed').length,
        due30d: fellDue.length,
        onTime30d: fellDue.filter((t) => t.submitted_at && date(t.submitted_at)! <= date(t.due_at)!).length,
        passed30d,
        failed30d,
        passRate: passed30d + failed30d === 0 ? null : passed30d / (passed30d + failed30d),
      },
    });
  }
  const [dlq] = await sql<Row[]>`select count(*)::int as n from dead_letter_queue where resolved_at is null and (org_id = ${orgId} or org_id is null)`;
  const [queued] = await sql<Row[]>`select count(*)::int as n from notifications where org_id = ${orgId} and push_status in ('queued', 'sending')`;
  const [failed] = await sql<Row[]>`select count(*)::int as n from notifications where org_id = ${orgId} and push_status = 'failed'`;

  const recent = full.slice(0, 10).map(({ request, user, store, items }) => ({
    id: request.id as string,
    number: request.number as string,
    storeId: store.id as string,
    storeName: store.name as string,
    createdByName: user.name as string,
    status: request.status as string,
    totalValue: money(request.total_value),
    itemCount: request.item_count as number,
    createdAt: date(request.created_at)!.toISOString(),
    submittedAt: date(request.submitted_at)?.toISOString() ?? null,
    items: items.map(({ item, product, buyer }) => ({
      id: item.id as string,
      ean: product.ean as string,
      productName: product.name as string,
      quantity: money(item.quantity),
      approvedQuantity: item.approved_quantity === null ? null : money(item.approved_quantity),
      unitPrice: money(item.unit_price),
      status: item.status as string,
      buyerName: (buyer?.name as string) ?? null,
    })),
  }));

  return {
    stores: perStore,
    requestsByStatus: [...byStatus].map(([status, v]) => ({ status, ...v })).sort((a, b) => a.status.localeCompare(b.status)),
    pendingByBuyer: [...pending].map(([buyerId, v]) => ({ buyerId, ...v })).sort((a, b) => b.items - a.items),
    approvalByBuyer: [...approval].map(([buyerId, v]) => ({ buyerId, ...v, rate: v.approved / v.decided })),
    daily: [...daily].map(([day, v]) => ({ day, ...v })).sort((a, b) => a.day.localeCompare(b.day)),
    queues: { deadLetters: dlq!.n as number, notificationsPending: queued!.n as number, notificationsFailed: failed!.n as number },
    recent: { items: recent, nextCursor: null },
    builtAt: new Date().toISOString(),
    scope: { storeId: null },
  };
}
