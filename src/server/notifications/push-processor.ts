import { DelayedError, UnrecoverableError } from 'bullmq';
import { isUuid } from '~/lib/uuid';
import type { Database } from '../db/client';
import type { PushSender } from '../integrations/fcm/sender';
import type { Logger } from '../logger';
import { queueNames } from '../queues/definitions';
import { defineProcessor } from '../queues/processor';
import { sendPush } from './push';
import { markPushFailed } from './queries';

export class PushRetryableError extends Error {
  override name = 'PushRetryableError';
}

/**
 * The `fcm-notifications` queue's adapter. A 429 puts the job back for as long as FCM's Retry-After asks
 * (`rateLimitDelayMs` when the header is missing); other transient errors retry with the queue's exponential
 * backoff; a refusal no retry mends fails the job at once, so it reaches the dead-letter queue instead of
 * counting as sent. A push that dead-letters is `failed`.
 */
export function pushProcessor(opts: { db: Database; sender: PushSender; logger: Logger; rateLimitDelayMs: number; wakeRelay: boolean }) {
  return defineProcessor(
    queueNames.fcm,
    opts.logger,
    async ({ notificationId }, job) => {
      const outcome = await sendPush(opts, notificationId);
      switch (outcome.kind) {
        case 'missing':
          throw new UnrecoverableError(`Notification ${notificationId} does not exist`);
        case 'skipped':
          return { skipped: outcome.status };
        case 'refused':
          throw new UnrecoverableError(outcome.message);
        case 'rate_limited':
          if (job.token) {
            await job.moveToDelayed(Date.now() + (outcome.delayMs ?? opts.rateLimitDelayMs), job.token);
            throw new DelayedError();
          }
          throw new PushRetryableError(outcome.message);
        case 'retry':
          throw new PushRetryableError(outcome.message);
        case 'sent':
          return { delivered: outcome.delivered, devices: outcome.devices, removedTokens: outcome.removedTokens };
      }
    },
    // A malformed payload's id is no uuid: nothing to mark, and the dead letter must still be written.
    { deadLettered: async (tx, job) => (isUuid(job.data?.notificationId) ? markPushFailed(tx, job.data.notificationId) : undefined) },
  );
}
