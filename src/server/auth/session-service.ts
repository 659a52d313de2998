import { writeAudit } from '../audit/audit';
import type { Actor } from '../domain/context';
import { cacheKeys } from '../cache/keys';
import type { Executor } from '../db/client';
import type { DomainContext, SignedInContext } from '../domain/context';
import { AppError } from '../errors';
import { inTransaction } from '../domain/transaction';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password';
import { findUserForLogin, insertLoginSession, revokeLoginSession, revokeUserSessions } from './queries';
import { newSessionSecret, sha256 } from './secrets';

/** Email and password, checked with the same work whether the email exists or not; a session row on success. */
export async function login(ctx: DomainContext, input: { email: string; password: string }, client: { userAgent: string | null }): Promise<{ secret: string; expiresAt: Date; userId: string }> {
  const email = input.email.trim().toLowerCase();
  const user = await findUserForLogin(ctx.db, email);
  // Same work for unknown emails as for wrong passwords, so timing does not reveal which emails exist.
  const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  const anonymous: Actor = { ...ctx.actor, type: 'anonymous', userId: null, orgId: user?.orgId ?? null };

  if (!user || !passwordOk || !user.active) {
    const reason = !user ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'inactive_user';
    await writeAudit(ctx.db, anonymous, { action: 'auth.login_failed', entityType: 'user', entityId: user?.id ?? null, after: { email, reason } });
    throw new AppError('UNAUTHORIZED', 'invalid_login', 'Email or password incorrect');
  }

  const secret = newSessionSecret();
  const expiresAt = new Date(Date.now() + ctx.services.env.SESSION_TTL_HOURS * 3600_000);
  await inTransaction(ctx, async (tx) => {
    await insertLoginSession(tx, { id: sha256(secret), orgId: user.orgId, userId: user.id, expiresAt, ip: ctx.actor.ip ?? null, userAgent: client.userAgent });
    await writeAudit(tx, { ...anonymous, type: 'user', userId: user.id }, { action: 'auth.login', entityType: 'user', entityId: user.id });
  });
  return { secret, expiresAt, userId: user.id };
}

/** Ends the caller's session at once: its row is revoked and its cached credentials dropped. */
export async function logout(ctx: SignedInContext): Promise<void> {
  if (ctx.principal.kind !== 'session') return;
  const sessionId = ctx.principal.credentialId;
  await inTransaction(ctx, async (tx) => {
    const revoked = await revokeLoginSession(tx, sessionId);
    if (revoked) await writeAudit(tx, ctx.actor, { action: 'auth.logout', entityType: 'user', entityId: revoked.userId });
  });
  await ctx.services.cache.del(cacheKeys.session(sessionId));
}

/** Signs a user out everywhere (rows revoked in the caller's transaction): deactivation, a new password. */
export async function revokeAllSessions(tx: Executor, orgId: string, userId: string): Promise<number> {
  return (await revokeUserSessions(tx, orgId, userId)).length;
}
