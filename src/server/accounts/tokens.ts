import { writeAudit } from '../audit/audit';
import { newApiToken, sha256 } from '../auth/secrets';
import type { SignedInContext } from '../domain/context';
import { AppError, notFound } from '../errors';
import { inTransaction } from '../domain/transaction';
import { findApiToken, insertApiToken, listApiTokens as listTokenRows, lockApiToken, replaceTokenSecret, revokeApiToken } from './queries/tokens';
import { findUser } from './queries/users';

export type CreateTokenInput = {
  /** Client-made: a create sent again (its answer lost) gives the same token a new secret instead of a second token. */
  id?: string;
  name: string;
  userId?: string;
  /** Undefined: API_TOKEN_DEFAULT_DAYS; null: never expires. */
  expiresInDays?: number | null;
};

/**
 * A token for a script, acting as `userId` (its role and stores; the admin by default). The secret is in this
 * answer only; we keep its hash. Asked again with the same id, the same token gets a new secret and the first
 * one (never seen, its answer lost) stops working: one live token per id, whatever the retries.
 */
export async function createApiToken(ctx: SignedInContext, input: CreateTokenInput) {
  const orgId = ctx.principal.orgId;
  const userId = input.userId ?? ctx.principal.userId;
  const { token, prefix } = newApiToken();
  const days = input.expiresInDays === undefined ? ctx.services.env.API_TOKEN_DEFAULT_DAYS : input.expiresInDays;
  const expiresAt = days === null ? null : new Date(Date.now() + days * 86_400_000);
  return inTransaction(ctx, async (tx, emit) => {
    const user = await findUser(tx, orgId, userId);
    if (!user) throw notFound('user', { field: 'userId' });
    if (!user.active) throw new AppError('CONFLICT', 'user_inactive', 'That user is inactive; activate them before giving them a token', { field: 'userId', name: user.name });
    const row = await insertApiToken(tx, { id: input.id, orgId, userId, createdBy: ctx.principal.userId, name: input.name, prefix, tokenHash: sha256(token), expiresAt });
    if (row) {
      await writeAudit(tx, ctx.actor, { action: 'token.created', entityType: 'api_token', entityId: row.id, after: { name: input.name, prefix, userId, expiresAt } });
      return { id: row.id, name: input.name, prefix, token, userId, expiresAt, createdAt: row.createdAt };
    }
    const existing = await lockApiToken(tx, input.id!);
    const sameRequest = existing && existing.orgId === orgId && existing.createdBy === ctx.principal.userId && existing.userId === userId && existing.name === input.name;
    if (!sameRequest || existing.revokedAt) throw new AppError('CONFLICT', 'token_id_taken', 'This token id was already used for another token; generate a new id', { field: 'id' });
    await replaceTokenSecret(tx, existing.id, { prefix, tokenHash: sha256(token) });
    await writeAudit(tx, ctx.actor, { action: 'token.reissued', entityType: 'api_token', entityId: existing.id, before: { prefix: existing.prefix }, after: { prefix } });
    // The first secret may be cached as a credential: it goes with the user's cached credentials.
    await emit([{ type: 'apiToken.revoked', orgId, aggregateId: existing.id, payload: { tokenId: existing.id, userId } }]);
    return { id: existing.id, name: existing.name, prefix, token, userId, expiresAt: existing.expiresAt, createdAt: existing.createdAt };
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
