import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client';
import { inventoryAssignments, inventorySessions, storeMemberships, stores, users, type inventorySessionStatuses } from '../../db/schema';
import type { ScaleBarcodeLayout } from '../../db/schema/organizations';
import { decodeCursor, toPage } from '../../db/cursor';
import { jsonArray, textSet } from '../../db/json';
import { escapeLike } from '../../db/like';
import { newestFirst } from '../../db/order';

export type SessionStatus = (typeof inventorySessionStatuses)[number];
export type SessionFilter = { categories?: string[]; zones?: string[] };
/** What the line computation needs to know about a session. */
export type LineScope = { id: string; orgId: string; status: SessionStatus; filter: SessionFilter };

const opener = alias(users, 'opener');
const finalizer = alias(users, 'finalizer');

const sessionColumns = {
  id: inventorySessions.id,
  number: inventorySessions.number,
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
  cancelledBy: inventorySessions.cancelledBy,
  cancelReason: inventorySessions.cancelReason,
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

export const recountRequestsOf = (sessionId: SQL | string) => sql<RecountRequestView[]>`coalesce((
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

/** A session with its store, opener, finalizer, assignments and recount requests: one statement. Nothing about expected quantities. */
export async function findSessionDetail(db: Executor, orgId: string, sessionId: string) {
  const [row] = await db
    .select({ ...sessionColumns, finalizedByName: finalizer.name, assignments: assignmentsJson, recountRequests: recountRequestsOf(sql`${inventorySessions.id}`) })
    .from(inventorySessions)
    .innerJoin(stores, eq(stores.id, inventorySessions.storeId))
    .innerJoin(opener, eq(opener.id, inventorySessions.openedBy))
    .leftJoin(finalizer, eq(finalizer.id, inventorySessions.finalizedBy))
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

/**
 * The expected quantity per product from the store's stock, in one INSERT … SELECT (only the categories, if given),
 * and in the same statement the snapshot it read with: movements it did not see count as expected later (lines.ts).
 */
export async function snapshotExpected(tx: Executor, session: { id: string; orgId: string; storeId: string; categories: string[] | null }): Promise<number> {
  const result = await tx.execute(sql`
    with snapshot as (update inventory_sessions set stock_snapshot = pg_current_snapshot()::text where id = ${session.id} returning id)
    insert into inventory_expected (session_id, product_id, expected_quantity)
    select ${session.id}, s.product_id, s.quantity
      from store_stock s
      ${session.categories ? sql`join products p on p.id = s.product_id and p.category in ${textSet(session.categories)}` : sql``}
     where s.org_id = ${session.orgId} and s.store_id = ${session.storeId} and exists (select 1 from snapshot)`);
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

export type SessionListParams = {
  cursor?: string | null;
  limit: number;
  storeId?: string | null;
  status?: SessionStatus[] | null;
  assignedTo?: string | null;
  /** Part of the count's number (`45`, `INV-2026-000045`), case-insensitive. */
  number?: string | null;
};

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
        params.number ? sql`${inventorySessions.number} ilike ${`%${escapeLike(params.number.trim())}%`}` : undefined,
        params.assignedTo
          ? sql`exists (select 1 from ${inventoryAssignments} a where a.session_id = ${inventorySessions.id} and a.user_id = ${params.assignedTo})`
          : undefined,
        after ? sql`(${inventorySessions.openedAt}, ${inventorySessions.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(newestFirst(inventorySessions.openedAt), newestFirst(inventorySessions.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => [r.openedAt.toISOString(), r.id]);
}

export async function setSessionStatus(
  tx: Executor,
  orgId: string,
  sessionId: string,
  values: { status: 'finalized'; finalizedAt: Date; finalizedBy: string } | { status: 'cancelled'; cancelledAt: Date; cancelledBy: string; cancelReason: string },
) {
  await tx
    .update(inventorySessions)
    .set(values)
    .where(and(eq(inventorySessions.orgId, orgId), eq(inventorySessions.id, sessionId)));
}

// ---- sync
