import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './_columns';

/** The outbox: written in the transaction of the change that caused the event; a relay publishes it. */
export const eventLog = pgTable(
  'event_log',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    /** Null only for system events. */
    orgId: uuid(),
    type: text().notNull(),
    aggregateType: text().notNull(),
    aggregateId: text().notNull(),
    /** Position of this event among the events of its aggregate, from 1. */
    aggregateSeq: integer().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    /** `trace`: the writer's W3C trace context (`traceparent`, `tracestate`) when tracing is on. */
    metadata: jsonb().$type<{ correlationId?: string; userId?: string | null; trace?: { traceparent: string; tracestate?: string } }>().notNull().default({}),
    /** When the event was written (clock_timestamp: late in its transaction, not at the transaction's start). */
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().default(sql`clock_timestamp()`),
    publishedAt: timestamp({ withTimezone: true }),
    /**
     * When its consumers' effects committed (or it went to the dead-letter queue; or, for a type no consumer
     * wants, when it was published). A published event still without it after a while has lost its job (Redis
     * restarted without its data, say), and the redelivery sweep queues it again.
     */
    processedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique('event_log_aggregate_seq_unique').on(t.aggregateType, t.aggregateId, t.aggregateSeq),
    index('event_log_unpublished_idx').on(t.id).where(sql`${t.publishedAt} is null`),
    index('event_log_unprocessed_idx').on(t.id).where(sql`${t.processedAt} is null`),
    index('event_log_org_created_idx').on(t.orgId, t.createdAt.desc()),
  ],
);

/** Which events each consumer has applied, written in the same transaction as the consumer's effect. */
export const processedEvents = pgTable(
  'processed_events',
  {
    consumer: text().notNull(),
    eventId: bigint({ mode: "number" }).notNull(),
    processedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);
