import { writeAudit } from '../audit/audit';
import { newApiToken, sha256 } from '../auth/secrets';
import type { SignedInContext } from '../domain/context';
import { AppError, notFound } from '../errors';
import { inTransaction } from '../domain/transaction';
import { findApiToken, insertApiToken, listApiTokens as listTokenRows, revokeApiToken } from './queries/tokens';
import { findUser } from './queries/users';

/**
 * A token for a script, acting as `userId` (its role and stores; the admin by default). The secret is in this
 * answer only; we keep its hash.
 */
export async function createApiToken(ctx: SignedInContext, input: { name: string; userId?: string; expiresInDays?: number | null }) {
  const orgId = ctx.principal.orgId;
  const userId = input.userId ?? ctx.principal.userId;
  const { token, prefix } = newApiToken();
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  return inTransaction(ctx, async (tx) => {
    const user = await findUser(tx, orgId, userId);
    if (!user) throw notFound('user', { field: 'userId' });
    if (!user.active) throw new AppError('CONFLICT', 'user_inactive', 'That user is inactive; activate them before giving them a token', { field: 'userId', name: user.name });
    const row = await insertApiToken(tx, { orgId, userId, createdBy: ctx.principal.userId, name: input.name, prefix, tokenHash: sha256(token), expiresAt });
    await writeAudit(tx, ctx.actor, { action: 'token.created', entityType: 'api_token', entityId: row.id, after: { name: input.name, prefix, userId, expiresAt } });
    return { id: row.id, name: input.name, prefix, token, userId, expiresAt, createdAt: row.createdAt };
  });
}

export const listApiTokens = (ctx: SignedInContext, params: Parameters<typeof listTokenRows>[2]) => listTokenRows(ctx.db, ctx.principal.orgId, params);

/** Stops the token at once (its cached credentials go with the revocation's event); revoking twice changes nothing. */
export async function revokeToken(ctx: SignedInContext, tokenId: string) {
  const orgId = ctx.principal.orgId;
  await inTransaction(ctx, async (tx, emit) => {
    const row = await revokeApiToken(tx, orgId, tokenId);
    if (!row) {
      if (await findApiToken(tx, orgId, tokenId)) return; // already revoked: a retried call
      throw notFound('api_token');
    }
    await writeAudit(tx, ctx.actor, { action: 'token.revoked', entityType: 'api_token', entityId: row.id, before: { name: row.name, prefix: row.prefix } });
    await emit([{ type: 'apiToken.revoked', orgId, aggregateId: row.id, payload: { tokenId: row.id, userId: row.userId } }]);
  });
  return { id: tokenId, revoked: true as const };
}
