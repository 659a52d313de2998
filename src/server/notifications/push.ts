import type { PushResult, PushSender } from '../integrations/fcm/sender';
import type { Database } from '../db/client';
import { appendEvent } from '../events/outbox';
import type { Logger } from '../logger';
import { claimNotificationForPush, findPushStatus, markNotificationSent, recordDeliveredTokens, removeDeviceTokens } from './queries';

/** What a send came to, for the queue to act on. */
export type PushOutcome =
  | { kind: 'sent'; delivered: number; devices: number; removedTokens: number }
  | { kind: 'skipped'; status: string }
  | { kind: 'missing' }
  /** FCM asked us to slow down: try again after `delayMs` (null: its header was missing). */
  | { kind: 'rate_limited'; delayMs: number | null; message: string }
  | { kind: 'retry'; message: string }
  /** Refused for good with no device reached (our credentials, a message FCM rejects): no retry mends it. */
  | { kind: 'refused'; message: string };

/**
 * Sends one notification to every device of its user not yet reached: `sending` before FCM, `sent` right after,
 * devices reached by a partly failed send recorded for the retry (docs/architecture.md "Push delivery"). Tokens
 * FCM no longer accepts are removed; with some device reached, a device refusing for good is only logged.
 */
export async function sendPush(deps: { db: Database; sender: PushSender; logger: Logger; wakeRelay: boolean }, notificationId: string): Promise<PushOutcome> {
  const { db } = deps;
  const notification = await claimNotificationForPush(db, notificationId);
  if (!notification) {
    const status = await findPushStatus(db, notificationId);
    return status ? { kind: 'skipped', status } : { kind: 'missing' };
  }
  const data = { notificationId, kind: notification.kind, ...Object.fromEntries(Object.entries(notification.data).map(([k, v]) => [k, String(v)])) };
  const results = await deps.sender.sendEach(notification.tokens.map((token) => ({ token, title: notification.title, body: notification.body, data })));

  const invalid = results.filter((r) => !r.ok && r.tokenInvalid).map((r) => r.token);
  if (invalid.length > 0) await removeDeviceTokens(db, invalid);
  const failures = results.filter((r): r is Extract<PushResult, { ok: false }> => !r.ok && !r.tokenInvalid);
  const delivered = results.filter((r) => r.ok).map((r) => r.token);
  const retryable = failures.filter((r) => r.retryable);
  const permanent = failures.filter((r) => !r.retryable);
  const summary = (of: typeof failures) => `FCM refused ${of.length} of ${results.length} sends (${of[0]!.code}: ${of[0]!.message})`;
  if (retryable.length > 0 || (permanent.length > 0 && notification.deliveredBefore + delivered.length === 0)) {
    await recordDeliveredTokens(db, notificationId, delivered);
    if (retryable.length === 0) return { kind: 'refused', message: summary(permanent) };
    const rateLimited = retryable.filter((r) => r.code === 'messaging/message-rate-exceeded');
    if (rateLimited.length > 0) {
      // FCM's own Retry-After (the longest asked) when it reached us.
      const asked = rateLimited.map((r) => r.retryAfterMs).filter((ms): ms is number => ms !== null);
      return { kind: 'rate_limited', delayMs: asked.length > 0 ? Math.max(...asked) : null, message: summary(rateLimited) };
    }
    return { kind: 'retry', message: `${summary(retryable)}; will retry` };
  }
  // Some devices got it and the others refuse it for good (an iOS token whose APNs credentials are wrong, say):
  // the notification reached its user; the devices that cannot get it are logged for whoever fixes the setup.
  if (permanent.length > 0) deps.logger.warn({ notificationId, refused: permanent.map((r) => ({ code: r.code, message: r.message })) }, 'some devices refused the push for good');

  const devices = notification.deliveredBefore + delivered.length;
  // The record and its event are one statement: atomic without a transaction, one round trip (the hot path).
  await appendEvent(
    db,
    { type: 'notification.sent', orgId: notification.orgId, aggregateId: notificationId, payload: { notificationId, userId: notification.userId, devices } },
    { userId: null },
    { wake: deps.wakeRelay, alongside: () => markNotificationSent(notificationId) },
  );
  return { kind: 'sent', delivered: delivered.length, devices, removedTokens: invalid.length };
}
