import { z } from 'zod';
import { writeAudit } from '../../../audit/audit';
import { findStore, insertStore, listStores, updateStore } from '../../../accounts/queries/stores';
import { AppError, isUniqueViolation, notFound } from '../../../domain/errors';
import { cacheTags, ENTITY_TTL_SECONDS } from '../../../cache/keys';
import { adminProcedure, cachedQuery, createTRPCRouter } from '../../trpc';
import { id, optionalText, pageInput, text } from '../../validators';

const code = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{1,20}$/, 'must be 1-20 letters, digits or dashes');

export const adminStoresRouter = createTRPCRouter({
  list: adminProcedure
    .use(cachedQuery({ ttlSeconds: ENTITY_TTL_SECONDS, tags: (orgId) => [cacheTags.stores(orgId)] }))
    .input(z.strictObject({ ...pageInput, active: z.boolean().nullish() }))
    .query(({ ctx, input }) => listStores(ctx.services.db, ctx.orgId, input)),

  byId: adminProcedure.input(z.strictObject({ id })).query(async ({ ctx, input }) => {
    const store = await findStore(ctx.services.db, ctx.orgId, input.id);
    if (!store) throw notFound('Store');
    return store;
  }),

  create: adminProcedure
    .input(z.strictObject({ code, name: text(120), city: optionalText(120) }))
    .mutation(async ({ ctx, input }) => {
      const store = await withCodeConflict(input.code, () =>
        ctx.services.db.transaction(async (tx) => {
          const created = await insertStore(tx, { orgId: ctx.orgId, ...input });
          await writeAudit(tx, ctx.actor, { action: 'store.created', entityType: 'store', entityId: created.id, after: created });
          return created;
        }),
      );
      await ctx.services.cache.invalidateTags(cacheTags.stores(ctx.orgId));
      return store;
    }),

  update: adminProcedure
    .input(z.strictObject({ id, code: code.optional(), name: text(120).optional(), city: optionalText(120), active: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      const { id: storeId, ...changes } = input;
      const store = await withCodeConflict(input.code ?? '', () =>
        ctx.services.db.transaction(async (tx) => {
          const before = await findStore(tx, ctx.orgId, storeId);
          if (!before) throw notFound('Store');
          const after = (await updateStore(tx, ctx.orgId, storeId, changes)) ?? before;
          await writeAudit(tx, ctx.actor, { action: 'store.updated', entityType: 'store', entityId: storeId, before, after });
          return after;
        }),
      );
      await ctx.services.cache.invalidateTags(cacheTags.stores(ctx.orgId));
      return store;
    }),
});

async function withCodeConflict<T>(storeCode: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('CONFLICT', `Store code ${storeCode} is already in use`);
    throw error;
  }
}
