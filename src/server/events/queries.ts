import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { decodeCursor, toPage } from '../db/cursor';
import { eventLog, processedEvents } from '../db/schema';

export async function listEvents(db: Executor, orgId: string, params: { cursor?: string | null; limit: number; type?: string | null; aggregateId?: string | null }) {
  const after = decodeCursor<[number]>(params.cursor, ['int']);
  const rows = await db
    .select()
    .from(eventLog)
    .where(
      and(
        eq(eventLog.orgId, orgId),
        params.type ? eq(eventLog.type, params.type) : undefined,
        params.aggregateId ? eq(eventLog.aggregateId, params.aggregateId) : undefined,
        after ? lt(eventLog.id, after[0]) : undefined,
      ),
    )
    .orderBy(desc(eventLog.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => [r.id]);
}

/** The events of this org among the given ids (others are silently not there). */
export async function findOrgEvents(db: Executor, orgId: string, ids: number[]) {
  return db
    .select({ id: eventLog.id, type: eventLog.type })
    .from(eventLog)
    .where(and(eq(eventLog.orgId, orgId), inArray(eventLog.id, ids)));
}

/** Replay starts by forgetting that the consumer processed these events, so its idempotency lets them through. */
export async function clearProcessedMarks(db: Executor, consumer: string, eventIds: number[]) {
  await db.delete(processedEvents).where(and(eq(processedEvents.consumer, consumer), inArray(processedEvents.eventId, eventIds)));
}

/** Age of the oldest event not yet handed to the queue (the relay's lag). */
export async function outboxLag(db: Executor) {
  const [row] = await db.execute<{ pending: number; oldest_seconds: number | null }>(
    sql`select count(*)::int as pending, extract(epoch from now() - min(created_at))::float8 as oldest_seconds from event_log where published_at is null`,
  );
  return { pending: row?.pending ?? 0, oldestSeconds: row?.oldest_seconds ?? null };
}

export type ClaimedEvent = {
  id: number;
  orgId: string | null;
  type: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  metadata: { correlationId?: string; userId?: string | null };
  createdAt: Date;
  /** The consumers that had not processed it yet: their marks are now written (in the caller's transaction). */
  due: string[];
};

/** The event's consumers are done with it (or the dead-letter queue has it): the redelivery sweep leaves it. */
export async function markEventProcessed(db: Executor, eventId: number): Promise<void> {
  await db.execute(sql`update event_log set processed_at = now() where id = ${eventId} and processed_at is null`);
}

/**
 * Loads an outbox event and records it as processed by the consumers `consumersByType` names for its type, in
 * one statement (the workers' hot path); null when the event does not exist. `finishing`: this delivery applies
 * every consumer (not a replay to one), so the event is stamped processed too; the caller's transaction commits
 * that together with the consumers' effects.
 */
export async function loadEventAndMark(tx: Executor, eventId: number, consumersByType: Record<string, string[]>, finishing: boolean): Promise<ClaimedEvent | null> {
  const rows = await tx.execute<{ id: string; org_id: string | null; type: string; aggregate_id: string; payload: Record<string, unknown>; metadata: ClaimedEvent['metadata']; created_at: string; due: string[] }>(sql`
    with e as (select * from event_log where id = ${eventId}),
    finished as (update event_log set processed_at = now() where id = ${eventId} and processed_at is null and ${finishing}),
    due as (
      insert into processed_events (consumer, event_id)
      select c, e.id from e, jsonb_array_elements_text(${JSON.stringify(consumersByType)}::jsonb -> e.type) c
      on conflict do nothing
      returning consumer
    )
    select e.id, e.org_id, e.type, e.aggregate_id, e.payload, e.metadata, e.created_at, coalesce((select array_agg(consumer) from due), '{}') as due
    from e`);
  const row = [...rows][0];
  if (!row) return null;
  return { id: Number(row.id), orgId: row.org_id, type: row.type, aggregateId: row.aggregate_id, payload: row.payload, metadata: row.metadata, createdAt: new Date(row.created_at), due: row.due };
}
