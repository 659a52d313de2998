import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { jsonArray } from '../db/json';
import type { ScaleBarcodeLayout } from '~/lib/scale-barcode';

/** Approved request items of a store not yet received in full, oldest request first (what a delivery fills). */
const openItems = (orgId: string, storeId: string) => sql`
  select i.id, i.product_id, i.request_id, r.number as request_number, r.created_by, i.buyer_id,
         coalesce(i.approved_quantity, i.quantity) as approved, i.received_quantity as received,
         coalesce(i.approved_quantity, i.quantity) - i.received_quantity as remaining, r.created_at as requested_at, i.position
    from purchase_request_items i join purchase_requests r on r.id = i.request_id
   where r.org_id = ${orgId} and r.store_id = ${storeId} and r.status in ('approved', 'partially_approved') and i.status = 'approved'
     and coalesce(i.approved_quantity, i.quantity) > i.received_quantity`;

export type ToReceive = {
  itemId: string;
  requestId: string;
  requestNumber: string;
  productId: string;
  ean: string;
  name: string;
  unit: string;
  approved: number;
  received: number;
  remaining: number;
};

/**
 * What a store waits for, in one statement over its open items: the oldest `limit` to list, how many there are in
 * all, and what they add up to per product (EAN) — what a delivery's scans are checked against, however long the list.
 */
export async function itemsToReceive(db: Executor, orgId: string, storeId: string, limit: number) {
  const [row] = await db.execute<{ items: ToReceive[]; total: number; expected: { ean: string; remaining: number }[] }>(sql`
    with o as materialized (
      select o.id as "itemId", o.request_id as "requestId", o.request_number as "requestNumber", o.product_id as "productId",
             p.ean, p.name, p.unit, o.approved::float8 as approved, o.received::float8 as received, o.remaining::float8 as remaining,
             o.requested_at, o.position
        from (${openItems(orgId, storeId)}) o join products p on p.id = o.product_id
    )
    select coalesce((select jsonb_agg(to_jsonb(l) - 'requested_at' - 'position' order by l.requested_at, l."requestId", l.position) from (
             select * from o order by requested_at, "requestId", position limit ${limit}) l), '[]') as items,
           (select count(*)::int from o) as total,
           coalesce((select jsonb_agg(jsonb_build_object('ean', e.ean, 'remaining', e.remaining)) from (
             select ean, sum(remaining)::float8 as remaining from o group by ean) e), '[]') as expected`);
  return row!;
}

export type ReceiptRow = {
  id: string;
  orgId: string;
  storeId: string;
  status: 'open' | 'closed' | 'cancelled';
  note: string | null;
  openedBy: string;
  openedAt: string;
  closedAt: string | null;
  /** The org's scale label layout: what a weight or price label scanned into this receipt stands for. */
  scaleBarcode: ScaleBarcodeLayout | null;
};

export async function findReceipt(db: Executor, orgId: string, id: string, opts: { lock?: boolean } = {}): Promise<ReceiptRow | null> {
  const [row] = await db.execute<ReceiptRow>(sql`
    select r.id, r.org_id as "orgId", r.store_id as "storeId", r.status, r.note, r.opened_by as "openedBy", r.opened_at as "openedAt", r.closed_at as "closedAt",
           o.settings -> 'scaleBarcode' as "scaleBarcode"
      from receipts r join organizations o on o.id = r.org_id
     where r.org_id = ${orgId} and r.id = ${id} ${opts.lock ? sql`for update of r` : sql``}`);
  return row ?? null;
}

/** Inserts the receipt unless its id exists; returns whether it was inserted. */
export async function insertReceipt(db: Executor, r: { id: string; orgId: string; storeId: string; note: string | null; openedBy: string }) {
  const result = await db.execute(sql`
    insert into receipts (id, org_id, store_id, note, opened_by) values (${r.id}, ${r.orgId}, ${r.storeId}, ${r.note}, ${r.openedBy})
    on conflict (id) do nothing`);
  return result.count > 0;
}

export type NewReceiptEntry = { id: string; ean: string; productId: string | null; quantity: number; replaces: string | null };

/**
 * Adds scans to a receipt (ids made on the device; codes already resolved to products). A scan already stored, or a
 * correction of an entry that another correction already replaced, is not added; returns the ids that were new.
 */
export async function insertEntries(tx: Executor, r: { orgId: string; receiptId: string; scannedBy: string }, entries: NewReceiptEntry[]) {
  if (entries.length === 0) return new Set<string>();
  const rows = await tx.execute<{ id: string }>(sql`
    insert into receipt_entries (id, org_id, receipt_id, ean, product_id, quantity, replaces, scanned_by)
    select e.id, ${r.orgId}, ${r.receiptId}, e.ean, e."productId", e.quantity, e.replaces, ${r.scannedBy}
      from jsonb_to_recordset(${jsonArray(entries)}) as e(id uuid, ean text, "productId" uuid, quantity numeric, replaces uuid)
    on conflict do nothing
    returning id`);
  return new Set([...rows].map((row) => row.id));
}

/** Which receipt each of these entry ids is stored in (absent: not stored); another org's id reads as "elsewhere". */
export async function entryReceipts(db: Executor, orgId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.execute<{ id: string; receiptId: string }>(sql`
    select id, case when org_id = ${orgId} then receipt_id::text else 'another-org' end as "receiptId"
      from receipt_entries where id in (select x::uuid from jsonb_array_elements_text(${jsonArray(ids)}) as t(x))`);
  return new Map([...rows].map((row) => [row.id, row.receiptId]));
}

export async function countEntries(db: Executor, receiptId: string): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`select count(*)::int as n from receipt_entries where receipt_id = ${receiptId}`);
  return row?.n ?? 0;
}

/** The receipt's entries that still count: those no correction replaced. */
const effectiveEntries = (receiptId: string) => sql`
  select e.ean, e.product_id, e.quantity from receipt_entries e
   where e.receipt_id = ${receiptId} and not exists (select 1 from receipt_entries c where c.replaces = e.id and c.receipt_id = e.receipt_id)`;

export type ReceiptLine = {
  ean: string;
  productId: string | null;
  name: string | null;
  unit: string | null;
  /** Sum of the scans (corrections included). */
  received: number;
  /** Still to receive on the store's approved requests for the product (before this receipt is closed). */
  expected: number;
  /** Received beyond what the requests still expect: a manager must accept it. */
  excess: number;
};

/** A receipt's lines, per code: what arrived, what the store's requests still expect, the excess; unknown codes apart. */
export async function receiptLines(db: Executor, receipt: { id: string; orgId: string; storeId: string }): Promise<ReceiptLine[]> {
  const rows = await db.execute<ReceiptLine>(sql`
    with scanned as (
      select case when e.product_id is null then e.ean end as code, e.product_id, sum(e.quantity) as received
        from (${effectiveEntries(receipt.id)}) e group by 1, 2 having sum(e.quantity) <> 0
    ),
    expected as (
      select o.product_id, sum(o.remaining) as expected from (${openItems(receipt.orgId, receipt.storeId)}) o
       where o.product_id in (select product_id from scanned where product_id is not null)
       group by o.product_id
    )
    select coalesce(p.ean, s.code) as ean, s.product_id as "productId", p.name, p.unit, s.received::float8 as received,
           coalesce(x.expected, 0)::float8 as expected,
           case when s.product_id is null then 0 else greatest(s.received - coalesce(x.expected, 0), 0) end::float8 as excess
      from scanned s left join products p on p.id = s.product_id left join expected x on x.product_id = s.product_id
     order by p.name nulls last, 1`);
  return [...rows];
}

export type FilledItem = { itemId: string; requestId: string; requestNumber: string; productId: string; requestedBy: string; buyerId: string | null; approved: number; received: number };

/**
 * Fills the store's open request items with what arrived, per product, oldest request first; returns the items it
 * changed with their new received quantity. The caller holds the store's receiving lock (`lockStoreReceiving`): two
 * receipts closing at once for the same product would otherwise both fill the same remainder.
 */
export async function fillRequestItems(tx: Executor, receipt: { id: string; orgId: string; storeId: string }): Promise<FilledItem[]> {
  const rows = await tx.execute<FilledItem>(sql`
    with arrived as (
      select product_id, sum(quantity) as quantity from (${effectiveEntries(receipt.id)}) e
       where product_id is not null group by product_id having sum(quantity) > 0
    ),
    open_items as (
      select o.* from (${openItems(receipt.orgId, receipt.storeId)}) o where o.product_id in (select product_id from arrived)
    ),
    shares as (
      select o.id, o.request_id, o.request_number, o.product_id, o.created_by, o.buyer_id, o.approved, o.received,
             least(o.remaining, greatest(a.quantity - coalesce(sum(o.remaining) over (partition by o.product_id order by o.requested_at, o.request_id, o.position
                                                                                         rows between unbounded preceding and 1 preceding), 0), 0)) as take
        from open_items o join arrived a using (product_id)
    )
    update purchase_request_items i set received_quantity = i.received_quantity + s.take
      from shares s
     where i.id = s.id and s.take > 0
    returning i.id as "itemId", s.request_id as "requestId", s.request_number as "requestNumber", s.product_id as "productId", s.created_by as "requestedBy", s.buyer_id as "buyerId",
              s.approved::float8 as approved, i.received_quantity::float8 as received`);
  return [...rows];
}

/** What arrived per product (net of corrections, only what is more than nothing): the receipt's stock movements. */
export async function arrivedPerProduct(db: Executor, receiptId: string): Promise<{ productId: string; quantity: number }[]> {
  const rows = await db.execute<{ productId: string; quantity: number }>(sql`
    select product_id as "productId", sum(quantity)::float8 as quantity from (${effectiveEntries(receiptId)}) e
     where product_id is not null group by product_id having sum(quantity) > 0 order by product_id`);
  return [...rows];
}

export type ReceiptOutcome = { products: number; excessProducts: number; unknownCodes: number; partialItems: number };

export async function markClosed(tx: Executor, receiptId: string, closedBy: string, outcome: ReceiptOutcome) {
  await tx.execute(sql`
    update receipts set status = 'closed', closed_by = ${closedBy}, closed_at = now(), products = ${outcome.products},
           excess_products = ${outcome.excessProducts}, unknown_codes = ${outcome.unknownCodes}, partial_items = ${outcome.partialItems}
     where id = ${receiptId}`);
}

export async function openReceipts(db: Executor, orgId: string, storeId: string) {
  const rows = await db.execute<{ id: string; note: string | null; openedAt: string; openedByName: string; entries: number }>(sql`
    select r.id, r.note, r.opened_at as "openedAt", u.name as "openedByName",
           (select count(*)::int from receipt_entries e where e.receipt_id = r.id) as entries
      from receipts r join users u on u.id = r.opened_by
     where r.org_id = ${orgId} and r.store_id = ${storeId} and r.status = 'open'
     order by r.opened_at desc limit 100`);
  return [...rows];
}

/** One receipt of a store closes at a time (for the transaction): the remainders it fills are read and written under it. */
export async function lockStoreReceiving(tx: Executor, storeId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`receiving:${storeId}`}, 0))`);
}

/** Each product's buyer (null: none), for the products of `ids`. */
export async function productBuyers(db: Executor, ids: string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db.execute<{ id: string; buyerId: string | null }>(sql`
    select id, buyer_id as "buyerId" from products where id in (select x::uuid from jsonb_array_elements_text(${jsonArray(ids)}) as t(x))`);
  return new Map([...rows].map((r) => [r.id, r.buyerId]));
}

/** What a tablet said it still holds for the receipt (its last sync). */
export async function recordReceiptDevice(tx: Executor, r: { receiptId: string; deviceId: string; userId: string; pendingCount: number }) {
  await tx.execute(sql`
    insert into receipt_devices (receipt_id, device_id, user_id, pending_count, last_sync_at)
    values (${r.receiptId}, ${r.deviceId}, ${r.userId}, ${r.pendingCount}, now())
    on conflict (receipt_id, device_id) do update set user_id = excluded.user_id, pending_count = excluded.pending_count, last_sync_at = now()`);
}

/** Tablets that last said they still hold scans of the receipt. */
export async function pendingReceiptDevices(db: Executor, receiptId: string) {
  const rows = await db.execute<{ deviceId: string; userName: string; pendingCount: number }>(sql`
    select d.device_id as "deviceId", u.name as "userName", d.pending_count as "pendingCount"
      from receipt_devices d join users u on u.id = d.user_id
     where d.receipt_id = ${receiptId} and d.pending_count > 0 order by d.last_sync_at`);
  return [...rows];
}

export type ClosedReceipt = ReceiptOutcome & { id: string; note: string | null; openedByName: string; closedByName: string | null; openedAt: string; closedAt: string };

/** A store's closed deliveries, newest first, with what each close found (keyset on closed_at, id). */
export async function closedReceipts(db: Executor, orgId: string, storeId: string, params: { after: [string, string] | null; limit: number }) {
  const rows = await db.execute<ClosedReceipt>(sql`
    select r.id, r.note, o.name as "openedByName", c.name as "closedByName", r.opened_at as "openedAt",
           to_char(r.closed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "closedAt",
           r.products, r.excess_products as "excessProducts", r.unknown_codes as "unknownCodes", r.partial_items as "partialItems"
      from receipts r join users o on o.id = r.opened_by left join users c on c.id = r.closed_by
     where r.store_id = ${storeId} and r.org_id = ${orgId} and r.status = 'closed'
       ${params.after ? sql`and (r.closed_at, r.id) < (${params.after[0]}::timestamptz, ${params.after[1]}::uuid)` : sql``}
     order by r.closed_at desc, r.id desc
     limit ${params.limit + 1}`);
  return [...rows];
}
