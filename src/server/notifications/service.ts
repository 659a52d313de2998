import type { SignedInContext } from '../domain/context';
import { webPushConfigOf } from '../integrations/fcm/web-config';
import { deleteDeviceToken, listNotifications as listNotificationRows, markNotificationsRead, upsertDeviceToken } from './queries';

/** The caller's notifications, newest first, with their unread count. */
export const listNotifications = (ctx: SignedInContext, params: { cursor?: string | null; limit: number; unreadOnly?: boolean | null }) =>
  listNotificationRows(ctx.db, ctx.principal.orgId, ctx.principal.userId, params);

/** Idempotent: marking read what is already read changes nothing. */
export async function markRead(ctx: SignedInContext, which: string[] | 'all') {
  return { marked: await markNotificationsRead(ctx.db, ctx.principal.orgId, ctx.principal.userId, which) };
}

/** The Firebase web config a browser gets its FCM token with, from this deployment's environment; null: no browser push. */
export const pushConfig = (ctx: SignedInContext) => webPushConfigOf(ctx.services.env);

/** The FCM registration token a device got for the caller; a token moves to whoever registered it last. Idempotent. */
export async function registerDevice(ctx: SignedInContext, device: { token: string; platform: 'web' | 'android' | 'ios' }) {
  await upsertDeviceToken(ctx.db, { orgId: ctx.principal.orgId, userId: ctx.principal.userId, token: device.token, platform: device.platform });
  return { registered: true as const };
}

export async function unregisterDevice(ctx: SignedInContext, token: string) {
  return { removed: await deleteDeviceToken(ctx.db, ctx.principal.userId, token) };
}
