import { and, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client';
import { categoryBuyers, products, purchaseRequestItems, purchaseRequests, stores, users } from '../db/schema';
import { approvedPhotoId, approvedPhotoIdOf } from '../catalogue/queries';
import type { RequestStatus } from './state-machine';
import { decodeCursor, toPage } from '../db/cursor';
import { escapeLike } from '../db/like';
import { linesTotal } from '~/lib/money';
import { newestFirst } from '../db/order';

const creator = alias(users, 'creator');
const buyer = alias(users, 'buyer');

export type DraftItem = { productId: string; quantity: number; unitPrice: number; note: string | null };

/** What submitting and deciding need of a request row (read under its lock, or as just inserted). */
const requestHead = {
  id: purchaseRequests.id,
  number: purchaseRequests.number,
  storeId: purchaseRequests.storeId,
  createdBy: purchaseRequests.createdBy,
  status: purchaseRequests.status,
  totalValue: purchaseRequests.totalValue,
  itemCount: purchaseRequests.itemCount,
  submittedAt: purchaseRequests.submittedAt,
};

/**
 * The org's next request number (`PC-2026-000123`), taken in a statement of its own, outside the request's
 * transaction: the counter row is locked for that statement alone. Taken inside (as the insert trigger of migration
 * 0009 does for rows that bring none), it stayed locked until the request's commit, and every request of the org
 * waited for the one before it to commit (bench:load's create p99 of 2.8 s). A request that then fails, or a retried
 * create, leaves its number unused: numbers can skip, never repeat.
 */
export async function takeRequestNumber(db: Executor, orgId: string): Promise<string> {
  const rows = await db.execute<{ number: string }>(sql`
    insert into document_numbers as d (org_id, kind, year, last_number)
    values (${orgId}, 'PC', extract(year from now() at time zone 'America/Sao_Paulo')::int, 1)
    on conflict (org_id, kind, year) do update set last_number = d.last_number + 1
    returning 'PC-' || d.year || '-' || lpad(d.last_number::text, greatest(6, length(d.last_number::text)), '0') as number`);
  return [...rows][0]!.number;
}

/**
 * Inserts a draft with its items, in one statement, and returns its row, or null if a request with this
 * client-made id exists (a retried create; its items are then not inserted either).
 */
export async function insertDraftRequest(
  tx: Executor,
  values: { id: string; number: string; orgId: string; storeId: string; createdBy: string; note: string | null; items: DraftItem[] },
): Promise<RequestHead | null> {
  const totalValue = linesTotal(values.items);
  const items = values.items.map((i, position) => ({ product_id: i.productId, position, quantity: i.quantity, unit_price: i.unitPrice, note: i.note }));
  const rows = await tx.execute<{ id: string; number: string; store_id: string; created_by: string; status: RequestStatus; total_value: string; item_count: number; submitted_at: string | null }>(sql`
    with request as (
      insert into purchase_requests (id, number, org_id, store_id, created_by, note, total_value, item_count)
      values (${values.id}, ${values.number}, ${values.orgId}, ${values.storeId}, ${values.createdBy}, ${values.note}, ${totalValue}, ${values.items.length})
      on conflict (id) do nothing
      returning id, number, store_id, created_by, status, total_value, item_count, submitted_at
    ), items as (
      insert into purchase_request_items (org_id, request_id, product_id, position, quantity, unit_price, note)
      select ${values.orgId}, r.id, i.product_id, i.position, i.quantity, i.unit_price, i.note
      from request r, jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as i(product_id uuid, position int, quantity numeric, unit_price numeric, note text)
    )
    select * from request`);
  const row = [...rows][0];
  if (!row) return null;
  return {
    id: row.id,
    number: row.number,
    storeId: row.store_id,
    createdBy: row.created_by,
    status: row.status,
    totalValue: Number(row.total_value),
    itemCount: row.item_count,
    // drizzle hands raw queries timestamps as text.
    submittedAt: row.submitted_at === null ? null : new Date(row.submitted_at),
  };
}

/** Locks the request row: decisions on one request serialize here (completion and event order depend on it). */
export type RequestHead = NonNullable<Awaited<ReturnType<typeof lockRequest>>>;

export async function lockRequest(tx: Executor, orgId: string, requestId: string) {
  const [row] = await tx
    .select(requestHead)
    .from(purchaseRequests)
    .where(and(eq(purchaseRequests.orgId, orgId), eq(purchaseRequests.id, requestId)))
    .for('update')
    .limit(1);
  return row;
}

export async function findRequestIdOfItem(db: Executor, orgId: string, itemId: string) {
  const [row] = await db
    .select({ requestId: purchaseRequestItems.requestId })
    .from(purchaseRequestItems)
    .where(and(eq(purchaseRequestItems.orgId, orgId), eq(purchaseRequestItems.id, itemId)))
    .limit(1);
  return row?.requestId;
}

/**
 * Assigns each item to its product's buyer (or the category's) and recomputes the total from the items, in one
 * statement; returns the names of products that have no buyer at all.
 */
export async function assignBuyers(tx: Executor, orgId: string, requestId: string): Promise<{ unassigned: string[]; buyerIds: string[] }> {
  const rows = await tx.execute<{ buyer_id: string | null; name: string }>(sql`
    update ${purchaseRequestItems} i
       set buyer_id = coalesce(p.buyer_id, cb.buyer_id)
      from ${products} p
      left join ${categoryBuyers} cb on cb.org_id = p.org_id and cb.category = p.category
     where i.request_id = ${requestId} and i.org_id = ${orgId} and p.id = i.product_id
    returning i.buyer_id, p.name`);
  return {
    unassigned: [...rows].filter((r) => !r.buyer_id).map((r) => r.name),
    buyerIds: [...new Set([...rows].flatMap((r) => (r.buyer_id ? [r.buyer_id] : [])))],
  };
}

export async function setRequestStatus(
  tx: Executor,
  orgId: string,
  requestId: string,
  values: { status: RequestStatus; submittedAt?: Date; completedAt?: Date; closedAt?: Date; closedBy?: string },
) {
  // Plain SQL: it runs in every submit (and on completion and close), where drizzle's update builder cost more CPU
  // than the update itself.
  const at = (d: Date | undefined) => d?.toISOString() ?? null;
  await tx.execute(sql`
    update purchase_requests set
      status = ${values.status}, version = version + 1, updated_at = now(),
      submitted_at = coalesce(${at(values.submittedAt)}::timestamptz, submitted_at),
      completed_at = coalesce(${at(values.completedAt)}::timestamptz, completed_at),
      closed_at = coalesce(${at(values.closedAt)}::timestamptz, closed_at),
      closed_by = coalesce(${values.closedBy ?? null}::uuid, closed_by)
    where org_id = ${orgId} and id = ${requestId}`);
}

/**
 * The decision itself, as a conditional update: only a pending item of this buyer changes, so of two
 * concurrent decisions exactly one gets a row back.
 */
export async function decideItemIfPending(
  tx: Executor,
  orgId: string,
  itemId: string,
  decision: { status: 'approved' | 'rejected'; approvedQuantity: number | null; reason: string | null; decidedBy: string; onlyBuyer: string | null },
) {
  const [row] = await tx
    .update(purchaseRequestItems)
    .set({
      status: decision.status,
      approvedQuantity: decision.approvedQuantity,
      decisionReason: decision.reason,
      decidedBy: decision.decidedBy,
      decidedAt: sql`now()`,
      version: sql`${purchaseRequestItems.version} + 1`,
    })
    .where(
      and(
        eq(purchaseRequestItems.orgId, orgId),
        eq(purchaseRequestItems.id, itemId),
        eq(purchaseRequestItems.status, 'pending'),
        decision.onlyBuyer ? eq(purchaseRequestItems.buyerId, decision.onlyBuyer) : undefined,
      ),
    )
    .returning({
      id: purchaseRequestItems.id,
      requestId: purchaseRequestItems.requestId,
      buyerId: purchaseRequestItems.buyerId,
      quantity: purchaseRequestItems.quantity,
      unitPrice: purchaseRequestItems.unitPrice,
      approvedQuantity: purchaseRequestItems.approvedQuantity,
      decisionReason: purchaseRequestItems.decisionReason,
      productName: sql<string>`(select p.name from ${products} p where p.id = ${purchaseRequestItems.productId})`,
    });
  return row;
}

export async function findItem(db: Executor, orgId: string, itemId: string) {
  const [row] = await db
    .select({
      id: purchaseRequestItems.id,
      requestId: purchaseRequestItems.requestId,
      status: purchaseRequestItems.status,
      buyerId: purchaseRequestItems.buyerId,
      quantity: purchaseRequestItems.quantity,
      approvedQuantity: purchaseRequestItems.approvedQuantity,
      decidedBy: purchaseRequestItems.decidedBy,
    })
    .from(purchaseRequestItems)
    .where(and(eq(purchaseRequestItems.orgId, orgId), eq(purchaseRequestItems.id, itemId)))
    .limit(1);
  return row;
}

export async function countItemDecisions(tx: Executor, requestId: string) {
  const [row] = await tx
    .select({
      pending: sql<number>`count(*) filter (where ${purchaseRequestItems.status} = 'pending')::int`,
      approved: sql<number>`count(*) filter (where ${purchaseRequestItems.status} = 'approved')::int`,
      rejected: sql<number>`count(*) filter (where ${purchaseRequestItems.status} = 'rejected')::int`,
    })
    .from(purchaseRequestItems)
    .where(eq(purchaseRequestItems.requestId, requestId));
  return row!;
}

const itemsJson = sql<RequestItemView[]>`coalesce((
  select json_agg(json_build_object(
    'id', i.id, 'productId', i.product_id, 'ean', p.ean, 'productName', p.name, 'unit', p.unit, 'photoId', ${approvedPhotoIdOf('p')},
    'quantity', i.quantity::float8, 'unitPrice', i.unit_price::float8, 'note', i.note, 'status', i.status,
    'approvedQuantity', i.approved_quantity::float8, 'receivedQuantity', i.received_quantity::float8, 'decisionReason', i.decision_reason,
    'buyerId', i.buyer_id, 'buyerName', b.name, 'decidedAt', i.decided_at, 'version', i.version
  ) order by i.position, i.id)
  from ${purchaseRequestItems} i
  join ${products} p on p.id = i.product_id
  left join ${users} b on b.id = i.buyer_id
  where i.request_id = ${purchaseRequests.id}), '[]')`;

export type RequestItemView = {
  id: string;
  productId: string;
  ean: string;
  productName: string;
  unit: string;
  /** The product's approved photo (lib/photos.ts photoUrl), null without one. */
  photoId: string | null;
  quantity: number;
  unitPrice: number;
  note: string | null;
  status: 'pending' | 'approved' | 'rejected';
  approvedQuantity: number | null;
  /** What the store's receipts have delivered of an approved item (receiving). */
  receivedQuantity: number;
  decisionReason: string | null;
  buyerId: string | null;
  buyerName: string | null;
  decidedAt: string | null;
  version: number;
};

const requestColumns = {
  id: purchaseRequests.id,
  number: purchaseRequests.number,
  storeId: purchaseRequests.storeId,
  storeName: stores.name,
  createdBy: purchaseRequests.createdBy,
  createdByName: creator.name,
  status: purchaseRequests.status,
  note: purchaseRequests.note,
  totalValue: purchaseRequests.totalValue,
  itemCount: purchaseRequests.itemCount,
  version: purchaseRequests.version,
  createdAt: purchaseRequests.createdAt,
  submittedAt: purchaseRequests.submittedAt,
  completedAt: purchaseRequests.completedAt,
  closedAt: purchaseRequests.closedAt,
};

/** A request with its store, creator and items (with product and buyer): one statement. */
export async function findRequestDetail(db: Executor, orgId: string, requestId: string) {
  const [row] = await db
    .select({ ...requestColumns, items: itemsJson })
    .from(purchaseRequests)
    .innerJoin(stores, eq(stores.id, purchaseRequests.storeId))
    .innerJoin(creator, eq(creator.id, purchaseRequests.createdBy))
    .where(and(eq(purchaseRequests.orgId, orgId), eq(purchaseRequests.id, requestId)))
    .limit(1);
  return row;
}
export type RequestDetail = NonNullable<Awaited<ReturnType<typeof findRequestDetail>>>;

export type RequestListParams = {
  cursor?: string | null;
  limit: number;
  /** Restricts to these stores (a clerk's scope); null = every store of the org. */
  scopeStoreIds: string[] | null;
  storeId?: string | null;
  status?: RequestStatus[] | null;
  from?: Date | null;
  to?: Date | null;
  createdBy?: string | null;
  /** Part of a request's number (`000123`, `PC-2026-000123`), case-insensitive. */
  number?: string | null;
  /** Include each request's items with product and buyer (still one statement). */
  withItems?: boolean;
};

/** The list's filters on `purchase_requests` (the requests export applies the same). */
export function requestListFilters(orgId: string, params: Omit<RequestListParams, 'cursor' | 'limit' | 'withItems'>): (SQL | undefined)[] {
  return [
    eq(purchaseRequests.orgId, orgId),
    params.scopeStoreIds ? inArray(purchaseRequests.storeId, params.scopeStoreIds.length ? params.scopeStoreIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
    params.storeId ? eq(purchaseRequests.storeId, params.storeId) : undefined,
    params.status?.length ? inArray(purchaseRequests.status, params.status) : undefined,
    params.from ? gte(purchaseRequests.createdAt, params.from) : undefined,
    params.to ? lte(purchaseRequests.createdAt, params.to) : undefined,
    params.createdBy ? eq(purchaseRequests.createdBy, params.createdBy) : undefined,
    params.number ? sql`${purchaseRequests.number} ilike ${`%${escapeLike(params.number.trim())}%`}` : undefined,
  ];
}

/** Newest first, with store and creator names: one statement per page, whatever its size. */
export async function listRequests(db: Executor, orgId: string, params: RequestListParams) {
  const after = decodeCursor<[string, string]>(params.cursor, ['time', 'uuid']);
  const filters: (SQL | undefined)[] = [
    ...requestListFilters(orgId, params),
    after ? sql`(${purchaseRequests.createdAt}, ${purchaseRequests.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
  ];
  const rows = await db
    .select({ ...requestColumns, items: params.withItems ? itemsJson : sql<RequestItemView[]>`'[]'::json` })
    .from(purchaseRequests)
    .innerJoin(stores, eq(stores.id, purchaseRequests.storeId))
    .innerJoin(creator, eq(creator.id, purchaseRequests.createdBy))
    .where(and(...filters))
    .orderBy(newestFirst(purchaseRequests.createdAt), newestFirst(purchaseRequests.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => [r.createdAt.toISOString(), r.id]);
}

export const inboxSorts = ['oldest', 'value'] as const;
export type InboxParams = {
  buyerId: string | null;
  storeId?: string | null;
  category?: string | null;
  /** Only lines waiting at least this many days since their request was submitted. */
  minAgeDays?: number | null;
  /** `oldest` first (default) or the largest line `value` first. */
  sort?: (typeof inboxSorts)[number] | null;
  cursor?: string | null;
  limit: number;
};

const lineValue = sql<number>`round(${purchaseRequestItems.quantity} * ${purchaseRequestItems.unitPrice}, 2)`;

/**
 * Pending items of pending requests assigned to a buyer (or to anyone, for admins), oldest first or by value,
 * each with what a buyer decides by: the store's stock on hand (store_stock: the last count or import until the
 * stock ledger) and when it was last set, the quantities requested and approved for that product and store over
 * the last 30 days in other lines, and the product's reference price. One statement per page.
 */
export async function listInbox(db: Executor, orgId: string, params: InboxParams) {
  const byValue = params.sort === 'value';
  const after = byValue ? decodeCursor<[number, string]>(params.cursor, ['decimal', 'uuid']) : decodeCursor<[string, string]>(params.cursor, ['time', 'uuid']);
  const recent = sql`(select coalesce(sum(oi.quantity), 0)::float8 as requested, coalesce(sum(oi.approved_quantity) filter (where oi.status = 'approved'), 0)::float8 as approved
      from ${purchaseRequestItems} oi join ${purchaseRequests} orq on orq.id = oi.request_id
     where oi.product_id = ${purchaseRequestItems.productId} and orq.store_id = ${purchaseRequests.storeId} and oi.id <> ${purchaseRequestItems.id}
       and orq.status <> 'draft' and orq.created_at > now() - interval '30 days')`;
  const rows = await db
    .select({
      itemId: purchaseRequestItems.id,
      requestId: purchaseRequests.id,
      requestNumber: purchaseRequests.number,
      storeId: stores.id,
      storeName: stores.name,
      requestedBy: creator.name,
      submittedAt: purchaseRequests.submittedAt,
      productId: products.id,
      ean: products.ean,
      productName: products.name,
      unit: products.unit,
      photoId: approvedPhotoId,
      quantity: purchaseRequestItems.quantity,
      unitPrice: purchaseRequestItems.unitPrice,
      note: purchaseRequestItems.note,
      buyerId: purchaseRequestItems.buyerId,
      buyerName: buyer.name,
      version: purchaseRequestItems.version,
      createdAt: purchaseRequestItems.createdAt,
      category: products.category,
      referencePrice: products.referencePrice,
      value: sql<number>`${lineValue}::float8`,
      stockOnHand: sql<number | null>`(select s.quantity::float8 from store_stock s where s.store_id = ${purchaseRequests.storeId} and s.product_id = ${purchaseRequestItems.productId})`,
      stockUpdatedAt: sql<string | null>`(select s.updated_at from store_stock s where s.store_id = ${purchaseRequests.storeId} and s.product_id = ${purchaseRequestItems.productId})`,
      last30Days: sql<{ requested: number; approved: number }>`(select json_build_object('requested', r.requested, 'approved', r.approved) from ${recent} r)`,
    })
    .from(purchaseRequestItems)
    .innerJoin(purchaseRequests, eq(purchaseRequests.id, purchaseRequestItems.requestId))
    .innerJoin(stores, eq(stores.id, purchaseRequests.storeId))
    .innerJoin(creator, eq(creator.id, purchaseRequests.createdBy))
    .innerJoin(products, eq(products.id, purchaseRequestItems.productId))
    .leftJoin(buyer, eq(buyer.id, purchaseRequestItems.buyerId))
    .where(
      and(
        eq(purchaseRequestItems.orgId, orgId),
        eq(purchaseRequestItems.status, 'pending'),
        eq(purchaseRequests.status, 'pending'),
        params.buyerId ? eq(purchaseRequestItems.buyerId, params.buyerId) : undefined,
        params.storeId ? eq(purchaseRequests.storeId, params.storeId) : undefined,
        params.category ? eq(products.category, params.category) : undefined,
        params.minAgeDays ? sql`${purchaseRequests.submittedAt} <= now() - make_interval(days => ${params.minAgeDays})` : undefined,
        after
          ? byValue
            ? sql`(${lineValue} < ${after[0]}::numeric or (${lineValue} = ${after[0]}::numeric and ${purchaseRequestItems.id} > ${after[1]}::uuid))`
            : sql`(${purchaseRequestItems.createdAt}, ${purchaseRequestItems.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(...(byValue ? [desc(lineValue), purchaseRequestItems.id] : [purchaseRequestItems.createdAt, purchaseRequestItems.id]))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => (byValue ? [r.value, r.itemId] : [r.createdAt.toISOString(), r.itemId]));
}

