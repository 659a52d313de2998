import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { apiTokens, users } from '../../db/schema';
import { decodeCursor, toPage } from '../../db/cursor';

const tokenColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  userId: apiTokens.userId,
  userName: users.name,
  userRole: users.role,
  createdAt: apiTokens.createdAt,
  expiresAt: apiTokens.expiresAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

/** Inserts a token; null when a token with this (client-made) id exists already. */
export async function insertApiToken(
  db: Executor,
  values: { id?: string; orgId: string; userId: string; createdBy: string; name: string; prefix: string; tokenHash: string; expiresAt: Date | null },
) {
  const [row] = await db.insert(apiTokens).values(values).onConflictDoNothing({ target: apiTokens.id }).returning({ id: apiTokens.id, createdAt: apiTokens.createdAt });
  return row ?? null;
}

/** A token by id, locked until the caller's transaction ends. */
export async function lockApiToken(db: Executor, tokenId: string) {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, tokenId)).limit(1).for('update');
  return row;
}

/** A new secret for a token (its old one stops working); keeps everything else. */
export async function replaceTokenSecret(db: Executor, tokenId: string, secret: { prefix: string; tokenHash: string }) {
  await db.update(apiTokens).set(secret).where(eq(apiTokens.id, tokenId));
}

/** Revokes every live token of a user (deactivation); returns them. */
export async function revokeUserTokens(db: Executor, orgId: string, userId: string) {
  return db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.orgId, orgId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix });
}

export async function listApiTokens(db: Executor, orgId: string, params: { cursor?: string | null; limit: number; includeRevoked?: boolean | null }) {
  const after = decodeCursor<[string, string]>(params.cursor, ['time', 'uuid']);
  const rows = await db
    .select(tokenColumns)
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.orgId, orgId),
        params.includeRevoked ? undefined : isNull(apiTokens.revokedAt),
        after
          ? or(lt(apiTokens.createdAt, new Date(after[0])), and(eq(apiTokens.createdAt, new Date(after[0])), lt(apiTokens.id, after[1])))
          : undefined,
      ),
    )
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => [r.createdAt.toISOString(), r.id]);
}

export async function revokeApiToken(db: Executor, orgId: string, tokenId: string) {
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.orgId, orgId), eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, userId: apiTokens.userId });
  return row;
}

export async function findApiToken(db: Executor, orgId: string, tokenId: string) {
  const [row] = await db
    .select({ id: apiTokens.id, revokedAt: apiTokens.revokedAt })
    .from(apiTokens)
    .where(and(eq(apiTokens.orgId, orgId), eq(apiTokens.id, tokenId)))
    .limit(1);
  return row;
}
