import { DelayedError, UnrecoverableError } from 'bullmq';
import { eq, inArray } from 'drizzle-orm';
import { claimNotificationForPush, markNotificationSent } from '~/server/db/queries/notifications';
import { deviceTokens, notifications } from '~/server/db/schema';
import { appendEvent } from '~/server/events/outbox';
import type { Logger } from '~/server/logger';
import { queueNames } from '~/server/queues/definitions';
import type { Services } from '~/server/services';
import type { PushSender } from '~/server/services/fcm/sender';
import { defineProcessor } from '../base';
import { hasConsumer } from './domain-events';

export class PushRetryableError extends Error {
  override name = 'PushRetryableError';
}

/**
 * Sends one notification to every device of its user. It is recorded as `sending` before FCM is called and as
 * `sent` right after, so a retried job skips what was delivered; only a crash between FCM's answer and that
 * record can send twice. Tokens FCM calls unregistered or invalid are removed. A 429 puts the job back after
 * FCM_RATE_LIMIT_DELAY_MS (FCM's answer reaches us without its Retry-After); other transient errors retry
 * with the queue's exponential backoff.
 */
export function fcmProcessor(services: Services, sender: PushSender, logger: Logger) {
  const { db } = services;
  return defineProcessor(queueNames.fcm, logger, async ({ notificationId }, job) => {
    const notification = await claimNotificationForPush(db, notificationId);
    if (!notification) {
      const [current] = await db.select({ status: notifications.pushStatus }).from(notifications).where(eq(notifications.id, notificationId));
      if (!current) throw new UnrecoverableError(`Notification ${notificationId} does not exist`);
      return { skipped: current.status };
    }
    const data = { notificationId, kind: notification.kind, ...Object.fromEntries(Object.entries(notification.data).map(([k, v]) => [k, String(v)])) };
    const results = await sender.sendEach(notification.tokens.map((token) => ({ token, title: notification.title, body: notification.body, data })));

    const invalid = results.filter((r) => !r.ok && r.tokenInvalid).map((r) => r.token);
    if (invalid.length > 0) await db.delete(deviceTokens).where(inArray(deviceTokens.token, invalid));
    const rateLimited = results.some((r) => !r.ok && r.code === 'messaging/message-rate-exceeded');
    const retryable = results.filter((r) => !r.ok && r.retryable);
    if (rateLimited && job.token) {
      await job.moveToDelayed(Date.now() + services.env.FCM_RATE_LIMIT_DELAY_MS, job.token);
      throw new DelayedError();
    }
    if (retryable.length > 0) throw new PushRetryableError(`FCM refused ${retryable.length} of ${results.length} sends (${retryable[0]!.ok ? '' : retryable[0]!.code}); will retry`);

    const delivered = results.filter((r) => r.ok).length;
    // The record and its event are one statement: atomic without a transaction, one round trip.
    await appendEvent(
      db,
      { type: 'notification.sent', orgId: notification.orgId, aggregateId: notificationId, payload: { notificationId, userId: notification.userId, devices: delivered } },
      { userId: null },
      {
        // Nobody consumes notification.sent today: the relay's poll publishes it, no wake-up per delivery.
        wake: hasConsumer('notification.sent'),
        alongside: () => markNotificationSent(notificationId),
      },
    );
    return { delivered, removedTokens: invalid.length };
  });
}
