import { and, asc, eq, gt, ilike, inArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { storeMemberships, stores, users, type UserRole } from '../../db/schema';
import { decodeCursor, toPage } from '../../db/cursor';
import { escapeLike } from '../../db/like';

const publicUser = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  active: users.active,
  /** Still on the temporary password an admin handed over (never chose their own). */
  passwordTemporary: users.passwordTemporary,
  passwordExpiresAt: users.passwordExpiresAt,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
  storeIds: sql<string[]>`coalesce((select array_agg(${storeMemberships.storeId}::text order by ${storeMemberships.storeId}) from ${storeMemberships} where ${storeMemberships.userId} = ${users.id}), '{}')`,
  /** The same stores, named (by name): a screen shows them without loading every store of the org. */
  // `users` is written qualified: the query builder leaves a one-table select's columns bare, and a bare "id" in
  // here would be the store's.
  stores: sql<{ id: string; code: string; name: string; active: boolean }[]>`coalesce((
    select json_agg(json_build_object('id', s.id, 'code', s.code, 'name', s.name, 'active', s.active) order by s.name, s.id)
    from ${storeMemberships} m join ${stores} s on s.id = m.store_id
    where m.user_id = ${users}.id), '[]'::json)`,
};
export type PublicUser = Awaited<ReturnType<typeof findUser>> & {};

/** `lock`: the row stays locked until the caller's transaction ends (changes of one row, and their events, go one at a time). */
export async function findUser(db: Executor, orgId: string, userId: string, opts: { lock?: boolean } = {}) {
  const query = db.select(publicUser).from(users).where(and(eq(users.orgId, orgId), eq(users.id, userId))).limit(1);
  const [row] = opts.lock ? await query.for('update', { of: users }) : await query;
  return row;
}

export async function listUsers(
  db: Executor,
  orgId: string,
  params: { cursor?: string | null; limit: number; role?: UserRole | null; active?: boolean | null; search?: string | null },
) {
  const after = decodeCursor<[string, string]>(params.cursor, ['text', 'uuid']);
  const rows = await db
    .select(publicUser)
    .from(users)
    .where(
      and(
        eq(users.orgId, orgId),
        params.role ? eq(users.role, params.role) : undefined,
        params.active == null ? undefined : eq(users.active, params.active),
        params.search ? or(ilike(users.name, `%${escapeLike(params.search)}%`), ilike(users.email, `%${escapeLike(params.search)}%`)) : undefined,
        after ? or(gt(users.name, after[0]), and(eq(users.name, after[0]), gt(users.id, after[1]))) : undefined,
      ),
    )
    .orderBy(asc(users.name), asc(users.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => [r.name, r.id]);
}


export async function insertUser(
  db: Executor,
  values: { orgId: string; email: string; name: string; role: UserRole; passwordHash: string; passwordTemporary: boolean; passwordExpiresAt: Date | null },
) {
  const [row] = await db.insert(users).values(values).returning({ id: users.id });
  return row!;
}

export async function updateUser(
  db: Executor,
  orgId: string,
  userId: string,
  values: Partial<{ name: string; role: UserRole; active: boolean; passwordHash: string; passwordTemporary: boolean; passwordExpiresAt: Date | null }>,
) {
  if (Object.keys(values).length === 0) return;
  await db
    .update(users)
    .set(values)
    .where(and(eq(users.orgId, orgId), eq(users.id, userId)));
}

/** Replaces a user's store memberships; every store must belong to the org (checked by the caller's count). */
export async function replaceStoreMemberships(db: Executor, orgId: string, userId: string, storeIds: string[]) {
  await db.delete(storeMemberships).where(and(eq(storeMemberships.orgId, orgId), eq(storeMemberships.userId, userId)));
  if (storeIds.length > 0) await db.insert(storeMemberships).values(storeIds.map((storeId) => ({ orgId, userId, storeId })));
}

export async function countStoresInOrg(db: Executor, orgId: string, storeIds: string[]): Promise<number> {
  if (storeIds.length === 0) return 0;
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(stores)
    .where(and(eq(stores.orgId, orgId), inArray(stores.id, storeIds)));
  return row?.n ?? 0;
}
