import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Principal } from '../domain/principal';
import type { Executor } from '../db/client';
import { apiTokens, loginSessions, storeMemberships, users, type UserRole } from '../db/schema';

const storeIdsOf = (userIdColumn: typeof users.id) =>
  sql<string[]>`coalesce((select array_agg(${storeMemberships.storeId}::text order by ${storeMemberships.storeId}) from ${storeMemberships} where ${storeMemberships.userId} = ${userIdColumn}), '{}')`;

export async function findUserForLogin(db: Executor, email: string) {
  const [row] = await db
    .select({ id: users.id, orgId: users.orgId, role: users.role, name: users.name, email: users.email, passwordHash: users.passwordHash, active: users.active })
    .from(users)
    .where(eq(users.email, email.toLowerCase()))
    .limit(1);
  return row;
}

export async function insertLoginSession(
  db: Executor,
  values: { id: string; orgId: string; userId: string; expiresAt: Date; ip: string | null; userAgent: string | null },
) {
  await db.insert(loginSessions).values(values);
}

/** One statement: the session, its active user and the user's stores. */
export async function findPrincipalBySession(db: Executor, sessionId: string): Promise<Principal | undefined> {
  const [row] = await db
    .select({
      credentialId: loginSessions.id,
      userId: users.id,
      orgId: users.orgId,
      role: users.role,
      name: users.name,
      email: users.email,
      expiresAt: loginSessions.expiresAt,
      storeIds: storeIdsOf(users.id),
    })
    .from(loginSessions)
    .innerJoin(users, and(eq(users.id, loginSessions.userId), eq(users.orgId, loginSessions.orgId)))
    .where(and(eq(loginSessions.id, sessionId), isNull(loginSessions.revokedAt), gt(loginSessions.expiresAt, sql`now()`), eq(users.active, true)))
    .limit(1);
  return row && { ...row, kind: 'session', role: row.role as UserRole, expiresAt: row.expiresAt.toISOString() };
}

/** A live API token's principal, by the token's hash (a request) or its id (a stream checking it still holds). */
export async function findPrincipalByToken(db: Executor, token: { hash: string } | { id: string }): Promise<Principal | undefined> {
  const [row] = await db
    .select({
      credentialId: apiTokens.id,
      userId: users.id,
      orgId: users.orgId,
      role: users.role,
      name: users.name,
      email: users.email,
      expiresAt: apiTokens.expiresAt,
      storeIds: storeIdsOf(users.id),
    })
    .from(apiTokens)
    .innerJoin(users, and(eq(users.id, apiTokens.userId), eq(users.orgId, apiTokens.orgId)))
    .where(
      and(
        'hash' in token ? eq(apiTokens.tokenHash, token.hash) : eq(apiTokens.id, token.id),
        isNull(apiTokens.revokedAt),
        sql`(${apiTokens.expiresAt} is null or ${apiTokens.expiresAt} > now())`,
        eq(users.active, true),
      ),
    )
    .limit(1);
  return row && { ...row, kind: 'token', role: row.role as UserRole, expiresAt: row.expiresAt?.toISOString() ?? null };
}

export async function revokeLoginSession(db: Executor, sessionId: string): Promise<{ userId: string; orgId: string } | undefined> {
  const [row] = await db
    .update(loginSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(loginSessions.id, sessionId), isNull(loginSessions.revokedAt)))
    .returning({ userId: loginSessions.userId, orgId: loginSessions.orgId });
  return row;
}

/** Revokes every live session of a user; returns their ids so the cache entries can go too. */
export async function revokeUserSessions(db: Executor, orgId: string, userId: string): Promise<string[]> {
  const rows = await db
    .update(loginSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(loginSessions.orgId, orgId), eq(loginSessions.userId, userId), isNull(loginSessions.revokedAt)))
    .returning({ id: loginSessions.id });
  return rows.map((r) => r.id);
}
