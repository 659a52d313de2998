import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client';
import { inventoryAssignments, inventorySessions, storeMemberships, stores, users, type inventorySessionStatuses } from '../../db/schema';
import type { ScaleBarcodeLayout } from '../../db/schema/organizations';
import { decodeCursor, toPage } from '../../db/cursor';

export type SessionStatus = (typeof inventorySessionStatuses)[number];
export type SessionFilter = { categories?: string[]; zones?: string[] };
/** What the line computation needs to know about a session. */
export type LineScope = { id: string; orgId: string; status: SessionStatus; filter: SessionFilter };

/** A JSON array parameter, read set-based on the server (never one parameter per element). */
const jsonArray = (values: unknown[]) => sql`${JSON.stringify(values)}::jsonb`;
const textSet = (values: string[]) => sql`(select jsonb_array_elements_text(${jsonArray(values)}))`;

const opener = alias(users, 'opener');

const sessionColumns = {
  id: inventorySessions.id,
  storeId: inventorySessions.storeId,
  storeName: stores.name,
  scope: inventorySessions.scope,
  filter: inventorySessions.filter,
  blind: inventorySessions.blind,
  status: inventorySessions.status,
  varianceThreshold: inventorySessions.varianceThreshold,
  note: inventorySessions.note,
  openedBy: inventorySessions.openedBy,
  openedByName: opener.name,
  openedAt: inventorySessions.openedAt,
  finalizedAt: inventorySessions.finalizedAt,
  finalizedBy: inventorySessions.finalizedBy,
  cancelledAt: inventorySessions.cancelledAt,
};

export type AssignmentView = { userId: string; name: string; zone: string };
export type RecountRequestView = {
  ean: string;
  productId: string | null;
  name: string | null;
  requestedAt: string;
  recounted: boolean;
  /** Who counted the line in the first count: they may not recount it (a recount is made by someone else). */
  firstCountBy: string[];
};

const assignmentsJson = sql<AssignmentView[]>`coalesce((
  select json_agg(json_build_object('userId', a.user_id, 'name', u.name, 'zone', a.zone) order by u.name, a.zone)
  from ${inventoryAssignments} a join ${users} u on u.id = a.user_id
  where a.session_id = ${inventorySessions.id}), '[]')`;

const recountRequestsOf = (sessionId: SQL | string) => sql<RecountRequestView[]>`coalesce((
  select json_agg(json_build_object(
    'ean', r.ean, 'productId', r.product_id, 'name', p.name, 'requestedAt', r.requested_at,
    'recounted', exists (
      select 1 from count_entries e left join products ep on ep.id = e.product_id
      where e.session_id = r.session_id and e.recount and coalesce(ep.ean, e.ean) = r.ean),
    'firstCountBy', coalesce((
      select json_agg(distinct e.counted_by) from count_entries e left join products ep on ep.id = e.product_id
      where e.session_id = r.session_id and not e.recount and coalesce(ep.ean, e.ean) = r.ean), '[]')
  ) order by r.ean)
  from inventory_recounts r left join products p on p.id = r.product_id
  where r.session_id = ${sessionId}), '[]')`;

/** A session with its store, opener, assignments and recount requests: one statement. Nothing about expected quantities. */
export async function findSessionDetail(db: Executor, orgId: string, sessionId: string) {
  const [row] = await db
    .select({ ...sessionColumns, assignments: assignmentsJson, recountRequests: recountRequestsOf(sql`${inventorySessions.id}`) })
    .from(inventorySessions)
    .innerJoin(stores, eq(stores.id, inventorySessions.storeId))
    .innerJoin(opener, eq(opener.id, inventorySessions.openedBy))
    .where(and(eq(inventorySessions.orgId, orgId), eq(inventorySessions.id, sessionId)))
    .limit(1);
  return row;
}
export type SessionDetail = NonNullable<Awaited<ReturnType<typeof findSessionDetail>>>;

export type SessionAccessRow = {
  id: string;
  orgId: string;
  storeId: string;
  status: SessionStatus;
  blind: boolean;
  scope: 'full' | 'partial';
  filter: SessionFilter;
  varianceThreshold: number;
  assigned: boolean;
  scaleBarcode: ScaleBarcodeLayout | null;
};

/**
 * The session row with what access checks need (is `userId` assigned; the org's scale layout). `lock` takes a
 * row lock: `share` for syncs (they run side by side), `update` for finalize/cancel (they wait for syncs in flight).
 */
export async function findSessionForAccess(
  db: Executor,
  orgId: string,
  sessionId: string,
  userId: string,
  lock: 'share' | 'update' | null = null,
): Promise<SessionAccessRow | undefined> {
  const rows = await db.execute<{
    id: string;
    org_id: string;
    store_id: string;
    status: SessionStatus;
    blind: boolean;
    scope: 'full' | 'partial';
    filter: SessionFilter;
    variance_threshold: number;
    assigned: boolean;
    scale_barcode: ScaleBarcodeLayout | null;
  }>(sql`
    select s.id, s.org_id, s.store_id, s.status, s.blind, s.scope, s.filter, s.variance_threshold::float8 as variance_threshold,
           exists (select 1 from inventory_assignments a where a.session_id = s.id and a.user_id = ${userId}) as assigned,
           o.settings -> 'scaleBarcode' as scale_barcode
      from inventory_sessions s join organizations o on o.id = s.org_id
     where s.id = ${sessionId} and s.org_id = ${orgId}
     ${lock === 'share' ? sql`for share of s` : lock === 'update' ? sql`for update of s` : sql``}`);
  const r = [...rows][0];
  if (!r) return undefined;
  return {
    id: r.id,
    orgId: r.org_id,
    storeId: r.store_id,
    status: r.status,
    blind: r.blind,
    scope: r.scope,
    filter: r.filter,
    varianceThreshold: r.variance_threshold,
    assigned: r.assigned,
    scaleBarcode: r.scale_barcode,
  };
}

export async function findOpenSessionOfStore(db: Executor, orgId: string, storeId: string) {
  const [row] = await db
    .select({ id: inventorySessions.id, openedAt: inventorySessions.openedAt, openedByName: opener.name })
    .from(inventorySessions)
    .innerJoin(opener, eq(opener.id, inventorySessions.openedBy))
    .where(and(eq(inventorySessions.orgId, orgId), eq(inventorySessions.storeId, storeId), eq(inventorySessions.status, 'open')))
    .limit(1);
  return row;
}

/**
 * Inserts an open session unless its id is taken or the store already has an open one (the partial unique index
 * decides, so two managers opening at once get one session). Returns whether it was inserted.
 */
export async function insertSession(
  tx: Executor,
  values: { id: string; orgId: string; storeId: string; scope: 'full' | 'partial'; filter: SessionFilter; blind: boolean; varianceThreshold: number; note: string | null; openedBy: string },
): Promise<boolean> {
  const inserted = await tx.insert(inventorySessions).values(values).onConflictDoNothing().returning({ id: inventorySessions.id });
  return inserted.length > 0;
}

/** The expected quantity per product from the store's stock, in one INSERT … SELECT (only the categories, if given). */
export async function snapshotExpected(tx: Executor, session: { id: string; orgId: string; storeId: string; categories: string[] | null }): Promise<number> {
  const result = await tx.execute(sql`
    insert into inventory_expected (session_id, product_id, expected_quantity)
    select ${session.id}, s.product_id, s.quantity
      from store_stock s
      ${session.categories ? sql`join products p on p.id = s.product_id and p.category in ${textSet(session.categories)}` : sql``}
     where s.org_id = ${session.orgId} and s.store_id = ${session.storeId}`);
  return result.count;
}

/** Users who may be assigned: active, of the org, and (for clerks) working at the store. */
export async function findAssignableUsers(db: Executor, orgId: string, storeId: string, userIds: string[]) {
  if (userIds.length === 0) return [];
  return db
    .select({
      id: users.id,
      name: users.name,
      role: users.role,
      active: users.active,
      worksAtStore: sql<boolean>`exists (select 1 from ${storeMemberships} m where m.user_id = ${users.id} and m.store_id = ${storeId})`,
    })
    .from(users)
    .where(and(eq(users.orgId, orgId), inArray(users.id, userIds)));
}

export type AssignableCounter = {
  userId: string;
  name: string;
  role: 'clerk' | 'manager' | 'admin' | 'buyer';
  active: boolean;
  worksAtStore: boolean;
  /** The zones this person is assigned to in the session ('' = any zone); empty when not assigned. */
  zones: string[];
};

/**
 * The assignment picker's people for a session: active clerks, managers and admins who work at its store, plus
 * whoever is assigned now (even if they no longer qualify, so they can be taken off). One statement.
 */
export async function listAssignableCounters(db: Executor, s: { id: string; orgId: string; storeId: string }): Promise<AssignableCounter[]> {
  const rows = await db.execute<{ user_id: string; name: string; role: AssignableCounter['role']; active: boolean; works_at_store: boolean; zones: string[] }>(sql`
    select u.id as user_id, u.name, u.role, u.active,
           exists (select 1 from store_memberships m where m.user_id = u.id and m.store_id = ${s.storeId}) as works_at_store,
           coalesce((select json_agg(a.zone order by a.zone) from inventory_assignments a where a.session_id = ${s.id} and a.user_id = u.id), '[]') as zones
      from users u
     where u.org_id = ${s.orgId}
       and ((u.active and u.role in ('clerk', 'manager', 'admin')
             and exists (select 1 from store_memberships m where m.user_id = u.id and m.store_id = ${s.storeId}))
            or exists (select 1 from inventory_assignments a where a.session_id = ${s.id} and a.user_id = u.id))
     order by u.name, u.id`);
  return [...rows].map((r) => ({ userId: r.user_id, name: r.name, role: r.role, active: r.active, worksAtStore: r.works_at_store, zones: r.zones }));
}

/** Makes the session's assignments exactly `assignments` (delete the others, insert the new). Returns the previous list. */
export async function replaceAssignments(tx: Executor, sessionId: string, assignments: { userId: string; zone: string }[]) {
  const before = await tx.select({ userId: inventoryAssignments.userId, zone: inventoryAssignments.zone }).from(inventoryAssignments).where(eq(inventoryAssignments.sessionId, sessionId));
  const rows = jsonArray(assignments.map((a) => ({ user_id: a.userId, zone: a.zone })));
  await tx.execute(sql`
    delete from inventory_assignments a
     where a.session_id = ${sessionId}
       and not exists (select 1 from jsonb_to_recordset(${rows}) as n(user_id uuid, zone text) where n.user_id = a.user_id and n.zone = a.zone)`);
  await tx.execute(sql`
    insert into inventory_assignments (session_id, user_id, zone)
    select ${sessionId}, n.user_id, n.zone from jsonb_to_recordset(${rows}) as n(user_id uuid, zone text)
    on conflict do nothing`);
  return before;
}

export type SessionListParams = { cursor?: string | null; limit: number; storeId?: string | null; status?: SessionStatus[] | null; assignedTo?: string | null };

/** Newest first; one statement per page. `assignedTo` restricts to sessions the user is assigned to (clerks). */
export async function listSessions(db: Executor, orgId: string, params: SessionListParams) {
  const after = decodeCursor<[string, string]>(params.cursor, ['time', 'uuid']);
  const rows = await db
    .select(sessionColumns)
    .from(inventorySessions)
    .innerJoin(stores, eq(stores.id, inventorySessions.storeId))
    .innerJoin(opener, eq(opener.id, inventorySessions.openedBy))
    .where(
      and(
        eq(inventorySessions.orgId, orgId),
        params.storeId ? eq(inventorySessions.storeId, params.storeId) : undefined,
        params.status?.length ? inArray(inventorySessions.status, params.status) : undefined,
        params.assignedTo
          ? sql`exists (select 1 from ${inventoryAssignments} a where a.session_id = ${inventorySessions.id} and a.user_id = ${params.assignedTo})`
          : undefined,
        after ? sql`(${inventorySessions.openedAt}, ${inventorySessions.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(inventorySessions.openedAt), desc(inventorySessions.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => [r.openedAt.toISOString(), r.id]);
}

export async function setSessionStatus(
  tx: Executor,
  orgId: string,
  sessionId: string,
  values: { status: 'finalized'; finalizedAt: Date; finalizedBy: string } | { status: 'cancelled'; cancelledAt: Date; cancelledBy: string },
) {
  await tx
    .update(inventorySessions)
    .set(values)
    .where(and(eq(inventorySessions.orgId, orgId), eq(inventorySessions.id, sessionId)));
}

// ---- sync

export type ScanProduct = { id: string; ean: string; plu: string | null; price: number };

/** Products matching any of the EANs or PLUs: one statement for a whole batch. */
export async function findProductsForScans(db: Executor, orgId: string, eans: string[], plus: string[]): Promise<ScanProduct[]> {
  if (eans.length === 0 && plus.length === 0) return [];
  const rows = await db.execute<ScanProduct>(sql`
    select id, ean, plu, reference_price::float8 as price
      from products
     where org_id = ${orgId} and (ean in ${textSet(eans)} or plu in ${textSet(plus)})`);
  return [...rows];
}

/** Which of these entry ids are stored, and in which session. */
export async function findEntrySessions(db: Executor, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.execute<{ id: string; session_id: string }>(sql`
    select id, session_id from count_entries where id in (select jsonb_array_elements_text(${jsonArray(ids)})::uuid)`);
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

/**
 * The session's lines as a `lines` CTE: one per EAN (the product's; an unmatched code's own), with the counted
 * quantity under the log's rules, the snapshot's expected quantity, the unit price, the entries behind it, the
 * per-zone split and whether the line is in the session's scope.
 *  - an entry replaced by another (`replaces`) no longer counts; the replacement does;
 *  - once a line has recount entries, only they count (the first count stays in the log);
 *  - an entry stored unmatched counts for a product created with its EAN since;
 *  - products in the snapshot never counted are lines counted zero, except in sessions limited to zones;
 *  - in a session limited to categories, counts of products of other categories are out of scope.
 * A finalized session's lines are its stored totals.
 */
export function sessionLinesCte(s: LineScope): SQL {
  if (s.status === 'finalized') {
    return sql`lines as (
      select t.ean, t.product_id, t.counted_quantity as counted, t.expected_quantity as expected, t.unit_price,
             t.entry_count, t.recounted, t.zones, true as in_scope
        from inventory_totals t where t.session_id = ${s.id})`;
  }
  const categories = s.filter.categories ?? [];
  const zeroUncounted = !s.filter.zones?.length;
  return sql`
    eff as (
      select coalesce(p.ean, e.ean) as ean, coalesce(e.product_id, m.id) as product_id, e.quantity, e.recount, e.zone,
             bool_or(e.recount) over (partition by coalesce(p.ean, e.ean)) as line_recounted
        from count_entries e
        left join products p on p.id = e.product_id
        left join products m on e.product_id is null and m.org_id = ${s.orgId} and m.ean = e.ean
       where e.session_id = ${s.id}
         and not exists (select 1 from count_entries r where r.session_id = ${s.id} and r.replaces = e.id)
    ),
    per_zone as (
      select ean, zone, (array_agg(product_id) filter (where product_id is not null))[1] as product_id,
             sum(quantity) as quantity, count(*) as entries, bool_or(recount) as recounted
        from eff
       where recount or not line_recounted
       group by ean, zone
    ),
    counted as (
      select ean, (array_agg(product_id) filter (where product_id is not null))[1] as product_id,
             sum(quantity) as counted, sum(entries)::int as entry_count, bool_or(recounted) as recounted,
             jsonb_agg(jsonb_build_object('zone', zone, 'quantity', quantity) order by zone) as zones
        from per_zone
       group by ean
    ),
    expected as (
      select p.ean, x.product_id, x.expected_quantity
        from inventory_expected x join products p on p.id = x.product_id
       where x.session_id = ${s.id}
    ),
    lines as (
      select coalesce(c.ean, x.ean) as ean, coalesce(c.product_id, x.product_id) as product_id,
             coalesce(c.counted, 0) as counted, coalesce(x.expected_quantity, 0) as expected,
             coalesce(pp.reference_price, 0) as unit_price, coalesce(c.entry_count, 0) as entry_count,
             coalesce(c.recounted, false) as recounted, coalesce(c.zones, '[]'::jsonb) as zones,
             (${categories.length === 0} or x.product_id is not null or pp.id is null or pp.category in ${textSet(categories)}) as in_scope
        from counted c
        full join expected x on x.ean = c.ean
        left join products pp on pp.id = coalesce(c.product_id, x.product_id)
       where c.ean is not null or ${zeroUncounted}
    )`;
}

/**
 * Finalize's arithmetic in one statement: every in-scope line goes to inventory_totals with its variance
 * (quantity and value at the reference price). Returns the line count and the summed variance value.
 */
export async function writeTotals(tx: Executor, s: LineScope): Promise<{ lines: number; varianceValue: number }> {
  const rows = await tx.execute<{ lines: number; variance_value: number }>(sql`
    with ${sessionLinesCte({ ...s, status: 'open' })},
    ins as (
      insert into inventory_totals (session_id, ean, product_id, counted_quantity, expected_quantity, variance_quantity, variance_value, unit_price, entry_count, recounted, zones)
      select ${s.id}, ean, product_id, counted, expected, counted - expected, round((counted - expected) * unit_price, 2), unit_price, entry_count, recounted, zones
        from lines where in_scope
      returning variance_value
    )
    select count(*)::int as lines, coalesce(sum(variance_value), 0)::float8 as variance_value from ins`);
  const r = [...rows][0]!;
  return { lines: r.lines, varianceValue: r.variance_value };
}

/**
 * The store's stock becomes the counted quantity of every matched line of the session's totals (one statement).
 * Rows are written in product order, as the CSV import does, so the two never deadlock on a store's rows.
 */
export async function updateStockFromTotals(tx: Executor, s: { id: string; orgId: string; storeId: string }): Promise<number> {
  const result = await tx.execute(sql`
    insert into store_stock (org_id, store_id, product_id, quantity, updated_at)
    select ${s.orgId}, ${s.storeId}, t.product_id, t.counted_quantity, now()
      from inventory_totals t
     where t.session_id = ${s.id} and t.product_id is not null
     order by t.product_id
    on conflict (store_id, product_id) do update set quantity = excluded.quantity, updated_at = now()`);
  return result.count;
}

export async function totalsSummary(db: Executor, sessionId: string) {
  const rows = await db.execute<{ lines: number; variance_value: number }>(sql`
    select count(*)::int as lines, coalesce(sum(variance_value), 0)::float8 as variance_value from inventory_totals where session_id = ${sessionId}`);
  const r = [...rows][0]!;
  return { lines: r.lines, varianceValue: r.variance_value };
}

export type ReviewLine = {
  ean: string;
  productId: string | null;
  name: string | null;
  unit: string | null;
  category: string | null;
  counted: number;
  expected: number;
  varianceQuantity: number;
  varianceValue: number;
  unitPrice: number;
  entryCount: number;
  zones: { zone: string; quantity: number }[];
  flagged: boolean;
  recounted: boolean;
  recountRequested: boolean;
  unmatched: boolean;
  inScope: boolean;
};

export type ReviewSummary = {
  lines: number;
  countedLines: number;
  uncountedLines: number;
  flaggedLines: number;
  unmatchedLines: number;
  outOfScopeLines: number;
  countedQuantity: number;
  expectedQuantity: number;
  varianceValue: number;
  absoluteVarianceValue: number;
};
export type ZoneTotal = { zone: string; lines: number; quantity: number };

export type ReviewParams = { cursor?: string | null; limit: number; only?: 'flagged' | 'uncounted' | 'unmatched' | 'recount' | null };

/**
 * A page of review lines by EAN (keyset), and on the first page the summary and per-zone totals: one statement.
 * A line is flagged when |counted − expected| exceeds the threshold share of the expected quantity.
 */
export async function reviewSession(db: Executor, s: LineScope & { varianceThreshold: number }, params: ReviewParams) {
  const after = decodeCursor<[string]>(params.cursor, ['text']);
  const first = !after;
  const only = {
    flagged: sql`and f.flagged`,
    uncounted: sql`and f.entry_count = 0`,
    unmatched: sql`and f.product_id is null`,
    recount: sql`and (f.recount_requested or f.recounted)`,
  };
  const rows = await db.execute<{ items: ReviewLine[]; summary: ReviewSummary | null; zones: ZoneTotal[] | null }>(sql`
    with ${sessionLinesCte(s)},
    f as (
      select l.*, abs(l.counted - l.expected) > ${s.varianceThreshold}::numeric * abs(l.expected) as flagged,
             exists (select 1 from inventory_recounts r where r.session_id = ${s.id} and r.ean = l.ean) as recount_requested
        from lines l
    ),
    page as (
      select f.*, p.name, p.unit, p.category
        from f left join products p on p.id = f.product_id
       where true ${after ? sql`and f.ean > ${after[0]}` : sql``} ${params.only ? only[params.only] : sql``}
       order by f.ean
       limit ${params.limit + 1}
    )
    select
      (select coalesce(json_agg(json_build_object(
          'ean', ean, 'productId', product_id, 'name', name, 'unit', unit, 'category', category,
          'counted', counted::float8, 'expected', expected::float8, 'varianceQuantity', (counted - expected)::float8,
          'varianceValue', round((counted - expected) * unit_price, 2)::float8, 'unitPrice', unit_price::float8,
          'entryCount', entry_count, 'zones', zones, 'flagged', flagged, 'recounted', recounted,
          'recountRequested', recount_requested, 'unmatched', product_id is null, 'inScope', in_scope
        ) order by ean), '[]') from page) as items,
      ${
        first
          ? sql`(select json_build_object(
          'lines', count(*) filter (where in_scope),
          'countedLines', count(*) filter (where in_scope and entry_count > 0),
          'uncountedLines', count(*) filter (where in_scope and entry_count = 0),
          'flaggedLines', count(*) filter (where in_scope and flagged),
          'unmatchedLines', count(*) filter (where product_id is null),
          'outOfScopeLines', count(*) filter (where not in_scope),
          'countedQuantity', coalesce(sum(counted) filter (where in_scope), 0)::float8,
          'expectedQuantity', coalesce(sum(expected) filter (where in_scope), 0)::float8,
          'varianceValue', coalesce(sum(round((counted - expected) * unit_price, 2)) filter (where in_scope), 0)::float8,
          'absoluteVarianceValue', coalesce(sum(abs(round((counted - expected) * unit_price, 2))) filter (where in_scope), 0)::float8
        ) from f) as summary,
      (select coalesce(json_agg(json_build_object('zone', zone, 'lines', lines, 'quantity', quantity::float8) order by zone), '[]')
         from (select z.zone, count(*)::int as lines, sum(z.quantity) as quantity
                 from f, jsonb_to_recordset(f.zones) as z(zone text, quantity numeric)
                where f.in_scope group by z.zone) zz) as zones`
          : sql`null::json as summary, null::json as zones`
      }`);
  const r = [...rows][0]!;
  const page = toPage(r.items, params.limit, (l) => [l.ean]);
  return { ...page, summary: r.summary, zones: r.zones };
}

// ---- progress

export type ProgressView = {
  totals: { entries: number; products: number; unmatchedEntries: number };
  zones: { zone: string; entries: number; products: number; lastCountedAt: string | null }[];
  clerks: { userId: string; name: string; entries: number; products: number; lastCountedAt: string | null }[];
  devices: { deviceId: string; userId: string; userName: string; pendingCount: number; lastSeq: number; lastSyncAt: string }[];
  recountRequests: RecountRequestView[];
};

/**
 * Counting activity per zone, per clerk and per device, in one statement. Zones and clerks that were assigned
 * but have counted nothing yet show with zero. Only counts of scans: never an expected quantity.
 */
export async function sessionProgress(db: Executor, sessionId: string, filterZones: string[]): Promise<ProgressView> {
  const rows = await db.execute<ProgressView>(sql`
    with e as (
      select zone, counted_by, coalesce(product_id::text, ean) as k, product_id, counted_at
        from count_entries where session_id = ${sessionId}
    ),
    zone_names as (
      select zone from e
      union select zone from inventory_assignments where session_id = ${sessionId} and zone <> ''
      union select jsonb_array_elements_text(${jsonArray(filterZones)})
    ),
    clerk_ids as (
      select counted_by as user_id from e
      union select user_id from inventory_assignments where session_id = ${sessionId}
    )
    select
      (select json_build_object('entries', count(*)::int, 'products', count(distinct k)::int, 'unmatchedEntries', (count(*) filter (where product_id is null))::int) from e) as totals,
      (select coalesce(json_agg(json_build_object('zone', z.zone, 'entries', coalesce(a.entries, 0), 'products', coalesce(a.products, 0), 'lastCountedAt', a.last_counted_at) order by z.zone), '[]')
         from (select distinct zone from zone_names) z
         left join (select zone, count(*)::int as entries, count(distinct k)::int as products, max(counted_at) as last_counted_at from e group by zone) a on a.zone = z.zone) as zones,
      (select coalesce(json_agg(json_build_object('userId', u.id, 'name', u.name, 'entries', coalesce(a.entries, 0), 'products', coalesce(a.products, 0), 'lastCountedAt', a.last_counted_at) order by u.name, u.id), '[]')
         from (select distinct user_id from clerk_ids) c
         join users u on u.id = c.user_id
         left join (select counted_by, count(*)::int as entries, count(distinct k)::int as products, max(counted_at) as last_counted_at from e group by counted_by) a on a.counted_by = c.user_id) as clerks,
      (select coalesce(json_agg(json_build_object('deviceId', d.device_id, 'userId', d.user_id, 'userName', u.name, 'pendingCount', d.pending_count, 'lastSeq', d.last_seq, 'lastSyncAt', d.last_sync_at) order by d.device_id), '[]')
         from inventory_devices d join users u on u.id = d.user_id where d.session_id = ${sessionId}) as devices,
      ${recountRequestsOf(sessionId)} as "recountRequests"`);
  return [...rows][0]!;
}

// ---- recounts

/**
 * Marks lines for recount, set-based. An EAN is accepted when it is a line of the session (in the snapshot, or
 * counted); returns the EANs marked (also those marked before) and the unknown ones.
 */
export async function insertRecountRequests(tx: Executor, s: { id: string; orgId: string }, eans: string[], requestedBy: string) {
  const rows = await tx.execute<{ ean: string; product_id: string | null; known: boolean }>(sql`
    with wanted as (select distinct w as ean from jsonb_array_elements_text(${jsonArray(eans)}) w),
    known as (
      select w.ean,
             coalesce(
               (select x.product_id from inventory_expected x join products p on p.id = x.product_id where x.session_id = ${s.id} and p.ean = w.ean),
               (select p.id from products p where p.org_id = ${s.orgId} and p.ean = w.ean
                   and exists (select 1 from count_entries e where e.session_id = ${s.id} and e.product_id = p.id))
             ) as product_id,
             exists (select 1 from count_entries e where e.session_id = ${s.id} and e.product_id is null and e.ean = w.ean) as unmatched_counted
        from wanted w
    ),
    ins as (
      insert into inventory_recounts (session_id, ean, product_id, requested_by)
      select ${s.id}, ean, product_id, ${requestedBy} from known where product_id is not null or unmatched_counted
      on conflict do nothing
      returning ean
    )
    select k.ean, k.product_id, (k.product_id is not null or k.unmatched_counted) as known from known k order by k.ean`);
  const all = [...rows];
  return { marked: all.filter((r) => r.known).map((r) => r.ean), unknown: all.filter((r) => !r.known).map((r) => r.ean) };
}

/**
 * The lines (by line EAN: the product's, or an unmatched code's own) among `lineEans` that `userId` counted in
 * the session's first count, i.e. with entries not marked as recount.
 */
export async function findFirstCountLines(db: Executor, sessionId: string, userId: string, lineEans: string[]): Promise<Set<string>> {
  if (lineEans.length === 0) return new Set();
  const rows = await db.execute<{ ean: string }>(sql`
    select distinct coalesce(p.ean, e.ean) as ean
      from count_entries e left join products p on p.id = e.product_id
     where e.session_id = ${sessionId} and e.counted_by = ${userId} and not e.recount
       and coalesce(p.ean, e.ean) in ${textSet(lineEans)}`);
  return new Set([...rows].map((r) => r.ean));
}

/** Of these requested lines, those a recount entry has already arrived for. */
export async function findRecountedLines(db: Executor, sessionId: string, eans: string[]): Promise<string[]> {
  if (eans.length === 0) return [];
  const rows = await db.execute<{ ean: string }>(sql`
    select distinct coalesce(p.ean, e.ean) as ean
      from count_entries e left join products p on p.id = e.product_id
     where e.session_id = ${sessionId} and e.recount and coalesce(p.ean, e.ean) in ${textSet(eans)}
     order by 1`);
  return [...rows].map((r) => r.ean);
}

/** Withdraws recount requests; returns the EANs whose request existed (and is now gone). */
export async function deleteRecountRequests(tx: Executor, sessionId: string, eans: string[]): Promise<string[]> {
  if (eans.length === 0) return [];
  const rows = await tx.execute<{ ean: string }>(sql`
    delete from inventory_recounts where session_id = ${sessionId} and ean in ${textSet(eans)} returning ean`);
  return [...rows].map((r) => r.ean).sort();
}

// ---- the offline lookup table

export type LookupProduct = { ean: string; name: string; unit: string; plu: string | null; price: number; category: string | null; expectedQuantity?: number | null };

/**
 * Active products by EAN (keyset), for a device's offline lookup table. The expected quantity is joined only
 * when `expectedFrom` names a session that is not blind: a blind session's numbers never enter the statement.
 */
export async function listLookupProducts(db: Executor, orgId: string, params: { cursor?: string | null; limit: number; expectedFrom: string | null }) {
  const after = decodeCursor<[string]>(params.cursor, ['text']);
  const rows = await db.execute<LookupProduct>(sql`
    select p.ean, p.name, p.unit, p.plu, p.reference_price::float8 as price, p.category
           ${params.expectedFrom ? sql`, x.expected_quantity::float8 as "expectedQuantity"` : sql``}
      from products p
      ${params.expectedFrom ? sql`left join inventory_expected x on x.session_id = ${params.expectedFrom} and x.product_id = p.id` : sql``}
     where p.org_id = ${orgId} and p.active ${after ? sql`and p.ean > ${after[0]}` : sql``}
     order by p.ean
     limit ${params.limit + 1}`);
  return toPage([...rows], params.limit, (r) => [r.ean]);
}

// ---- store stock

export async function findProductIdsByEan(db: Executor, orgId: string, eans: string[]): Promise<Map<string, string>> {
  if (eans.length === 0) return new Map();
  const rows = await db.execute<{ id: string; ean: string }>(sql`select id, ean from products where org_id = ${orgId} and ean in ${textSet(eans)}`);
  return new Map([...rows].map((r) => [r.ean, r.id]));
}

/** Sets the store's quantity of each product (one statement per batch); returns how many rows were new. */
export async function upsertStoreStock(tx: Executor, orgId: string, storeId: string, rows: { productId: string; quantity: number }[]) {
  if (rows.length === 0) return { created: 0, updated: 0 };
  const result = await tx.execute<{ created: boolean }>(sql`
    insert into store_stock (org_id, store_id, product_id, quantity, updated_at)
    select ${orgId}, ${storeId}, r.product_id, r.quantity, now()
      from jsonb_to_recordset(${jsonArray(rows.map((r) => ({ product_id: r.productId, quantity: r.quantity })))}) as r(product_id uuid, quantity numeric)
     order by r.product_id
    on conflict (store_id, product_id) do update set quantity = excluded.quantity, updated_at = now()
    returning (xmax = 0) as created`);
  const created = [...result].filter((r) => r.created).length;
  return { created, updated: rows.length - created };
}
