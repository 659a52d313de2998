import { DelayedError, UnrecoverableError } from 'bullmq';
import { eq, inArray } from 'drizzle-orm';
import { claimNotificationForPush, markNotificationSent, recordDeliveredTokens } from '~/server/notifications/queries';
import { deviceTokens, notifications } from '~/server/db/schema';
import { appendEvent } from '~/server/events/outbox';
import type { Logger } from '~/server/logger';
import { queueNames } from '~/server/queues/definitions';
import type { Services } from '~/server/services';
import type { PushResult, PushSender } from '~/server/integrations/fcm/sender';
import { defineProcessor } from '../queues/processor';
import { hasConsumer } from '../events/delivery';

export class PushRetryableError extends Error {
  override name = 'PushRetryableError';
}

/**
 * Sends one notification to every device of its user. It is recorded as `sending` before FCM is called and as
 * `sent` right after, so a retried job skips what was delivered; only a crash between FCM's answer and that
 * record can send twice. When some devices get it and others fail, the ones reached are recorded before the
 * retry, which sends to the others only. Tokens FCM calls unregistered, invalid or registered to another sender are
 * removed. A 429 puts the job back for as long as FCM's Retry-After asks (FCM_RATE_LIMIT_DELAY_MS when the header
 * is missing); other transient errors retry with the queue's exponential backoff. An error
 * no retry can mend (our credentials, a message FCM rejects) with no device reached fails the job at once, so it
 * reaches the dead-letter queue instead of counting as sent; with some devices reached, it is logged.
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
    const failures = results.filter((r): r is Extract<PushResult, { ok: false }> => !r.ok && !r.tokenInvalid);
    const delivered = results.filter((r) => r.ok).map((r) => r.token);
    const retryable = failures.filter((r) => r.retryable);
    const permanent = failures.filter((r) => !r.retryable);
    const summary = (of: typeof failures) => `FCM refused ${of.length} of ${results.length} sends (${of[0]!.code}: ${of[0]!.message})`;
    if (retryable.length > 0 || (permanent.length > 0 && notification.deliveredBefore + delivered.length === 0)) {
      await recordDeliveredTokens(db, notificationId, delivered);
      // Refused for good with no device reached: about the message or our credentials, which no retry mends.
      if (retryable.length === 0) throw new UnrecoverableError(summary(permanent));
      const rateLimited = retryable.filter((r) => r.code === 'messaging/message-rate-exceeded');
      if (rateLimited.length > 0 && job.token) {
        // FCM's own Retry-After (the longest asked) when it reached us, else the configured wait.
        const asked = rateLimited.map((r) => r.retryAfterMs).filter((ms): ms is number => ms !== null);
        await job.moveToDelayed(Date.now() + (asked.length > 0 ? Math.max(...asked) : services.env.FCM_RATE_LIMIT_DELAY_MS), job.token);
        throw new DelayedError();
      }
      throw new PushRetryableError(`${summary(retryable)}; will retry`);
    }
    // Some devices got it and the others refuse it for good (an iOS token whose APNs credentials are wrong, say):
    // the notification reached its user; the devices that cannot get it are logged for whoever fixes the setup.
    if (permanent.length > 0) logger.warn({ notificationId, refused: permanent.map((r) => ({ code: r.code, message: r.message })) }, 'some devices refused the push for good');

    const devices = notification.deliveredBefore + delivered.length;
    // The record and its event are one statement: atomic without a transaction, one round trip.
    await appendEvent(
      db,
      { type: 'notification.sent', orgId: notification.orgId, aggregateId: notificationId, payload: { notificationId, userId: notification.userId, devices } },
      { userId: null },
      {
        // Nobody consumes notification.sent today: the relay's poll publishes it, no wake-up per delivery.
        wake: hasConsumer('notification.sent'),
        alongside: () => markNotificationSent(notificationId),
      },
    );
    return { delivered: delivered.length, devices, removedTokens: invalid.length };
  });
}
