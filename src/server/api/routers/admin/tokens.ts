import { z } from 'zod';
import { createApiToken, listApiTokens, revokeToken } from '../../../accounts/tokens';
import { adminProcedure, createTRPCRouter } from '../../trpc';
import { id, pageInput, text } from '../../validators';

export const adminTokensRouter = createTRPCRouter({
  /** The token is in this answer only; we keep its hash. */
  create: adminProcedure
    .input(
      z.strictObject({
        /** Client-made: sending the same create again (its answer lost) re-issues this token instead of making another. */
        id: id.optional(),
        name: text(100),
        /** The user the token acts as (its role and stores); defaults to the admin creating it. */
        userId: id.optional(),
        /** Omitted: the deployment's default (API_TOKEN_DEFAULT_DAYS, 90); null: never expires. */
        expiresInDays: z.number().int().min(1).max(3650).nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => createApiToken(ctx.domain, input)),

  list: adminProcedure.input(z.strictObject({ ...pageInput, includeRevoked: z.boolean().nullish() })).query(({ ctx, input }) => listApiTokens(ctx.domain, input)),

  revoke: adminProcedure.input(z.strictObject({ id })).mutation(({ ctx, input }) => revokeToken(ctx.domain, input.id)),
});
