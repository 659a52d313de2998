import type { Job } from 'bullmq';
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '~/server/db/client';
import { isUuid } from '~/lib/uuid';
import { deadLetterQueue } from '~/server/db/schema';

/** A job from the admin's retry carries the dead letter it came from: `dlq:<deadLetterId>:<n>`. */
export const retriedJobId = (deadLetterId: string, attempt: number) => `dlq:${deadLetterId}:${attempt}`;
const deadLetterOf = (jobId: string | undefined) => /^dlq:([0-9a-f-]{36}):\d+$/.exec(jobId ?? '')?.[1];

/**
 * Whether the job will not run again after this error. `running`: asked inside the processor, where the attempt
 * that failed is not counted in `attemptsMade` yet (in the worker's `failed` event it is).
 */
export function isFinalFailure(job: Job, error: Error, { running }: { running: boolean }): boolean {
  return error.name === 'UnrecoverableError' || job.attemptsMade + (running ? 1 : 0) >= (job.opts.attempts ?? 1);
}


/**
 * Records a job that will not run again: its payload, error, stack and attempts. A job retried from the
 * dead-letter queue that fails again updates its original row (the history stays on it), so nothing is
 * lost and nothing is listed twice; a row resolved meanwhile (say, resolved while its retry ran) is reopened.
 * A payload's `orgId` that is no uuid (a malformed payload) is kept in the payload, and the row has no org.
 */
export async function recordDeadLetter(db: Executor, queue: string, job: Job, error: Error, attempts: number): Promise<void> {
  const orgId = isUuid(job.data?.orgId) ? job.data.orgId : null;
  const existing = deadLetterOf(job.id);
  const values = {
    errorMessage: error.message.slice(0, 4000),
    errorStack: error.stack?.slice(0, 16_000) ?? null,
    attempts,
    maxAttempts: job.opts.attempts ?? 1,
    lastAttemptAt: new Date(),
  };
  if (existing) {
    await db
      .update(deadLetterQueue)
      .set({ ...values, attempts: sql`${deadLetterQueue.attempts} + ${attempts}`, resolvedAt: null, resolvedBy: null, resolutionNote: null })
      .where(eq(deadLetterQueue.id, existing));
    return;
  }
  await db.insert(deadLetterQueue).values({ orgId, sourceQueue: queue, originalId: job.id ?? null, jobName: job.name, payload: job.data ?? {}, ...values });
}
