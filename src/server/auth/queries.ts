import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import type { OperatorPrincipal, Principal } from '../domain/principal';
import type { Executor } from '../db/client';
import { apiTokens, loginSessions, operatorSessions, platformOperators, storeMemberships, users, type UserRole } from '../db/schema';

const storeIdsOf = (userIdColumn: typeof users.id) =>
  sql<string[]>`coalesce((select array_agg(${storeMemberships.storeId}::text order by ${storeMemberships.storeId}) from ${storeMemberships} where ${storeMemberships.userId} = ${userIdColumn}), '{}')`;

type PasswordState = { passwordTemporary: boolean; passwordExpiresAt: Date | null };
export type LoginAccount =
  | ({ kind: 'member'; id: string; orgId: string; role: UserRole; name: string; email: string; passwordHash: string; active: boolean } & PasswordState)
  | ({ kind: 'operator'; id: string; orgId: null; role: null; name: string; email: string; passwordHash: string; active: boolean } & PasswordState);

/**
 * The user or platform operator with this email (one at most: a trigger keeps emails unique across both), in one
 * statement whichever it is, so the time taken says nothing about which.
 */
export async function findAccountForLogin(db: Executor, email: string): Promise<LoginAccount | undefined> {
  const lower = email.toLowerCase();
  const members = db
    .select({
      kind: sql<string>`'member'`.as('kind'),
      id: users.id,
      orgId: sql<string | null>`${users.orgId}`.as('org_id'),
      role: sql<string | null>`${users.role}::text`.as('role'),
      name: users.name,
      email: users.email,
      passwordHash: users.passwordHash,
      active: users.active,
      passwordTemporary: users.passwordTemporary,
      passwordExpiresAt: users.passwordExpiresAt,
    })
    .from(users)
    .where(eq(users.email, lower));
  const operators = db
    .select({
      kind: sql<string>`'operator'`.as('kind'),
      id: platformOperators.id,
      orgId: sql<string | null>`null::uuid`.as('org_id'),
      role: sql<string | null>`null::text`.as('role'),
      name: platformOperators.name,
      email: platformOperators.email,
      passwordHash: platformOperators.passwordHash,
      active: platformOperators.active,
      passwordTemporary: sql<boolean>`false`.as('password_temporary'),
      passwordExpiresAt: sql<Date | null>`null::timestamptz`.as('password_expires_at'),
    })
    .from(platformOperators)
    .where(eq(platformOperators.email, lower));
  const [row] = await unionAll(members, operators).limit(1);
  if (!row) return undefined;
  return row.kind === 'operator' ? { ...row, kind: 'operator', orgId: null, role: null } : { ...row, kind: 'member', orgId: row.orgId!, role: row.role as UserRole };
}

export async function insertLoginSession(
  db: Executor,
  values: { id: string; orgId: string; userId: string; expiresAt: Date; ip: string | null; userAgent: string | null },
) {
  await db.insert(loginSessions).values(values);
}

export async function insertOperatorSession(db: Executor, values: { id: string; operatorId: string; expiresAt: Date; ip: string | null; userAgent: string | null }) {
  await db.insert(operatorSessions).values(values);
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
      mustChangePassword: users.passwordTemporary,
    })
    .from(loginSessions)
    .innerJoin(users, and(eq(users.id, loginSessions.userId), eq(users.orgId, loginSessions.orgId)))
    .where(and(eq(loginSessions.id, sessionId), isNull(loginSessions.revokedAt), gt(loginSessions.expiresAt, sql`now()`), eq(users.active, true)))
    .limit(1);
  return row && { ...row, kind: 'session', role: row.role as UserRole, expiresAt: row.expiresAt.toISOString() };
}

/** One statement: an operator's session and its active operator. */
export async function findOperatorBySession(db: Executor, sessionId: string): Promise<OperatorPrincipal | undefined> {
  const [row] = await db
    .select({ credentialId: operatorSessions.id, operatorId: platformOperators.id, name: platformOperators.name, email: platformOperators.email, expiresAt: operatorSessions.expiresAt })
    .from(operatorSessions)
    .innerJoin(platformOperators, eq(platformOperators.id, operatorSessions.operatorId))
    .where(and(eq(operatorSessions.id, sessionId), isNull(operatorSessions.revokedAt), gt(operatorSessions.expiresAt, sql`now()`), eq(platformOperators.active, true)))
    .limit(1);
  return row && { ...row, kind: 'operator', expiresAt: row.expiresAt.toISOString() };
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
  // An API token is not a password sign-in: a temporary password does not hold it back.
  return row && { ...row, kind: 'token', role: row.role as UserRole, expiresAt: row.expiresAt?.toISOString() ?? null, mustChangePassword: false };
}

export async function revokeLoginSession(db: Executor, sessionId: string): Promise<{ userId: string; orgId: string } | undefined> {
  const [row] = await db
    .update(loginSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(loginSessions.id, sessionId), isNull(loginSessions.revokedAt)))
    .returning({ userId: loginSessions.userId, orgId: loginSessions.orgId });
  return row;
}

export async function revokeOperatorSession(db: Executor, sessionId: string): Promise<{ operatorId: string } | undefined> {
  const [row] = await db
    .update(operatorSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(operatorSessions.id, sessionId), isNull(operatorSessions.revokedAt)))
    .returning({ operatorId: operatorSessions.operatorId });
  return row;
}

/** Revokes every live session of a user; returns their ids so the cache entries can go too. */
export async function revokeUserSessions(db: Executor, orgId: string, userId: string, opts: { except?: string } = {}): Promise<string[]> {
  const rows = await db
    .update(loginSessions)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(loginSessions.orgId, orgId),
        eq(loginSessions.userId, userId),
        isNull(loginSessions.revokedAt),
        opts.except ? sql`${loginSessions.id} <> ${opts.except}` : undefined,
      ),
    )
    .returning({ id: loginSessions.id });
  return rows.map((r) => r.id);
}
