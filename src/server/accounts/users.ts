import { writeAudit } from '../audit/audit';
import { hashPassword, verifyPassword } from '../auth/password';
import { asTyped, assertAcceptablePassword, newTemporaryPassword, TEMPORARY_PASSWORD_HOURS } from '../auth/password-policy';
import { findAccountForLogin } from '../auth/queries';
import { revokeAllSessions } from '../auth/session-service';
import type { Executor } from '../db/client';
import type { UserRole } from '../db/schema';
import type { SignedInContext } from '../domain/context';
import { AppError, conflictOnUnique, notFound } from '../errors';
import { inTransaction } from '../domain/transaction';
import { findOrganization } from './queries/organizations';
import { revokeUserTokens } from './queries/tokens';
import { listStoresOfUser } from './queries/stores';
import { countStoresInOrg, findUser, insertUser, listUsers as listUserRows, replaceStoreMemberships, updateUser as updateUserRow } from './queries/users';

async function assertStoresInOrg(tx: Executor, orgId: string, ids: string[]) {
  if ((await countStoresInOrg(tx, orgId, ids)) !== ids.length) throw notFound('store', { field: 'storeIds' });
}

const emailTaken = (email: string) => ({
  users_email_unique: () => new AppError('CONFLICT', 'email_taken', `A user with email ${email} already exists`, { field: 'email', email }),
});

/** The signed-in caller: their user, organization and stores (admins: every active store). */
export async function getMe(ctx: SignedInContext) {
  const p = ctx.principal;
  const [user, organization, stores] = await Promise.all([
    findUser(ctx.db, p.orgId, p.userId),
    findOrganization(ctx.db, p.orgId),
    listStoresOfUser(ctx.db, p.orgId, p.role === 'admin' ? null : p.storeIds),
  ]);
  return { user: user!, organization: organization!, stores, via: p.kind, expiresAt: p.expiresAt };
}

export const listUsers = (ctx: SignedInContext, params: Parameters<typeof listUserRows>[2]) => listUserRows(ctx.db, ctx.principal.orgId, params);

export async function getUser(ctx: SignedInContext, userId: string) {
  const user = await findUser(ctx.db, ctx.principal.orgId, userId);
  if (!user) throw notFound('user');
  return user;
}

/** A password set by someone (a temporary code) or chosen (the user's own), as stored. */
async function passwordFields(password: { temporary: string } | { chosen: string }) {
  if ('temporary' in password) {
    return { passwordHash: await hashPassword(password.temporary), passwordTemporary: true, passwordExpiresAt: new Date(Date.now() + TEMPORARY_PASSWORD_HOURS * 3600_000) };
  }
  return { passwordHash: await hashPassword(password.chosen), passwordTemporary: false, passwordExpiresAt: null };
}

/**
 * Creates a user. Without `password` (how the admin screen does it) the user gets a temporary code, returned once
 * as `temporaryPassword` for the admin to hand over: it signs in for TEMPORARY_PASSWORD_HOURS and then only to
 * choose a password of the user's own. A `password` given (provisioning scripts) must pass the policy.
 */
export async function createUser(ctx: SignedInContext, input: { email: string; name: string; role: UserRole; password?: string | null; storeIds: string[] }) {
  const orgId = ctx.principal.orgId;
  if (input.password) assertAcceptablePassword(input.password, input);
  const temporaryPassword = input.password ? null : newTemporaryPassword();
  const fields = await passwordFields(temporaryPassword ? { temporary: temporaryPassword } : { chosen: input.password! });
  const user = await conflictOnUnique(
    () =>
      inTransaction(ctx, async (tx, emit) => {
        await assertStoresInOrg(tx, orgId, input.storeIds);
        const { id: userId } = await insertUser(tx, { orgId, email: input.email, name: input.name, role: input.role, ...fields });
        await replaceStoreMemberships(tx, orgId, userId, input.storeIds);
        const user = (await findUser(tx, orgId, userId))!;
        await writeAudit(tx, ctx.actor, { action: 'user.created', entityType: 'user', entityId: userId, after: user });
        await emit([{ type: 'user.created', orgId, aggregateId: userId, payload: { userId } }]);
        return user;
      }),
    emailTaken(input.email),
  );
  return { ...user, temporaryPassword };
}

/**
 * An admin gives a user a new temporary code (a forgotten password): every session of theirs ends at once, and the
 * code, returned once, signs in only to choose a new password.
 */
export async function resetPassword(ctx: SignedInContext, userId: string) {
  const orgId = ctx.principal.orgId;
  const temporaryPassword = newTemporaryPassword();
  const fields = await passwordFields({ temporary: temporaryPassword });
  const user = await inTransaction(ctx, async (tx, emit) => {
    const before = await findUser(tx, orgId, userId, { lock: true });
    if (!before) throw notFound('user');
    await updateUserRow(tx, orgId, userId, fields);
    const sessionsEnded = await revokeAllSessions(tx, orgId, userId);
    await writeAudit(tx, ctx.actor, { action: 'user.passwordReset', entityType: 'user', entityId: userId, after: { sessionsEnded, expiresAt: fields.passwordExpiresAt } });
    await emit([{ type: 'user.updated', orgId, aggregateId: userId, payload: { userId, changed: ['password'] } }]);
    return (await findUser(tx, orgId, userId))!;
  });
  return { ...user, temporaryPassword };
}

/**
 * The signed-in user chooses a new password, proving the current one (or the temporary code they signed in with).
 * Their other sessions end; this one goes on, no longer held to changing the password.
 */
export async function changeOwnPassword(ctx: SignedInContext, input: { currentPassword: string; newPassword: string }) {
  const p = ctx.principal;
  if (p.kind !== 'session') throw new AppError('FORBIDDEN', 'session_required', 'Change a password from a signed-in session, not with an API token');
  const account = await findAccountForLogin(ctx.db, p.email);
  const typed = asTyped(input.currentPassword, account?.passwordTemporary ?? false);
  if (!account || account.kind !== 'member' || !(await verifyPassword(typed, account.passwordHash))) {
    throw new AppError('INVALID', 'wrong_current_password', 'The current password is not right', { field: 'currentPassword' });
  }
  assertAcceptablePassword(input.newPassword, { email: p.email, name: p.name }, 'newPassword');
  if (input.newPassword === typed) throw new AppError('INVALID', 'password_unchanged', 'Choose a password different from the current one', { field: 'newPassword' });
  const fields = await passwordFields({ chosen: input.newPassword });
  await inTransaction(ctx, async (tx, emit) => {
    await updateUserRow(tx, p.orgId, p.userId, fields);
    const sessionsEnded = await revokeAllSessions(tx, p.orgId, p.userId, { except: p.credentialId });
    await writeAudit(tx, ctx.actor, { action: 'user.passwordChanged', entityType: 'user', entityId: p.userId, after: { sessionsEnded, wasTemporary: account.passwordTemporary } });
    await emit([{ type: 'user.updated', orgId: p.orgId, aggregateId: p.userId, payload: { userId: p.userId, changed: ['password'] } }]);
  });
  return { ok: true as const };
}

export type UserChanges = { name?: string; role?: UserRole; active?: boolean; password?: string; storeIds?: string[] };

/**
 * Changes a user. Deactivation or a new password signs them out everywhere; every change reaches their cached
 * credentials at once (through the change's event). Admins cannot lock themselves out.
 */
export async function updateUser(ctx: SignedInContext, userId: string, changes: UserChanges) {
  const orgId = ctx.principal.orgId;
  if (userId === ctx.principal.userId && (changes.active === false || (changes.role && changes.role !== 'admin'))) {
    throw new AppError('CONFLICT', 'cannot_demote_self', 'You cannot deactivate yourself or remove your own admin role; ask another admin');
  }
  return inTransaction(ctx, async (tx, emit) => {
    const before = await findUser(tx, orgId, userId, { lock: true });
    if (!before) throw notFound('user');
    if (changes.password) assertAcceptablePassword(changes.password, { email: before.email, name: changes.name ?? before.name });
    const password = changes.password ? await passwordFields({ chosen: changes.password }) : undefined;
    const passwordHash = password?.passwordHash;
    await updateUserRow(tx, orgId, userId, {
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.role !== undefined && { role: changes.role }),
      ...(changes.active !== undefined && { active: changes.active }),
      ...password,
    });
    if (changes.storeIds) {
      await assertStoresInOrg(tx, orgId, changes.storeIds);
      await replaceStoreMemberships(tx, orgId, userId, changes.storeIds);
    }
    if (changes.active === false || passwordHash) await revokeAllSessions(tx, orgId, userId);
    // A deactivated user's tokens die with the deactivation: a reactivation does not bring them back.
    const revokedTokens = changes.active === false ? await revokeUserTokens(tx, orgId, userId) : [];
    if (revokedTokens.length > 0) {
      await writeAudit(tx, ctx.actor, revokedTokens.map((t) => ({ action: 'token.revoked', entityType: 'api_token', entityId: t.id, before: { name: t.name, prefix: t.prefix }, after: { because: 'user.deactivated' } })));
    }
    const after = (await findUser(tx, orgId, userId))!;
    await writeAudit(tx, ctx.actor, {
      action: changes.active === false ? 'user.deactivated' : 'user.updated',
      entityType: 'user',
      entityId: userId,
      before,
      after: { ...after, ...(passwordHash && { passwordChanged: true }) },
    });
    const changed = (Object.keys(changes) as (keyof UserChanges)[]).filter((k) => changes[k] !== undefined);
    await emit([{ type: 'user.updated', orgId, aggregateId: userId, payload: { userId, changed } }]);
    return after;
  });
}
