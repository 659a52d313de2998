import type { Job } from 'bullmq';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '~/server/db/client';
import { deadLetterQueue } from '~/server/db/schema';

/** A job from the admin's retry carries the dead letter it came from: `dlq:<deadLetterId>:<n>`. */
export const retriedJobId = (deadLetterId: string, attempt: number) => `dlq:${deadLetterId}:${attempt}`;
const deadLetterOf = (jobId: string | undefined) => /^dlq:([0-9a-f-]{36}):\d+$/.exec(jobId ?? '')?.[1];

export function isFinalFailure(job: Job, error: Error): boolean {
  return error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/**
 * Records a job that will not run again: its payload, error, stack and attempts. A job retried from the
 * dead-letter queue that fails again updates its original row (the history stays on it), so nothing is
 * lost and nothing is listed twice.
 */
export async function recordDeadLetter(db: Database, queue: string, job: Job, error: Error): Promise<void> {
  const orgId = typeof job.data?.orgId === 'string' ? (job.data.orgId as string) : null;
  const existing = deadLetterOf(job.id);
  const values = {
    errorMessage: error.message.slice(0, 4000),
    errorStack: error.stack?.slice(0, 16_000) ?? null,
    attempts: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    lastAttemptAt: new Date(),
  };
  if (existing) {
    await db
      .update(deadLetterQueue)
      .set({ ...values, attempts: sql`${deadLetterQueue.attempts} + ${job.attemptsMade}` })
      .where(and(eq(deadLetterQueue.id, existing), isNull(deadLetterQueue.resolvedAt)));
    return;
  }
  await db.insert(deadLetterQueue).values({ orgId, sourceQueue: queue, originalId: job.id ?? null, jobName: job.name, payload: job.data ?? {}, ...values });
}
