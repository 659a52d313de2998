import { writeAudit } from '../audit/audit';
import { hashPassword } from '../auth/password';
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

export async function createUser(ctx: SignedInContext, input: { email: string; name: string; role: UserRole; password: string; storeIds: string[] }) {
  const orgId = ctx.principal.orgId;
  const passwordHash = await hashPassword(input.password);
  return conflictOnUnique(
    () =>
      inTransaction(ctx, async (tx, emit) => {
        await assertStoresInOrg(tx, orgId, input.storeIds);
        const { id: userId } = await insertUser(tx, { orgId, email: input.email, name: input.name, role: input.role, passwordHash });
        await replaceStoreMemberships(tx, orgId, userId, input.storeIds);
        const user = (await findUser(tx, orgId, userId))!;
        await writeAudit(tx, ctx.actor, { action: 'user.created', entityType: 'user', entityId: userId, after: user });
        await emit([{ type: 'user.created', orgId, aggregateId: userId, payload: { userId } }]);
        return user;
      }),
    emailTaken(input.email),
  );
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
  const passwordHash = changes.password ? await hashPassword(changes.password) : undefined;
  return inTransaction(ctx, async (tx, emit) => {
    const before = await findUser(tx, orgId, userId, { lock: true });
    if (!before) throw notFound('user');
    await updateUserRow(tx, orgId, userId, {
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.role !== undefined && { role: changes.role }),
      ...(changes.active !== undefined && { active: changes.active }),
      ...(passwordHash && { passwordHash }),
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
