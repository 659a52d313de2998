import type { Transaction } from '~/server/db/client';
import type { EventPayload, EventType } from '~/server/events/types';
import type { QueueBackend } from '~/server/queues/backend';
import type { Services } from '~/server/services';

type StoredEventBase = { id: number; orgId: string | null; aggregateId: string; metadata: { correlationId?: string; userId?: string | null }; createdAt: Date };

/**
 * An outbox event as consumers get it: its payload checked against the event's zod schema (the one producers
 * write with), so a check of `type` gives a typed payload.
 */
export type StoredEvent = { [T in EventType]: StoredEventBase & { type: T; payload: EventPayload<T> } }[EventType];

export type ConsumerDeps = { services: Services; queues: QueueBackend; pushEnabled: boolean };

/**
 * A consumer of domain events. `apply` runs in the transaction that also records the event as processed by this
 * consumer, so its database effect happens exactly once; what it returns reaches `after` (undefined when this
 * delivery found the event already processed). `after` runs on every delivery, after the commit, and must be
 * idempotent (cache invalidation, live events, enqueueing jobs with stable ids). Every consumer here is order-independent:
 * its effect does not depend on the order events of one aggregate arrive in (tested), so deliveries need no
 * sequencing.
 */
export type Consumer = {
  name: string;
  handles: (type: EventType) => boolean;
  apply?: (tx: Transaction, event: StoredEvent, deps: ConsumerDeps) => Promise<unknown>;
  after?: (event: StoredEvent, deps: ConsumerDeps, applied: unknown) => Promise<void>;
};
