import { z } from 'zod';
import { writeAudit } from '../../../audit/audit';
import { hashPassword } from '../../../auth/password';
import { forgetCachedCredentials, revokeAllSessions } from '../../../auth/session-service';
import { countStoresInOrg, findUser, insertUser, listUsers, replaceStoreMemberships, updateUser } from '../../../accounts/queries/users';
import { AppError, isUniqueViolation, notFound } from '../../../domain/errors';
import { cacheTags, ENTITY_TTL_SECONDS } from '../../../cache/keys';
import { adminProcedure, cachedQuery, createTRPCRouter } from '../../trpc';
import { email, id, pageInput, password, role, text } from '../../validators';

const storeIds = z.array(id).max(500).transform((ids) => [...new Set(ids)]);

export const adminUsersRouter = createTRPCRouter({
  list: adminProcedure
    .use(cachedQuery({ ttlSeconds: ENTITY_TTL_SECONDS, tags: (orgId) => [cacheTags.users(orgId)] }))
    .input(z.strictObject({ ...pageInput, role: role.nullish(), active: z.boolean().nullish(), search: z.string().trim().max(100).nullish() }))
    .query(({ ctx, input }) => listUsers(ctx.services.db, ctx.orgId, input)),

  byId: adminProcedure.input(z.strictObject({ id })).query(async ({ ctx, input }) => {
    return (await findUser(ctx.services.db, ctx.orgId, input.id)) ?? throwNotFound();
  }),

  create: adminProcedure
    .input(z.strictObject({ email, name: text(120), role, password, storeIds: storeIds.default([]) }))
    .mutation(async ({ ctx, input }) => {
      const passwordHash = await hashPassword(input.password);
      try {
        const created = await ctx.services.db.transaction(async (tx) => {
          await assertStoresInOrg(tx, ctx.orgId, input.storeIds);
          const { id: userId } = await insertUser(tx, { orgId: ctx.orgId, email: input.email, name: input.name, role: input.role, passwordHash });
          await replaceStoreMemberships(tx, ctx.orgId, userId, input.storeIds);
          const user = await findUser(tx, ctx.orgId, userId);
          await writeAudit(tx, ctx.actor, { action: 'user.created', entityType: 'user', entityId: userId, after: user });
          return user!;
        });
        await ctx.services.cache.invalidateTags(cacheTags.users(ctx.orgId));
        return created;
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('CONFLICT', `A user with email ${input.email} already exists`);
        throw error;
      }
    }),

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
    .mutation(async ({ ctx, input }) => {
      if (input.id === ctx.principal.userId && (input.active === false || (input.role && input.role !== 'admin'))) {
        throw new AppError('CONFLICT', 'You cannot deactivate yourself or remove your own admin role; ask another admin');
      }
      const passwordHash = input.password ? await hashPassword(input.password) : undefined;
      const updated = await ctx.services.db.transaction(async (tx) => {
        const before = await findUser(tx, ctx.orgId, input.id);
        if (!before) throw notFound('User');
        await updateUser(tx, ctx.orgId, input.id, {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.role !== undefined && { role: input.role }),
          ...(input.active !== undefined && { active: input.active }),
          ...(passwordHash && { passwordHash }),
        });
        if (input.storeIds) {
          await assertStoresInOrg(tx, ctx.orgId, input.storeIds);
          await replaceStoreMemberships(tx, ctx.orgId, input.id, input.storeIds);
        }
        // Deactivation or a new password signs the user out everywhere.
        if (input.active === false || passwordHash) await revokeAllSessions(tx, ctx.orgId, input.id);
        const after = await findUser(tx, ctx.orgId, input.id);
        await writeAudit(tx, ctx.actor, {
          action: input.active === false ? 'user.deactivated' : 'user.updated',
          entityType: 'user',
          entityId: input.id,
          before,
          after: { ...after, ...(passwordHash && { passwordChanged: true }) },
        });
        return after!;
      });
      // Product lists show buyer names: they go with the user lists.
      await Promise.all([forgetCachedCredentials(ctx.services, input.id), ctx.services.cache.invalidateTags(cacheTags.users(ctx.orgId), cacheTags.products(ctx.orgId))]);
      return updated;
    }),
});

function throwNotFound(): never {
  throw notFound('User');
}

async function assertStoresInOrg(tx: Parameters<typeof countStoresInOrg>[0], orgId: string, ids: string[]) {
  if ((await countStoresInOrg(tx, orgId, ids)) !== ids.length) throw notFound('Store');
}
