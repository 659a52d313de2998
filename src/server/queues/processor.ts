import { DelayedError, UnrecoverableError, type Job, type Processor } from 'bullmq';
import { timeout, TimeoutStrategy } from 'cockatiel';
import { isTimeout } from '../integrations/resilience';
import type { Transaction } from '../db/client';
import type { Logger } from '../logger';
import { jobPayloads, queueOptions, type JobPayload, type QueueName } from './definitions';

/**
 * A queue's processor, and what its domain records when one of its jobs fails for good, in the transaction
 * that writes the dead letter (a push is then `failed`, an event no longer awaited).
 */
export type QueueProcessor = { process: Processor; deadLettered?: (tx: Transaction, job: Job) => Promise<void> };

export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
}

/**
 * Wraps a queue's handler: the payload is validated first (a malformed one is not retried: straight to the
 * dead-letter queue), the job gets the queue's time limit, and every run is logged with the job id.
 */
export function defineProcessor<Q extends QueueName>(
  queue: Q,
  logger: Logger,
  handler: (payload: JobPayload<Q>, job: Job) => Promise<unknown>,
  opts: { deadLettered?: QueueProcessor['deadLettered'] } = {},
): QueueProcessor {
  const timeoutMs = queueOptions[queue].timeoutMs;
  // Aggressive: the job's promise is abandoned at the limit (its handler cannot be forced to stop; the signal says so).
  const jobTimeout = timeout(timeoutMs, TimeoutStrategy.Aggressive);
  const process: Processor = async (job) => {
    const parsed = jobPayloads[queue].safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Invalid payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    // The job's request id is the one its domain context uses (runtime/workers.ts): one id finds every line of a job.
    const log = logger.child({ requestId: `job:${queue}:${job.id}`, queue, jobId: job.id, attempt: job.attemptsMade + 1 });
    const started = performance.now();
    try {
      const result = await jobTimeout.execute(() => handler(parsed.data as JobPayload<Q>, job)).catch((error: unknown) => {
        // The job's own limit (a timeout inside the handler, an external service's, is the handler's error).
        // (Timers fire in whole milliseconds, sometimes a hair early: a few ms of slack.)
        if (isTimeout(error) && performance.now() - started >= timeoutMs - 5) throw new JobTimeoutError(`Job took longer than ${timeoutMs} ms`);
        throw error;
      });
      log.debug({ ms: Math.round(performance.now() - started) }, 'job done');
      return result;
    } catch (error) {
      // Put back to wait (a dependency down, a rate limit): not a failure, and it may happen once per job per minute.
      if (error instanceof DelayedError) log.debug({ reason: error.message }, 'job delayed');
      else log.warn({ err: error, ms: Math.round(performance.now() - started) }, 'job failed');
      throw error;
    }
  };
  return { process, deadLettered: opts.deadLettered };
}
