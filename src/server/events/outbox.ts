import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { activeTraceCarrier, type TraceCarrier } from '../telemetry/spans';
import { aggregateTypeOf, eventPayloads, type EventType, type NewEvent } from './types';

/** The channel the relay LISTENs on. */
export const OUTBOX_CHANNEL = 'mi_outbox';

/** `trace`: the W3C trace context of the span that wrote the event, so its job continues that trace (tracing on only). */
export type EventMetadata = { correlationId?: string; userId?: string | null; trace?: TraceCarrier };

export type AppendOptions = {
  /**
   * Wake the relay at commit (default). Events no consumer handles may pass false: the relay's poll marks them
   * published within a second, and the busy path is spared a relay round per event.
   */
  wake?: boolean;
  /**
   * A data-modifying statement that goes out in the same statement as the events (a CTE beside their insert):
   * one round trip and, outside a transaction, still all or nothing. `inserted` names the inserted events (`id`,
   * `type`), for rows that must point at their event: `select id from inserted where type = '…'`.
   */
  alongside?: (inserted: SQL) => SQL;
};

/**
 * Writes events to the outbox (`event_log`) inside the caller's transaction, or with `alongside` as one statement
 * of its own, so they exist exactly when the change does. One statement for any number of events; each gets the
 * next sequence number of its aggregate. Callers that emit for the same aggregate concurrently hold that
 * aggregate's row lock; the unique (aggregate, seq) constraint catches anything else.
 */
export async function appendEvents(tx: Executor, events: NewEvent[], metadata: EventMetadata, opts: AppendOptions = {}): Promise<number[]> {
  if (events.length === 0) return [];
  const rows = events.map((e, ord) => ({
    ord,
    org_id: e.orgId,
    type: e.type,
    aggregate_type: aggregateTypeOf(e.type),
    aggregate_id: e.aggregateId,
    payload: eventPayloads[e.type as EventType].parse(e.payload),
  }));
  const trace = activeTraceCarrier();
  if (trace) metadata = { ...metadata, trace };
  // pg_notify wakes the relay when the transaction commits (PostgreSQL sends nothing for a rollback).
  const inserted = await tx.execute<{ id: number }>(sql`
    with inserted as (
      insert into event_log (org_id, type, aggregate_type, aggregate_id, aggregate_seq, payload, metadata)
      select e.org_id, e.type, e.aggregate_type, e.aggregate_id,
        coalesce((select max(l.aggregate_seq) from event_log l where l.aggregate_type = e.aggregate_type and l.aggregate_id = e.aggregate_id), 0)
          + row_number() over (partition by e.aggregate_type, e.aggregate_id order by e.ord),
        e.payload, ${JSON.stringify(metadata)}::jsonb
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as e(ord int, org_id uuid, type text, aggregate_type text, aggregate_id text, payload jsonb)
      order by e.ord
      returning id, type
    )${opts.alongside ? sql`, alongside as (${opts.alongside(sql.raw('inserted'))})` : sql``}
    select id${opts.wake === false ? sql`` : sql`, pg_notify(${OUTBOX_CHANNEL}, '')`} from inserted order by id`);
  return [...inserted].map((r) => Number(r.id));
}

export const appendEvent = async <T extends EventType>(tx: Executor, event: NewEvent<T>, metadata: EventMetadata, opts?: AppendOptions): Promise<number> =>
  (await appendEvents(tx, [event as NewEvent], metadata, opts))[0]!;
