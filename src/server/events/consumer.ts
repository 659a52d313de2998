import type { Transaction } from '~/server/db/client';
import type { Services } from '~/server/services';
import type { DomainEvent, DomainEventType, EventPayload, EventType } from './types';

type StoredEventBase = { id: number; orgId: string | null; aggregateId: string; metadata: { correlationId?: string; userId?: string | null }; createdAt: Date };

/**
 * An outbox event as consumers get it: its payload checked against the event's zod schema (the one producers
 * write with), so a check of `type` gives a typed payload.
 */
export type StoredEvent = { [T in EventType]: StoredEventBase & { type: T; payload: EventPayload<T> } }[EventType];

/** An event the producing process has just committed (id null: an announcement, never stored). */
export type CommittedEvent = DomainEvent & { id: number | null };

export type ConsumerDeps = { services: Services; pushEnabled: boolean };

/**
 * A consumer of domain events, owned by the domain whose effect it is; src/server/runtime/consumers.ts lists them.
 * - `apply` runs in the worker, in the transaction that also records the event as processed by this consumer, so
 *   its database effect happens exactly once; what it returns reaches `after` (undefined when this delivery found
 *   the event already processed).
 * - `after` runs in the worker on every delivery, after the commit, and must be idempotent (cache invalidation,
 *   live events, enqueueing jobs with stable ids).
 * - `onCommit` is the caller's read-your-writes: the process that committed the events runs it right after its
 *   commit, once for all the events of the call (a bulk decision is one change, not one per item). It must do
 *   what `after` does for those types (the worker's delivery then changes nothing), and it alone sees
 *   announcements.
 * Every consumer is order-independent: its effect does not depend on the order events of one aggregate arrive in
 * (tested), so deliveries need no sequencing.
 */
export type Consumer = {
  name: string;
  /** The stored event types the workers deliver to it. */
  handles: (type: EventType) => boolean;
  apply?: (tx: Transaction, event: StoredEvent, deps: ConsumerDeps) => Promise<unknown>;
  after?: (event: StoredEvent, deps: ConsumerDeps, applied: unknown) => Promise<void>;
  onCommit?: { handles: (type: DomainEventType) => boolean; run: (events: CommittedEvent[], deps: ConsumerDeps) => Promise<void> };
};
