import { z } from 'zod';
import { listNotifications, markNotificationsRead } from '../../db/queries/notifications';
import { authedProcedure, createTRPCRouter } from '../trpc';
import { id, pageInput } from '../validators';

export const notificationsRouter = createTRPCRouter({
  list: authedProcedure
    .input(z.strictObject({ ...pageInput, unreadOnly: z.boolean().nullish() }))
    .query(({ ctx, input }) => listNotifications(ctx.services.db, ctx.orgId, ctx.principal.userId, input)),

  /** Idempotent: marking read what is already read changes nothing. */
  markRead: authedProcedure
    .input(z.union([z.strictObject({ ids: z.array(id).min(1).max(500) }), z.strictObject({ all: z.literal(true) })]))
    .mutation(async ({ ctx, input }) => ({
      marked: await markNotificationsRead(ctx.services.db, ctx.orgId, ctx.principal.userId, 'ids' in input ? input.ids : 'all'),
    })),
});
