import { DelayedError, type Job } from 'bullmq';

/** A job put back without a lock token (it cannot move itself): retried as a failure instead. */
export class JobWaitError extends Error {
  override name = 'JobWaitError';
}

/**
 * Puts the job back until `at` (at least `minWaitMs` from now) without spending one of its attempts (BullMQ's
 * DelayedError): how a job waits for a dependency that is down or a rate limit, never failing for it.
 */
export async function delayUntil(job: Job, at: number, reason: string, minWaitMs = 1_000): Promise<never> {
  if (!job.token) throw new JobWaitError(reason);
  await job.moveToDelayed(Math.max(at, Date.now() + minWaitMs), job.token);
  throw new DelayedError(reason);
}
