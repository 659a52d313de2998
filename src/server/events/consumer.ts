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
 * A consumer of domain events, owned by the domain whose effect it is (docs/architecture.md, rule 4). Every consumer
 * is order-independent (tested): deliveries need no sequencing.
 */
export type Consumer = {
  name: string;
  /** The stored event types the workers deliver to it. */
  handles: (type: EventType) => boolean;
  /** In the worker, exactly once: in the transaction that records the event as processed by this consumer. */
  apply?: (tx: Transaction, event: StoredEvent, deps: ConsumerDeps) => Promise<unknown>;
  /** In the worker, after the commit, on every delivery (`applied`: what `apply` returned, undefined on a redelivery); idempotent. */
  after?: (event: StoredEvent, deps: ConsumerDeps, applied: unknown) => Promise<void>;
  /** The caller's read-your-writes, once for all the events of a call; does what `after` does, and alone sees announcements. */
  onCommit?: { handles: (type: DomainEventType) => boolean; run: (events: CommittedEvent[], deps: ConsumerDeps) => Promise<void> };
};
