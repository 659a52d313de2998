import { UnrecoverableError, type Job, type Processor } from 'bullmq';
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
  const process: Processor = async (job) => {
    const parsed = jobPayloads[queue].safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Invalid payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const log = logger.child({ queue, jobId: job.id, attempt: job.attemptsMade + 1 });
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        handler(parsed.data as JobPayload<Q>, job),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new JobTimeoutError(`Job took longer than ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      log.debug({ ms: Math.round(performance.now() - started) }, 'job done');
      return result;
    } catch (error) {
      log.warn({ err: error, ms: Math.round(performance.now() - started) }, 'job failed');
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  return { process, deadLettered: opts.deadLettered };
}
