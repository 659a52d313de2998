import { z } from 'zod';
import { createUser, getUser, listUsers, resetPassword, updateUser } from '../../../accounts/users';
import { ENTITY_TTL_SECONDS } from '../../../cache/keys';
import { adminProcedure, CACHED_READ, cachedQuery, createTRPCRouter } from '../../trpc';
import { email, id, pageInput, password, role, text } from '../../validators';

const storeIds = z.array(id).max(500).transform((ids) => [...new Set(ids)]);

export const adminUsersRouter = createTRPCRouter({
  list: adminProcedure
    .input(z.strictObject({ ...pageInput, role: role.nullish(), active: z.boolean().nullish(), search: z.string().trim().max(100).nullish() }))
    .meta(CACHED_READ)
    .use(cachedQuery('users', { ttlSeconds: ENTITY_TTL_SECONDS }))
    .query(({ ctx, input }) => listUsers(ctx.domain, input)),

  byId: adminProcedure.input(z.strictObject({ id })).query(({ ctx, input }) => getUser(ctx.domain, input.id)),

  /**
   * Without `password` (the admin screen), the answer's `temporaryPassword` is a code shown once: it signs in for
   * 72 hours, only to choose the user's own password. A `password` given (scripts) must pass the password policy.
   */
  create: adminProcedure
    .input(z.strictObject({ email, name: text(120), role, password: password.nullish(), storeIds: storeIds.default([]) }))
    .mutation(({ ctx, input }) => createUser(ctx.domain, input)),

  /** A new temporary code for the user (shown once in the answer); their sessions end at once. */
  resetPassword: adminProcedure.input(z.strictObject({ id })).mutation(({ ctx, input }) => resetPassword(ctx.domain, input.id)),

  /** Deactivation or a new password signs the user out everywhere; a role or store change applies at once. */
  update: adminProcedure
    .input(
      z.strictObject({
        id,
        name: text(120).optional(),
        role: role.optional(),
        active: z.boolean().optional(),
        password: password.optional(),
        storeIds: storeIds.optional(),
      }),
    )
    .mutation(({ ctx, input: { id: userId, ...changes } }) => updateUser(ctx.domain, userId, changes)),
});
