import { UnrecoverableError, type Job } from 'bullmq';
import { isUuid } from '~/lib/uuid';
import type { Database } from '../db/client';
import type { PushSender } from '../integrations/fcm/sender';
import { isDependencyRefusal, isTimeout } from '../integrations/resilience';
import type { Logger } from '../logger';
import { queueNames } from '../queues/definitions';
import { delayUntil } from '../queues/delay';
import { defineProcessor } from '../queues/processor';
import { sendPush } from './push';
import { keepInBellOnly, markPushFailed } from './queries';

export class PushRetryableError extends Error {
  override name = 'PushRetryableError';
}


/**
 * The `fcm-notifications` queue's adapter. A 429 puts the job back for as long as FCM's Retry-After asks
 * (`rateLimitDelayMs` when the header is missing). FCM down — its breaker open, or this failure the one that
 * opened it, or its sends saturated — puts the job back until the breaker lets a send test FCM again, without
 * spending an attempt: no push is dead-lettered because FCM is down. A transient failure while FCM works for the
 * others (one device's 500) retries with the queue's exponential backoff; a refusal no retry mends fails the job at
 * once, so it reaches the dead-letter queue instead of counting as sent. A push that dead-letters is `failed`.
 */
export function pushProcessor(opts: {
  db: Database;
  sender: PushSender;
  logger: Logger;
  rateLimitDelayMs: number;
  maxWaitMs: number;
  wakeRelay: boolean;
  countPush?: (result: string) => void;
  /** The org's `pushDelivery` flag: off, the notification stays in the bell only (also for pushes already queued). */
  pushAllowed?: (orgId: string) => Promise<boolean>;
}) {
  const { sender } = opts;
  /**
   * FCM down: wait for it without spending an attempt — up to `maxWaitMs` from the job's creation; after that a
   * push that still cannot go (FCM gone for a day, or a failure of its own that keeps the breaker open in a quiet
   * process) spends its attempts like any failure, and may be dead-lettered.
   */
  const waitForFcm = (job: Job, reason: string): Promise<never> => {
    if (Date.now() - job.timestamp > opts.maxWaitMs) throw new PushRetryableError(`${reason}; waited for FCM longer than ${Math.round(opts.maxWaitMs / 1000)} s`);
    return delayUntil(job, sender.availability().retryAt.getTime(), reason);
  };
  return defineProcessor(
    queueNames.fcm,
    opts.logger,
    async ({ notificationId, orgId }, job) => {
      if (orgId && opts.pushAllowed && !(await opts.pushAllowed(orgId))) {
        await keepInBellOnly(opts.db, notificationId);
        opts.countPush?.('switched_off');
        return { skipped: 'push_switched_off' };
      }
      let outcome;
      try {
        outcome = await sendPush(opts, notificationId);
      } catch (error) {
        if (isDependencyRefusal(error)) return waitForFcm(job, `FCM unavailable: ${(error as Error).message}`);
        // A send that timed out counted against FCM: if that opened the breaker, wait for it like the others.
        if (isTimeout(error) && sender.availability().down) return waitForFcm(job, 'FCM timed out');
        throw error;
      }
      opts.countPush?.(outcome.kind);
      switch (outcome.kind) {
        case 'missing':
          throw new UnrecoverableError(`Notification ${notificationId} does not exist`);
        case 'skipped':
          return { skipped: outcome.status };
        case 'refused':
          throw new UnrecoverableError(outcome.message);
        case 'rate_limited':
          return delayUntil(job, Date.now() + (outcome.delayMs ?? opts.rateLimitDelayMs), outcome.message, 0);
        case 'retry': {
          if (sender.availability().down) return waitForFcm(job, outcome.message);
          throw new PushRetryableError(outcome.message);
        }
        case 'sent':
          return { delivered: outcome.delivered, devices: outcome.devices, removedTokens: outcome.removedTokens };
      }
    },
    // A malformed payload's id is no uuid: nothing to mark, and the dead letter must still be written.
    {
      deadLettered: async (tx, job) => {
        opts.countPush?.('failed');
        if (isUuid(job.data?.notificationId)) await markPushFailed(tx, job.data.notificationId);
      },
    },
  );
}
