import type { Job } from 'bullmq';
import { isUuid } from '~/lib/uuid';
import { writeAudit } from '../audit/audit';
import type { Executor } from '../db/client';
import type { DomainContext, OperatorContext, SignedInContext } from '../domain/context';
import { AppError, notFound } from '../errors';
import { inTransaction } from '../domain/transaction';
import { deadLetterOf, retriedJobId } from '../queues/retry-ids';
import type { QueueName } from '../queues/definitions';
import {
  appendRetry,
  findDeadLetter,
  insertDeadLetter,
  listDeadLetters as listDeadLetterRows,
  reopenDeadLetter,
  resolveDeadLetter as resolveDeadLetterRow,
  type LetterOwner,
} from './queries';


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
  const failure = {
    errorMessage: error.message.slice(0, 4000),
    errorStack: error.stack?.slice(0, 16_000) ?? null,
    attempts,
    maxAttempts: job.opts.attempts ?? 1,
    lastAttemptAt: new Date(),
  };
  const existing = deadLetterOf(job.id);
  if (existing) return reopenDeadLetter(db, existing, failure);
  const orgId = isUuid(job.data?.orgId) ? job.data.orgId : null;
  await insertDeadLetter(db, { orgId, sourceQueue: queue, originalId: job.id ?? null, jobName: job.name, payload: job.data ?? {}, ...failure });
}

type ListParams = Parameters<typeof listDeadLetterRows>[2];

/** The org's dead letters, newest first. The system's (no org) are not an org's to see: they are the operator's. */
export const listDeadLetters = (ctx: SignedInContext, params: ListParams) => listDeadLetterRows(ctx.db, { org: ctx.principal.orgId }, params);

/** The system's dead letters (jobs of no org), newest first: the platform operator's. */
export const listSystemDeadLetters = (ctx: OperatorContext, params: ListParams) => listDeadLetterRows(ctx.db, 'system', params);

export const retryDeadLetter = (ctx: SignedInContext, deadLetterId: string) => retryLetter(ctx, { org: ctx.principal.orgId }, ctx.principal.userId, deadLetterId);
export const retrySystemDeadLetter = (ctx: OperatorContext, deadLetterId: string) => retryLetter(ctx, 'system', ctx.operator.operatorId, deadLetterId);

export const resolveDeadLetter = (ctx: SignedInContext, deadLetterId: string, note: string) =>
  resolveLetter(ctx, { org: ctx.principal.orgId }, ctx.principal.userId, deadLetterId, note);
export const resolveSystemDeadLetter = (ctx: OperatorContext, deadLetterId: string, note: string) =>
  resolveLetter(ctx, 'system', ctx.operator.operatorId, deadLetterId, note);

const PENDING_STATES = ['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'];

/**
 * Puts the job back on its queue under a new id; the dead letter stays (with this retry in its history) until
 * resolved. While the last retry's job has not run yet, asking again (a double click, a retry whose answer was
 * lost) answers that job instead of queueing a second one; two at once queue one (the letter is locked). The
 * history and the job go together: if the queue refuses the job, no retry is recorded. `owner`: whose letters the
 * caller handles (an org's admin, or the platform operator for the system's); `by`: who asks.
 */
async function retryLetter(ctx: DomainContext, owner: LetterOwner, by: string, deadLetterId: string) {
  return inTransaction(ctx, async (tx) => {
    const letter = await findDeadLetter(tx, owner, deadLetterId, { lock: true });
    if (!letter) throw notFound('dead_letter');
    if (letter.resolvedAt) throw new AppError('CONFLICT', 'dead_letter_resolved', 'This dead letter is already resolved');
    const queue = ctx.services.queues.queue(letter.sourceQueue as QueueName);
    const last = letter.retryHistory.at(-1)?.newJobId;
    if (last && PENDING_STATES.includes(await queue.getJobState(last))) return { id: letter.id, jobId: last };
    const jobId = retriedJobId(letter.id, letter.retryHistory.length + 1);
    await appendRetry(tx, letter.id, { at: new Date().toISOString(), by, newJobId: jobId });
    await writeAudit(tx, ctx.actor, { action: 'deadLetter.retried', entityType: 'dead_letter', entityId: letter.id, after: { jobId } });
    await queue.add(letter.jobName ?? 'retry', letter.payload, { jobId });
    return { id: letter.id, jobId };
  });
}

/** Closes a letter with a note (what was done about it). */
async function resolveLetter(ctx: DomainContext, owner: LetterOwner, by: string, deadLetterId: string, note: string) {
  return inTransaction(ctx, async (tx: Executor) => {
    const letter = await findDeadLetter(tx, owner, deadLetterId);
    if (!letter) throw notFound('dead_letter');
    const resolved = (await resolveDeadLetterRow(tx, deadLetterId, by, note)) ?? letter;
    await writeAudit(tx, ctx.actor, { action: 'deadLetter.resolved', entityType: 'dead_letter', entityId: deadLetterId, after: { note } });
    return resolved;
  });
}
