import { and, asc, eq, gt, ilike, inArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { stores } from '../../db/schema';
import { decodeCursor, toPage } from '../../db/cursor';
import { escapeLike } from '../../db/like';

const storeColumns = { id: stores.id, code: stores.code, name: stores.name, city: stores.city, active: stores.active, createdAt: stores.createdAt };

/** `lock`: the row stays locked until the caller's transaction ends (changes of one row, and their events, go one at a time). */
export async function findStore(db: Executor, orgId: string, storeId: string, opts: { lock?: boolean } = {}) {
  const query = db.select(storeColumns).from(stores).where(and(eq(stores.orgId, orgId), eq(stores.id, storeId))).limit(1);
  const [row] = opts.lock ? await query.for('update') : await query;
  return row;
}

/** `search`: part of the store's name, code or city, any case; `ids`: only these (a clerk's stores). */
export async function listStores(db: Executor, orgId: string, params: { cursor?: string | null; limit: number; active?: boolean | null; search?: string | null; ids?: string[] }) {
  const like = params.search ? `%${escapeLike(params.search)}%` : null;
  const after = decodeCursor<[string, string]>(params.cursor, ['text', 'uuid']);
  const rows = await db
    .select(storeColumns)
    .from(stores)
    .where(
      and(
        eq(stores.orgId, orgId),
        params.ids ? (params.ids.length > 0 ? inArray(stores.id, params.ids) : sql`false`) : undefined,
        params.active == null ? undefined : eq(stores.active, params.active),
        like ? or(ilike(stores.name, like), ilike(stores.code, like), ilike(stores.city, like)) : undefined,
        after ? or(gt(stores.name, after[0]), and(eq(stores.name, after[0]), gt(stores.id, after[1]))) : undefined,
      ),
    )
    .orderBy(asc(stores.name), asc(stores.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => [r.name, r.id]);
}

export async function insertStore(db: Executor, values: { orgId: string; code: string; name: string; city?: string | null }) {
  const [row] = await db.insert(stores).values(values).returning(storeColumns);
  return row!;
}

/** Undefined fields are left as they are; returns undefined when nothing was given to change. */
export async function updateStore(db: Executor, orgId: string, storeId: string, values: Partial<{ code: string; name: string; city: string | null; active: boolean }>) {
  if (Object.values(values).every((v) => v === undefined)) return undefined;
  const [row] = await db
    .update(stores)
    .set(values)
    .where(and(eq(stores.orgId, orgId), eq(stores.id, storeId)))
    .returning(storeColumns);
  return row;
}

/** The org's stores among these ids, active or not, by id: to name the stores a list refers to. */
export async function storesByIds(db: Executor, orgId: string, storeIds: string[]) {
  if (storeIds.length === 0) return new Map<string, { id: string; code: string; name: string }>();
  const rows = await db
    .select({ id: stores.id, code: stores.code, name: stores.name })
    .from(stores)
    .where(and(eq(stores.orgId, orgId), inArray(stores.id, storeIds)));
  return new Map(rows.map((r) => [r.id, r]));
}

/** Active stores among the given ids, or every active store of the org (null). */
export async function listStoresOfUser(db: Executor, orgId: string, storeIds: string[] | null) {
  return db
    .select({ id: stores.id, code: stores.code, name: stores.name })
    .from(stores)
    .where(and(eq(stores.orgId, orgId), eq(stores.active, true), storeIds ? inArray(stores.id, storeIds.length ? storeIds : ['00000000-0000-0000-0000-000000000000']) : undefined))
    .orderBy(asc(stores.name));
}
