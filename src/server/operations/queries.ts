import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { deadLetterQueue } from '../db/schema';
import { decodeCursor, toPage } from '../db/cursor';

/** Dead letters an org's admin may see: the org's own and the system's (no org). */
const visibleTo = (orgId: string) => or(eq(deadLetterQueue.orgId, orgId), isNull(deadLetterQueue.orgId));

export async function listDeadLetters(db: Executor, orgId: string, params: { cursor?: string | null; limit: number; queue?: string | null; resolved?: boolean | null }) {
  const after = decodeCursor<[string, string]>(params.cursor, ['time', 'uuid']);
  const rows = await db
    .select()
    .from(deadLetterQueue)
    .where(
      and(
        visibleTo(orgId),
        params.queue ? eq(deadLetterQueue.sourceQueue, params.queue) : undefined,
        params.resolved ? sql`${deadLetterQueue.resolvedAt} is not null` : isNull(deadLetterQueue.resolvedAt),
        after ? sql`(${deadLetterQueue.createdAt}, ${deadLetterQueue.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(deadLetterQueue.createdAt), desc(deadLetterQueue.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => [r.createdAt.toISOString(), r.id]);
}

/** `lock`: held until the caller's transaction ends, so two admins' retries of one letter happen one after the other. */
export async function findDeadLetter(db: Executor, orgId: string, id: string, opts: { lock?: boolean } = {}) {
  const query = db
    .select()
    .from(deadLetterQueue)
    .where(and(eq(deadLetterQueue.id, id), visibleTo(orgId)))
    .limit(1);
  const [row] = opts.lock ? await query.for('update') : await query;
  return row;
}

export async function appendRetry(db: Executor, id: string, entry: { at: string; by: string | null; newJobId: string | null }) {
  await db
    .update(deadLetterQueue)
    .set({ retryHistory: sql`${deadLetterQueue.retryHistory} || ${JSON.stringify([entry])}::jsonb` })
    .where(eq(deadLetterQueue.id, id));
}

export async function resolveDeadLetter(db: Executor, id: string, by: string, note: string) {
  const [row] = await db
    .update(deadLetterQueue)
    .set({ resolvedAt: sql`now()`, resolvedBy: by, resolutionNote: note })
    .where(and(eq(deadLetterQueue.id, id), isNull(deadLetterQueue.resolvedAt)))
    .returning();
  return row;
}

export type DeadLetterFailure = { errorMessage: string; errorStack: string | null; attempts: number; maxAttempts: number; lastAttemptAt: Date };

export async function insertDeadLetter(
  db: Executor,
  values: DeadLetterFailure & { orgId: string | null; sourceQueue: string; originalId: string | null; jobName: string; payload: unknown },
): Promise<void> {
  await db.insert(deadLetterQueue).values(values);
}

/** A retried job failed again: its letter takes the new failure, adds the attempts, and is open again. */
export async function reopenDeadLetter(db: Executor, id: string, failure: DeadLetterFailure): Promise<void> {
  await db
    .update(deadLetterQueue)
    .set({ ...failure, attempts: sql`${deadLetterQueue.attempts} + ${failure.attempts}`, resolvedAt: null, resolvedBy: null, resolutionNote: null })
    .where(eq(deadLetterQueue.id, id));
}
