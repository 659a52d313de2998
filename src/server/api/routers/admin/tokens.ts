import { z } from 'zod';
import { writeAudit } from '../../../audit/audit';
import { cacheKeys } from '../../../cache/keys';
import { newApiToken, sha256 } from '../../../auth/secrets';
import { findApiToken, insertApiToken, listApiTokens, revokeApiToken } from '../../../accounts/queries/tokens';
import { findUser } from '../../../accounts/queries/users';
import { AppError, notFound } from '../../../domain/errors';
import { adminProcedure, createTRPCRouter } from '../../trpc';
import { id, pageInput, text } from '../../validators';

export const adminTokensRouter = createTRPCRouter({
  /** The token is in this answer only; we keep its hash. */
  create: adminProcedure
    .input(
      z.strictObject({
        name: text(100),
        /** The user the token acts as (its role and stores); defaults to the admin creating it. */
        userId: id.optional(),
        expiresInDays: z.number().int().min(1).max(3650).nullish(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const userId = input.userId ?? ctx.principal.userId;
      const { token, prefix } = newApiToken();
      const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
      return ctx.services.db.transaction(async (tx) => {
        const user = await findUser(tx, ctx.orgId, userId);
        if (!user) throw notFound('User');
        if (!user.active) throw new AppError('CONFLICT', 'That user is inactive; activate them before giving them a token');
        const row = await insertApiToken(tx, { orgId: ctx.orgId, userId, createdBy: ctx.principal.userId, name: input.name, prefix, tokenHash: sha256(token), expiresAt });
        await writeAudit(tx, ctx.actor, { action: 'token.created', entityType: 'api_token', entityId: row.id, after: { name: input.name, prefix, userId, expiresAt } });
        return { id: row.id, name: input.name, prefix, token, userId, expiresAt, createdAt: row.createdAt };
      });
    }),

  list: adminProcedure
    .input(z.strictObject({ ...pageInput, includeRevoked: z.boolean().nullish() }))
    .query(({ ctx, input }) => listApiTokens(ctx.services.db, ctx.orgId, input)),

  revoke: adminProcedure.input(z.strictObject({ id })).mutation(async ({ ctx, input }) => {
    const revoked = await ctx.services.db.transaction(async (tx) => {
      const row = await revokeApiToken(tx, ctx.orgId, input.id);
      if (!row) {
        if (await findApiToken(tx, ctx.orgId, input.id)) return null; // already revoked: idempotent
        throw notFound('API token');
      }
      await writeAudit(tx, ctx.actor, { action: 'token.revoked', entityType: 'api_token', entityId: row.id, before: { name: row.name, prefix: row.prefix } });
      return row;
    });
    if (revoked) await ctx.services.cache.del(cacheKeys.apiToken(revoked.tokenHash));
    return { id: input.id, revoked: true as const };
  }),
});
