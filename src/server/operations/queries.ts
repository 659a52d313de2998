import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { isUuid } from '~/lib/uuid';
import type { Executor } from '../db/client';
import { deadLetterQueue, platformOperators, users } from '../db/schema';
import { decodeCursor, toPage } from '../db/cursor';
import { newestFirst } from '../db/order';

/**
 * Whose dead letters: one organization's (its admin's), or the system's, of no org (the platform operator's).
 * Never both, never every org's.
 */
export type LetterOwner = { org: string } | 'system';
const ownedBy = (owner: LetterOwner) => (owner === 'system' ? isNull(deadLetterQueue.orgId) : eq(deadLetterQueue.orgId, owner.org));

export async function listDeadLetters(db: Executor, owner: LetterOwner, params: { cursor?: string | null; limit: number; queue?: string | null; resolved?: boolean | null }) {
  const after = decodeCursor<[string, string]>(params.cursor, ['time', 'uuid']);
  const rows = await db
    .select()
    .from(deadLetterQueue)
    .where(
      and(
        ownedBy(owner),
        params.queue ? eq(deadLetterQueue.sourceQueue, params.queue) : undefined,
        params.resolved ? sql`${deadLetterQueue.resolvedAt} is not null` : isNull(deadLetterQueue.resolvedAt),
        after ? sql`(${deadLetterQueue.createdAt}, ${deadLetterQueue.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(newestFirst(deadLetterQueue.createdAt), newestFirst(deadLetterQueue.id))
    .limit(params.limit + 1);
  const page = toPage(rows, params.limit, (r) => [r.createdAt.toISOString(), r.id]);
  return { ...page, people: await namesOfPeople(db, owner, page.items) };
}

/**
 * The names of who resolved or retried these letters, by id: the org's users (one of them removed is missing), or
 * for the system's letters the platform operators. One statement for the page, whatever the size of the org.
 */
async function namesOfPeople(db: Executor, owner: LetterOwner, letters: { resolvedBy: string | null; retryHistory: { by: string | null }[] }[]): Promise<Record<string, string>> {
  const ids = new Set(letters.flatMap((letter) => [letter.resolvedBy, ...letter.retryHistory.map((entry) => entry.by)]));
  const wanted = [...ids].filter((id): id is string => isUuid(id));
  if (wanted.length === 0) return {};
  const rows =
    owner === 'system'
      ? await db.select({ id: platformOperators.id, name: platformOperators.name }).from(platformOperators).where(inArray(platformOperators.id, wanted))
      : await db.select({ id: users.id, name: users.name }).from(users).where(and(eq(users.orgId, owner.org), inArray(users.id, wanted)));
  return Object.fromEntries(rows.map((r) => [r.id, r.name]));
}

/** `lock`: held until the caller's transaction ends, so two admins' retries of one letter happen one after the other. */
export async function findDeadLetter(db: Executor, owner: LetterOwner, id: string, opts: { lock?: boolean } = {}) {
  const query = db
    .select()
    .from(deadLetterQueue)
    .where(and(eq(deadLetterQueue.id, id), ownedBy(owner)))
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

/**
 * The org's work in the pipeline now, from its own rows: its events not yet handed to the queue (the outbox lag)
 * and those handed over but not yet processed, its pushes queued or being sent, its products in the image
 * pipeline, and its open dead letters per queue. Each count reads a small partial index.
 */
export async function orgBacklog(db: Executor, orgId: string) {
  const [row] = await db.execute<{
    unpublished: number;
    oldest_seconds: number | null;
    in_queue: number;
    pushes: number;
    images: number;
    checks: number;
    open_letters: Record<string, number>;
  }>(sql`
    with events as (
      select count(*) filter (where published_at is null)::int as unpublished,
             extract(epoch from now() - min(created_at) filter (where published_at is null))::float8 as oldest_seconds,
             count(*) filter (where published_at is not null)::int as in_queue
      from event_log where processed_at is null and org_id = ${orgId}
    ), pushes as (
      select count(*)::int as pushes from notifications where org_id = ${orgId} and push_status in ('queued', 'sending')
    ), images as (
      select count(*)::int as images from products where org_id = ${orgId} and image_status = 'processing'
    ), checks as (
      select count(*)::int as checks from compliance_tasks where org_id = ${orgId} and status = 'submitted'
    ), letters as (
      select coalesce(jsonb_object_agg(source_queue, n), '{}'::jsonb) as open_letters
      from (select source_queue, count(*)::int as n from dead_letter_queue where org_id = ${orgId} and resolved_at is null group by source_queue) open
    )
    select * from events, pushes, images, checks, letters`);
  return {
    unpublished: row?.unpublished ?? 0,
    oldestSeconds: row?.oldest_seconds ?? null,
    inQueue: row?.in_queue ?? 0,
    pushes: row?.pushes ?? 0,
    images: row?.images ?? 0,
    /** Compliance submissions waiting for their automatic check. */
    checks: row?.checks ?? 0,
    openLetters: row?.open_letters ?? {},
  };
}

const minuteOf = (column: ReturnType<typeof sql>) => sql`(floor(extract(epoch from ${column}) / 60) * 60000)::float8`;

/**
 * The org's finished work per minute in [from, to), from its own rows: events a worker handled (by the minute they
 * were written; those no consumer wants are processed as they are published, without a job), pushes sent,
 * images processed and compliance submissions checked (their `notification.sent`, `image.processed` and automatic
 * verdict events), and jobs that went to the dead
 * letters (by their last attempt, per queue).
 */
export async function orgActivityByMinute(db: Executor, orgId: string, from: Date, to: Date) {
  const [events, letters] = await Promise.all([
    db.execute<{ at: number; events: number; pushes: number; images: number; checks: number }>(sql`
      select ${minuteOf(sql`created_at`)} as at,
             count(*) filter (where processed_at > published_at)::int as events,
             count(*) filter (where type = 'notification.sent')::int as pushes,
             count(*) filter (where type = 'image.processed')::int as images,
             count(*) filter (where type = 'compliance.reviewRequired' or (type = 'compliance.completed' and payload->>'by' = 'vision'))::int as checks
      from event_log where org_id = ${orgId} and created_at >= ${from.toISOString()}::timestamptz and created_at < ${to.toISOString()}::timestamptz
      group by 1`),
    db.execute<{ source_queue: string; at: number; failed: number }>(sql`
      select source_queue, ${minuteOf(sql`last_attempt_at`)} as at, count(*)::int as failed
      from dead_letter_queue where org_id = ${orgId} and last_attempt_at >= ${from.toISOString()}::timestamptz and last_attempt_at < ${to.toISOString()}::timestamptz
      group by 1, 2`),
  ]);
  return { events: [...events], letters: [...letters] };
}
