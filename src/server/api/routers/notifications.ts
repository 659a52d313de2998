import { z } from 'zod';
import { deleteDeviceToken, upsertDeviceToken } from '../../notifications/devices-queries';
import { listNotifications, markNotificationsRead } from '../../notifications/queries';
import { webPushConfigOf } from '../../integrations/fcm/web-config';
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

  /** The Firebase web config a browser gets its FCM token with, from this deployment's environment; null: no browser push. */
  pushConfig: authedProcedure.query(({ ctx }) => webPushConfigOf(ctx.services.env)),

  /** The FCM registration token the browser got from Firebase's web SDK; idempotent. */
  registerDevice: authedProcedure
    .input(z.strictObject({ token: z.string().trim().min(20, 'is not an FCM token').max(4096), platform: z.enum(['web', 'android', 'ios']).default('web') }))
    .mutation(async ({ ctx, input }) => {
      await upsertDeviceToken(ctx.services.db, { orgId: ctx.orgId, userId: ctx.principal.userId, token: input.token, platform: input.platform });
      return { registered: true as const };
    }),

  unregisterDevice: authedProcedure.input(z.strictObject({ token: z.string().trim().min(1).max(4096) })).mutation(async ({ ctx, input }) => ({
    removed: await deleteDeviceToken(ctx.services.db, ctx.principal.userId, input.token),
  })),
});
