import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { decodeCursor, toPage } from '../../db/cursor';
import { jsonArray, textSet } from '../../db/json';
import type { UncountedResolution } from '../../db/schema';
import { recountRequestsOf, type LineScope, type RecountRequestView } from './sessions';

/**
 * The session's lines as a `lines` CTE, one per EAN: counted (under the log's rules: corrections, recounts,
 * late-matched codes; docs/architecture.md "Inventory lines"), expected, unit price, entries, per-zone split and
 * scope. A finalized session's lines are its stored totals.
 *
 * Expected = the quantity in the opening snapshot plus the stock movements that snapshot did not see (a delivery
 * received or an adjustment made while the count is open), per line: they are no variance. "Did not see" is exact:
 * each movement keeps its transaction id, the session its snapshot (pg_visible_in_snapshot).
 */
export function sessionLinesCte(s: LineScope): SQL {
  if (s.status === 'finalized') {
    return sql`lines as (
      select t.ean, t.product_id, t.counted_quantity as counted, t.expected_quantity as expected, t.unit_price,
             t.entry_count, t.recounted, t.zones, true as in_scope, t.uncounted
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
    moved as (
      select m.product_id, sum(m.quantity) as moved
        from inventory_sessions ss
        join stock_movements m on m.store_id = ss.store_id
             and m.txid >= pg_snapshot_xmin(ss.stock_snapshot::pg_snapshot)
             and not pg_visible_in_snapshot(m.txid, ss.stock_snapshot::pg_snapshot)
       where ss.id = ${s.id} and ss.stock_snapshot is not null
       group by m.product_id
      having sum(m.quantity) <> 0
    ),
    expected as (
      select p.ean, coalesce(x.product_id, mv.product_id) as product_id,
             coalesce(x.expected_quantity, 0) + coalesce(mv.moved, 0) as expected_quantity, x.product_id is not null as in_snapshot
        from (select product_id, expected_quantity from inventory_expected where session_id = ${s.id}) x
        full join moved mv on mv.product_id = x.product_id
        join products p on p.id = coalesce(x.product_id, mv.product_id)
    ),
    lines as (
      select coalesce(c.ean, x.ean) as ean, coalesce(c.product_id, x.product_id) as product_id,
             coalesce(c.counted, 0) as counted, coalesce(x.expected_quantity, 0) as expected,
             coalesce(pp.reference_price, 0) as unit_price, coalesce(c.entry_count, 0) as entry_count,
             coalesce(c.recounted, false) as recounted, coalesce(c.zones, '[]'::jsonb) as zones,
             (${categories.length === 0} or x.in_snapshot is true or pp.id is null or pp.category in ${textSet(categories)}) as in_scope,
             null::text as uncounted
        from counted c
        full join expected x on x.ean = c.ean
        left join products pp on pp.id = coalesce(c.product_id, x.product_id)
       where c.ean is not null or ${zeroUncounted}
    )`;
}

/**
 * Finalize's arithmetic in one statement: every in-scope line goes to inventory_totals with its variance
 * (quantity and value at the reference price). A line nobody counted that expected stock ("unaccounted") is
 * written as the manager chose: `zeroed` (counted 0) or `kept` (counted as expected, no variance; the stock update
 * skips it). Returns the line count, the summed variance value, and how many lines were unaccounted and the value
 * of their expected stock, so the caller can refuse (and roll back) when no choice covers them.
 */
export async function writeTotals(
  tx: Executor,
  s: LineScope,
  uncounted: UncountedResolution | null,
): Promise<{ lines: number; varianceValue: number; uncounted: UncountedFigures }> {
  const keep = uncounted === 'kept';
  const rows = await tx.execute<{ lines: number; variance_value: number; uncounted_lines: number; uncounted_value: number }>(sql`
    with ${sessionLinesCte({ ...s, status: 'open' })},
    decided as (
      select l.*, ${UNACCOUNTED} as unaccounted from lines l where in_scope
    ),
    written as (
      select d.*, case when d.unaccounted and ${keep} then d.expected else d.counted end as quantity from decided d
    ),
    ins as (
      insert into inventory_totals (session_id, ean, product_id, counted_quantity, expected_quantity, variance_quantity, variance_value, unit_price, entry_count, recounted, zones, uncounted)
      select ${s.id}, ean, product_id, quantity, expected, quantity - expected, round((quantity - expected) * unit_price, 2), unit_price, entry_count, recounted, zones,
             case when unaccounted then ${uncounted}::text end
        from written
      returning variance_value, entry_count, expected_quantity, unit_price
    )
    select count(*)::int as lines, coalesce(sum(variance_value), 0)::float8 as variance_value,
           (count(*) filter (where entry_count = 0 and expected_quantity <> 0))::int as uncounted_lines,
           coalesce(sum(round(expected_quantity * unit_price, 2)) filter (where entry_count = 0 and expected_quantity <> 0), 0)::float8 as uncounted_value
      from ins`);
  const r = [...rows][0]!;
  return { lines: r.lines, varianceValue: r.variance_value, uncounted: { lines: r.uncounted_lines, value: r.uncounted_value } };
}

/** Lines nobody counted that expected stock, and the value of that stock at the reference price. */
export type UncountedFigures = { lines: number; value: number };

/** A line is unaccounted when nobody counted it and it expected stock: finalize needs the manager's choice for it. */
const UNACCOUNTED = sql`(l.entry_count = 0 and l.expected <> 0)`;

/**
 * A line of `lines l` over the session's variance threshold: counted (or zeroed at finalize) and off its expected
 * quantity by more than that share of it. The review flags these; the export says so.
 */
export const flaggedLine = (varianceThreshold: number) =>
  sql`((l.entry_count > 0 or l.uncounted is not distinct from 'zeroed') and abs(l.counted - l.expected) > ${varianceThreshold}::numeric * abs(l.expected))`;

/** EANs of the lines nobody counted that expect stock, in EAN order, at most `limit`. */
export async function findUncountedEans(db: Executor, s: LineScope, limit: number): Promise<string[]> {
  const rows = await db.execute<{ ean: string }>(sql`
    with ${sessionLinesCte(s)}
    select l.ean from lines l where l.in_scope and ${UNACCOUNTED} order by l.ean limit ${limit}`);
  return [...rows].map((r) => r.ean);
}

/**
 * What the count changes in the store's stock: each matched line's variance (counted − expected, expected including
 * the movements since the snapshot), summed per product. Lines the manager kept uncounted have none. Written by the
 * caller as `count_adjustment` movements, after which the balance is the counted quantity. A session opened before
 * the ledger (no snapshot to tell which movements it saw) sets the balance to the counted quantity as finalize did
 * then: counted − the balance now.
 */
export async function countAdjustments(tx: Executor, session: { id: string; storeId: string }): Promise<{ productId: string; quantity: number }[]> {
  const rows = await tx.execute<{ productId: string; quantity: number }>(sql`
    with legacy as (select stock_snapshot is null as yes from inventory_sessions where id = ${session.id}),
    lines as (
      select t.product_id, sum(t.variance_quantity) as variance, sum(t.counted_quantity) as counted
        from inventory_totals t
       where t.session_id = ${session.id} and t.product_id is not null and t.uncounted is distinct from 'kept'
       group by t.product_id
    ),
    adjustments as (
      select l.product_id,
             case when (select yes from legacy)
                  then l.counted - coalesce((select s.quantity from store_stock s where s.store_id = ${session.storeId} and s.product_id = l.product_id), 0)
                  else l.variance end as quantity
        from lines l
    )
    select product_id as "productId", quantity::float8 as quantity from adjustments where quantity <> 0`);
  return [...rows];
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
  /** Finalized sessions: what became of a line nobody counted that expected stock. */
  uncounted: UncountedResolution | null;
};

export type ReviewSummary = {
  lines: number;
  countedLines: number;
  uncountedLines: number;
  /** Uncounted lines that expected stock (finalize asks what to do with them), and that stock's value. */
  uncountedExpectedLines: number;
  uncountedExpectedValue: number;
  /** Finalized sessions: how many of those were kept at their expected quantity, and how many zeroed. */
  keptLines: number;
  zeroedLines: number;
  flaggedLines: number;
  unmatchedLines: number;
  outOfScopeLines: number;
  /** Counted and expected quantities per unit (kg and un are never added together); unmatched codes count in un. */
  quantities: UnitQuantities[];
  varianceValue: number;
  absoluteVarianceValue: number;
};
export type UnitQuantities = { unit: string; lines: number; counted: number; expected: number };
/** A zone's lines and its counted quantity per unit. */
export type ZoneTotal = { zone: string; lines: number; quantities: { unit: string; quantity: number }[] };

export const reviewFilters = ['counted', 'uncounted', 'flagged', 'unmatched', 'recount'] as const;
/** `ean`; `impact`: largest variance in money either way first; `loss`: most money missing first (gains last). */
export const reviewSorts = ['ean', 'impact', 'loss'] as const;
export type ReviewParams = { cursor?: string | null; limit: number; only?: (typeof reviewFilters)[number] | null; sort?: (typeof reviewSorts)[number] | null };

/**
 * A page of review lines by EAN (keyset), and on the first page the summary and per-zone totals: one statement.
 * A line is flagged when |counted − expected| exceeds the threshold share of the expected quantity.
 */
export async function reviewSession(db: Executor, s: LineScope & { varianceThreshold: number }, params: ReviewParams) {
  const sort = params.sort ?? 'ean';
  // Keyset on (sort key, ean): the key is the variance value, signed or absolute.
  const after = sort === 'ean' ? decodeCursor<[string]>(params.cursor, ['text']) : decodeCursor<[number, string]>(params.cursor, ['decimal', 'text']);
  const first = !after;
  const key = { ean: null, impact: sql`abs(f.variance_value)`, loss: sql`f.variance_value` }[sort];
  const keyset = !after
    ? sql``
    : sort === 'ean'
      ? sql`and f.ean > ${after[0]}`
      : sort === 'impact'
        ? sql`and (${key} < ${after[0]}::numeric or (${key} = ${after[0]}::numeric and f.ean > ${after[1]}))`
        : sql`and (${key} > ${after[0]}::numeric or (${key} = ${after[0]}::numeric and f.ean > ${after[1]}))`;
  const order = { ean: sql`f.ean`, impact: sql`abs(f.variance_value) desc, f.ean`, loss: sql`f.variance_value, f.ean` }[sort];
  const only = {
    counted: sql`and f.entry_count > 0`,
    flagged: sql`and f.flagged`,
    uncounted: sql`and f.entry_count = 0`,
    unmatched: sql`and f.product_id is null`,
    recount: sql`and (f.recount_requested or f.recounted)`,
  };
  const rows = await db.execute<{ items: ReviewLine[]; summary: ReviewSummary | null; zones: ZoneTotal[] | null }>(sql`
    with ${sessionLinesCte(s)},
    f as (
      select l.*, p.name, p.unit, p.category, coalesce(p.unit, 'un') as unit_key,
             ${flaggedLine(s.varianceThreshold)} as flagged,
             exists (select 1 from inventory_recounts r where r.session_id = ${s.id} and r.ean = l.ean) as recount_requested,
             round((l.counted - l.expected) * l.unit_price, 2) as variance_value
        from lines l left join products p on p.id = l.product_id
    ),
    page as (
      select f.*, row_number() over (order by ${order}) as n
        from f
       where true ${keyset} ${params.only ? only[params.only] : sql``}
       order by ${order}
       limit ${params.limit + 1}
    )
    select
      (select coalesce(json_agg(json_build_object(
          'ean', ean, 'productId', product_id, 'name', name, 'unit', unit, 'category', category,
          'counted', counted::float8, 'expected', expected::float8, 'varianceQuantity', (counted - expected)::float8,
          'varianceValue', variance_value::float8, 'unitPrice', unit_price::float8,
          'entryCount', entry_count, 'zones', zones, 'flagged', flagged, 'recounted', recounted,
          'recountRequested', recount_requested, 'unmatched', product_id is null, 'inScope', in_scope, 'uncounted', uncounted
        ) order by n), '[]') from page) as items,
      ${
        first
          ? sql`(select json_build_object(
          'lines', count(*) filter (where in_scope),
          'countedLines', count(*) filter (where in_scope and entry_count > 0),
          'uncountedLines', count(*) filter (where in_scope and entry_count = 0),
          'uncountedExpectedLines', count(*) filter (where in_scope and entry_count = 0 and expected <> 0),
          'uncountedExpectedValue', coalesce(sum(round(expected * unit_price, 2)) filter (where in_scope and entry_count = 0 and expected <> 0), 0)::float8,
          'keptLines', count(*) filter (where uncounted = 'kept'),
          'zeroedLines', count(*) filter (where uncounted = 'zeroed'),
          'flaggedLines', count(*) filter (where in_scope and flagged),
          'unmatchedLines', count(*) filter (where product_id is null),
          'outOfScopeLines', count(*) filter (where not in_scope),
          'quantities', (select coalesce(json_agg(json_build_object('unit', unit_key, 'lines', n, 'counted', counted::float8, 'expected', expected::float8) order by unit_key), '[]')
                           from (select unit_key, count(*)::int as n, sum(counted) as counted, sum(expected) as expected
                                   from f where in_scope group by unit_key) u),
          'varianceValue', coalesce(sum(round((counted - expected) * unit_price, 2)) filter (where in_scope), 0)::float8,
          'absoluteVarianceValue', coalesce(sum(abs(round((counted - expected) * unit_price, 2))) filter (where in_scope), 0)::float8
        ) from f) as summary,
      (select coalesce(json_agg(json_build_object('zone', zone, 'lines', lines, 'quantities', quantities) order by zone), '[]')
         from (select zone, sum(lines)::int as lines, json_agg(json_build_object('unit', unit_key, 'quantity', quantity::float8) order by unit_key) as quantities
                 from (select z.zone, f.unit_key, count(*)::int as lines, sum(z.quantity) as quantity
                         from f, jsonb_to_recordset(f.zones) as z(zone text, quantity numeric)
                        where f.in_scope group by z.zone, f.unit_key) zu
                group by zone) zz) as zones`
          : sql`null::json as summary, null::json as zones`
      }`);
  const r = [...rows][0]!;
  const page = toPage(r.items, params.limit, (l) => (sort === 'ean' ? [l.ean] : [sort === 'impact' ? Math.abs(l.varianceValue) : l.varianceValue, l.ean]));
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
