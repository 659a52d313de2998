import { z } from 'zod';
import { matching } from '~/lib/problems';
import { createStore, getStore, listStores, updateStore } from '../../../accounts/stores';
import { ENTITY_TTL_SECONDS } from '../../../cache/keys';
import { adminProcedure, CACHED_READ, cachedQuery, createTRPCRouter } from '../../trpc';
import { id, optionalText, pageInput, text } from '../../validators';

const code = matching(/^[A-Za-z0-9-]{1,20}$/, 'store_code_format', 'must be 1-20 letters, digits or dashes');

export const adminStoresRouter = createTRPCRouter({
  list: adminProcedure
    .input(z.strictObject({ ...pageInput, active: z.boolean().nullish(), search: z.string().trim().max(100).nullish() }))
    .meta(CACHED_READ)
    .use(cachedQuery('stores', { ttlSeconds: ENTITY_TTL_SECONDS }))
    .query(({ ctx, input }) => listStores(ctx.domain, input)),

  byId: adminProcedure.input(z.strictObject({ id })).query(({ ctx, input }) => getStore(ctx.domain, input.id)),

  create: adminProcedure.input(z.strictObject({ code, name: text(120), city: optionalText(120) })).mutation(({ ctx, input }) => createStore(ctx.domain, input)),

  update: adminProcedure
    .input(z.strictObject({ id, code: code.optional(), name: text(120).optional(), city: optionalText(120), active: z.boolean().optional() }))
    .mutation(({ ctx, input: { id: storeId, ...changes } }) => updateStore(ctx.domain, storeId, changes)),
});
