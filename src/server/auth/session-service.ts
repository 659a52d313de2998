import { writeAudit } from '../audit/audit';
import type { Actor, DomainContext } from '../domain/context';
import type { Caller } from '../domain/principal';
import { cacheKeys } from '../cache/keys';
import type { Executor } from '../db/client';
import { AppError } from '../errors';
import { inTransaction } from '../domain/transaction';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password';
import { asTyped } from './password-policy';
import { findAccountForLogin, insertLoginSession, insertOperatorSession, revokeLoginSession, revokeOperatorSession, revokeUserSessions } from './queries';
import { newSessionSecret, sha256 } from './secrets';

export type LoginResult = { secret: string; expiresAt: Date } & ({ kind: 'member'; userId: string } | { kind: 'operator'; operatorId: string });

/**
 * Email and password, checked with the same work whether the email exists or not; a session row on success. A
 * member of an organization and the platform operator sign in alike; the operator's session is its own table's.
 */
export async function login(ctx: DomainContext, input: { email: string; password: string }, client: { userAgent: string | null }): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase();
  const account = await findAccountForLogin(ctx.db, email);
  // Same work for unknown emails as for wrong passwords, so timing does not reveal which emails exist.
  const typed = asTyped(input.password, account?.passwordTemporary ?? false);
  const passwordOk = await verifyPassword(typed, account?.passwordHash ?? DUMMY_PASSWORD_HASH);
  const anonymous: Actor = { ...ctx.actor, type: 'anonymous', userId: null, orgId: account?.orgId ?? null };
  const entityType = account?.kind === 'operator' ? 'platform_operator' : 'user';

  if (!account || !passwordOk || !account.active) {
    const reason = !account ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'inactive_user';
    await writeAudit(ctx.db, anonymous, { action: 'auth.login_failed', entityType, entityId: account?.id ?? null, after: { email, reason } });
    throw new AppError('UNAUTHORIZED', 'invalid_login', 'Email or password incorrect');
  }
  if (account.passwordTemporary && account.passwordExpiresAt && account.passwordExpiresAt.getTime() <= Date.now()) {
    await writeAudit(ctx.db, anonymous, { action: 'auth.login_failed', entityType, entityId: account.id, after: { email, reason: 'temporary_password_expired' } });
    throw new AppError('UNAUTHORIZED', 'temporary_password_expired', 'This temporary password has expired; ask an admin for a new one');
  }

  const secret = newSessionSecret();
  const expiresAt = new Date(Date.now() + ctx.services.env.SESSION_TTL_HOURS * 3600_000);
  const session = { id: sha256(secret), expiresAt, ip: ctx.actor.ip ?? null, userAgent: client.userAgent };
  await inTransaction(ctx, async (tx) => {
    if (account.kind === 'operator') await insertOperatorSession(tx, { ...session, operatorId: account.id });
    else await insertLoginSession(tx, { ...session, orgId: account.orgId, userId: account.id });
    const actor: Actor = { ...anonymous, type: account.kind === 'operator' ? 'operator' : 'user', userId: account.id };
    await writeAudit(tx, actor, { action: 'auth.login', entityType, entityId: account.id });
  });
  return account.kind === 'operator' ? { kind: 'operator', operatorId: account.id, secret, expiresAt } : { kind: 'member', userId: account.id, secret, expiresAt };
}

/** Ends the caller's session at once (a member's or the operator's): its row is revoked and its cached credentials dropped. */
export async function logout(ctx: DomainContext, caller: Caller): Promise<void> {
  if (caller.kind === 'token') return;
  const sessionId = caller.credentialId;
  await inTransaction(ctx, async (tx) => {
    if (caller.kind === 'operator') {
      const revoked = await revokeOperatorSession(tx, sessionId);
      if (revoked) await writeAudit(tx, ctx.actor, { action: 'auth.logout', entityType: 'platform_operator', entityId: revoked.operatorId });
      return;
    }
    const revoked = await revokeLoginSession(tx, sessionId);
    if (revoked) await writeAudit(tx, ctx.actor, { action: 'auth.logout', entityType: 'user', entityId: revoked.userId });
  });
  await ctx.services.cache.del(cacheKeys.session(sessionId));
}

/**
 * Signs a user out everywhere (rows revoked in the caller's transaction): deactivation, a new password; `except`
 * keeps one session (the one that just changed its own password).
 */
export async function revokeAllSessions(tx: Executor, orgId: string, userId: string, opts: { except?: string } = {}): Promise<number> {
  return (await revokeUserSessions(tx, orgId, userId, opts)).length;
}
