import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { anyOf, jsonArray } from '../../db/json';

export type ScanProduct = { id: string; ean: string; plu: string | null; price: number };

/** Products matching any of the EANs or PLUs: one statement for a whole batch. */
export async function findProductsForScans(db: Executor, orgId: string, eans: string[], plus: string[]): Promise<ScanProduct[]> {
  if (eans.length === 0 && plus.length === 0) return [];
  const rows = await db.execute<ScanProduct>(sql`
    select id, ean, plu, reference_price::float8 as price
      from products
     where org_id = ${orgId} and (ean = ${anyOf(eans, 'text')} or plu = ${anyOf(plus, 'text')})`);
  return [...rows];
}

/** Which of these entry ids are stored, and in which session. */
export async function findEntrySessions(db: Executor, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.execute<{ id: string; session_id: string }>(sql`
    select id, session_id from count_entries where id = ${anyOf(ids, 'uuid')}`);
  return new Map([...rows].map((r) => [r.id, r.session_id]));
}

export type NewCountEntry = {
  id: string;
  productId: string | null;
  ean: string;
  quantity: number;
  zone: string;
  seq: number;
  replaces: string | null;
  recount: boolean;
  countedAt: Date;
};

/**
 * Appends a batch to the scan log in one statement. `on conflict do nothing` makes a replayed entry (same id) a
 * no-op, also against a concurrent transaction inserting it; it equally skips an entry whose `replaces` target is
 * already replaced by another. Rows go in id order, so two batches sharing ids lock them in the same order.
 * Returns the ids actually inserted.
 */
export async function insertCountEntries(
  tx: Executor,
  base: { orgId: string; sessionId: string; countedBy: string; deviceId: string },
  entries: NewCountEntry[],
): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const rows = jsonArray(
    entries.map((e) => ({
      id: e.id,
      product_id: e.productId,
      ean: e.ean,
      quantity: e.quantity,
      zone: e.zone,
      seq: e.seq,
      replaces: e.replaces,
      recount: e.recount,
      counted_at: e.countedAt.toISOString(),
    })),
  );
  const inserted = await tx.execute<{ id: string }>(sql`
    insert into count_entries (id, org_id, session_id, product_id, ean, quantity, zone, counted_by, device_id, seq, replaces, recount, counted_at)
    select r.id, ${base.orgId}, ${base.sessionId}, r.product_id, r.ean, r.quantity, r.zone, ${base.countedBy}, ${base.deviceId}, r.seq, r.replaces, r.recount, r.counted_at
      from jsonb_to_recordset(${rows})
        as r(id uuid, product_id uuid, ean text, quantity numeric, zone text, seq int, replaces uuid, recount boolean, counted_at timestamptz)
     order by r.id
    on conflict do nothing
    returning id`);
  return new Set([...inserted].map((r) => r.id));
}

/**
 * Records what the device reported and returns how many of its entries the server holds. A batch older than
 * the last one seen (lower seq) does not overwrite the newer pending count.
 */
export async function recordDeviceSync(
  tx: Executor,
  values: { sessionId: string; deviceId: string; userId: string; pendingCount: number; batchMaxSeq: number | null },
) {
  const rows = await tx.execute<{ pending_count: number; last_seq: number; last_sync_at: string; server_count: number }>(sql`
    with d as (
      insert into inventory_devices as d (session_id, device_id, user_id, pending_count, last_seq, last_sync_at)
      values (${values.sessionId}, ${values.deviceId}, ${values.userId}, ${values.pendingCount}, ${values.batchMaxSeq ?? 0}, now())
      on conflict (session_id, device_id) do update set
        user_id = excluded.user_id,
        pending_count = case when ${values.batchMaxSeq}::int is null or ${values.batchMaxSeq}::int >= d.last_seq
                             then excluded.pending_count else d.pending_count end,
        last_seq = greatest(d.last_seq, excluded.last_seq),
        last_sync_at = now()
      returning d.pending_count, d.last_seq, d.last_sync_at
    )
    select d.pending_count, d.last_seq, d.last_sync_at,
           (select count(*) from count_entries e where e.session_id = ${values.sessionId} and e.device_id = ${values.deviceId})::int as server_count
      from d`);
  const r = [...rows][0]!;
  return { pendingCount: r.pending_count, lastSeq: r.last_seq, lastSyncAt: new Date(r.last_sync_at), serverCount: r.server_count };
}

export async function countDeviceEntries(db: Executor, sessionId: string, deviceId: string): Promise<number> {
  const rows = await db.execute<{ n: number }>(sql`select count(*)::int as n from count_entries where session_id = ${sessionId} and device_id = ${deviceId}`);
  return [...rows][0]!.n;
}

export async function findPendingDevices(db: Executor, sessionId: string) {
  const rows = await db.execute<{ device_id: string; user_id: string; user_name: string; pending_count: number; last_sync_at: string }>(sql`
    select d.device_id, d.user_id, u.name as user_name, d.pending_count, d.last_sync_at
      from inventory_devices d join users u on u.id = d.user_id
     where d.session_id = ${sessionId} and d.pending_count > 0
     order by d.device_id`);
  return [...rows].map((r) => ({ deviceId: r.device_id, userId: r.user_id, userName: r.user_name, pendingCount: r.pending_count, lastSyncAt: new Date(r.last_sync_at) }));
}

// ---- lines: the one definition of what a session counted, shared by review and finalize
