import { z } from 'zod';
import { listNotifications, markRead, pushConfig, registerDevice, unregisterDevice } from '../../notifications/service';
import { authedProcedure, createTRPCRouter } from '../trpc';
import { id, pageInput } from '../validators';

export const notificationsRouter = createTRPCRouter({
  list: authedProcedure.input(z.strictObject({ ...pageInput, unreadOnly: z.boolean().nullish() })).query(({ ctx, input }) => listNotifications(ctx.domain, input)),

  /** Idempotent: marking read what is already read changes nothing. */
  markRead: authedProcedure
    .input(z.union([z.strictObject({ ids: z.array(id).min(1).max(500) }), z.strictObject({ all: z.literal(true) })]))
    .mutation(({ ctx, input }) => markRead(ctx.domain, 'ids' in input ? input.ids : 'all')),

  /** The Firebase web config a browser gets its FCM token with, from this deployment's environment; null: no browser push. */
  pushConfig: authedProcedure.query(({ ctx }) => pushConfig(ctx.domain)),

  /** The FCM registration token the browser got from Firebase's web SDK; idempotent. */
  registerDevice: authedProcedure
    .input(z.strictObject({ token: z.string().trim().min(20, 'is not an FCM token').max(4096), platform: z.enum(['web', 'android', 'ios']).default('web') }))
    .mutation(({ ctx, input }) => registerDevice(ctx.domain, input)),

  unregisterDevice: authedProcedure.input(z.strictObject({ token: z.string().trim().min(1).max(4096) })).mutation(({ ctx, input }) => unregisterDevice(ctx.domain, input.token)),
});
