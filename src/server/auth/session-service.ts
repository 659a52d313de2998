import type { Actor } from '../audit/audit';
import { writeAudit } from '../audit/audit';
import { findUserForLogin, insertLoginSession, revokeLoginSession, revokeUserSessions } from './queries';
import type { Executor } from '../db/client';
import { AppError } from '../domain/errors';
import { cacheKeys, cacheTags } from '../cache/keys';
import type { Services } from '../services';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password';
import { newSessionSecret, sha256 } from './secrets';

const INVALID_LOGIN = 'Email or password incorrect';

export async function login(
  services: Pick<Services, 'db' | 'env'>,
  input: { email: string; password: string },
  request: { ip: string | null; userAgent: string | null; requestId: string },
): Promise<{ secret: string; expiresAt: Date; userId: string }> {
  const email = input.email.trim().toLowerCase();
  const user = await findUserForLogin(services.db, email);
  // Same work for unknown emails as for wrong passwords, so timing does not reveal which emails exist.
  const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  const anonymous: Actor = { type: 'anonymous', userId: null, orgId: user?.orgId ?? null, requestId: request.requestId, ip: request.ip };

  if (!user || !passwordOk || !user.active) {
    const reason = !user ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'inactive_user';
    await writeAudit(services.db, anonymous, { action: 'auth.login_failed', entityType: 'user', entityId: user?.id ?? null, after: { email, reason } });
    throw new AppError('UNAUTHORIZED', INVALID_LOGIN);
  }

  const secret = newSessionSecret();
  const expiresAt = new Date(Date.now() + services.env.SESSION_TTL_HOURS * 3600_000);
  await services.db.transaction(async (tx) => {
    await insertLoginSession(tx, { id: sha256(secret), orgId: user.orgId, userId: user.id, expiresAt, ip: request.ip, userAgent: request.userAgent });
    await writeAudit(tx, { ...anonymous, type: 'user', userId: user.id }, { action: 'auth.login', entityType: 'user', entityId: user.id });
  });
  return { secret, expiresAt, userId: user.id };
}

export async function logout(services: Pick<Services, 'db' | 'cache'>, sessionId: string, actor: Actor): Promise<void> {
  await services.db.transaction(async (tx) => {
    const revoked = await revokeLoginSession(tx, sessionId);
    if (revoked) await writeAudit(tx, actor, { action: 'auth.logout', entityType: 'user', entityId: revoked.userId });
  });
  await services.cache.del(cacheKeys.session(sessionId));
}

/** After a user's role, stores or active flag change: drop their cached credentials so the change applies at once. */
export async function forgetCachedCredentials(services: Pick<Services, 'cache'>, userId: string): Promise<void> {
  await services.cache.invalidateTags(cacheTags.userAuth(userId));
}

/** Deactivation signs the user out everywhere (rows revoked in the caller's transaction). */
export async function revokeAllSessions(tx: Executor, orgId: string, userId: string): Promise<number> {
  return (await revokeUserSessions(tx, orgId, userId)).length;
}
