import { eq } from 'drizzle-orm';
import { UnrecoverableError, type Job } from 'bullmq';
import { bulkhead } from 'cockatiel';
import type { Executor } from '../db/client';
import { settleAll } from '../db/pipeline';
import { eventLog, processedEvents } from '../db/schema';
import type { Logger } from '../logger';
import { isDeadLetterRetry } from '../queues/retry-ids';
import { queueNames, queueOptions } from '../queues/definitions';
import { defineProcessor } from '../queues/processor';
import type { Consumer, ConsumerDeps, StoredEvent } from './consumer';
import { loadEventAndMark, markEventProcessed } from './queries';
import { eventPayloads, eventTypes, type EventType } from './types';

/**
 * The event with its payload checked against its type's schema. A type or payload no schema accepts is a
 * malformed event: no retry mends it, so it goes to the dead-letter queue.
 */
function validated(row: { id: number; orgId: string | null; type: string; aggregateId: string; payload: unknown; metadata: StoredEvent['metadata']; createdAt: Date }): StoredEvent {
  const schema = eventPayloads[row.type as EventType];
  if (!schema) throw new UnrecoverableError(`Event ${row.id} has an unknown type: ${row.type}`);
  const payload = schema.safeParse(row.payload);
  if (!payload.success) throw new UnrecoverableError(`Event ${row.id} (${row.type}) has an invalid payload: ${payload.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { id: row.id, orgId: row.orgId, type: row.type, aggregateId: row.aggregateId, payload: payload.data, metadata: row.metadata, createdAt: row.createdAt } as StoredEvent;
}

async function loadEvent(db: Executor, eventId: number): Promise<StoredEvent> {
  const [row] = await db.select().from(eventLog).where(eq(eventLog.id, eventId)).limit(1);
  if (!row) throw new UnrecoverableError(`Event ${eventId} does not exist`);
  return validated(row);
}

/** Records `names` as having processed the event; returns the ones that had not yet (their effect is due). */
async function mark(tx: Executor, names: string[], eventId: number): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await tx
    .insert(processedEvents)
    .values(names.map((consumer) => ({ consumer, eventId })))
    .onConflictDoNothing()
    .returning({ consumer: processedEvents.consumer });
  return new Set(rows.map((r) => r.consumer));
}

/** Events of one batch applied at once, started in id order. */
const BATCH_LANES = 4;
/** How long a batch job starts events for: two thirds of the queue's time limit, the rest for the last one's end. */
const BATCH_BUDGET_MS = Math.round((queueOptions[queueNames.domainEvents].timeoutMs * 2) / 3);
/** The wait before an event of a batch that failed runs again in a job of its own (its first backoff step). */
const HAND_BACK_DELAY_MS = 500;

export type EventDelivery = ReturnType<typeof createEventDelivery>;

/** Delivery of stored events to a registry of consumers (src/server/runtime/consumers.ts has the system's). */
export function createEventDelivery(registry: Consumer[], opts: { batchBudgetMs?: number } = {}) {
  const batchBudgetMs = opts.batchBudgetMs ?? BATCH_BUDGET_MS;
  // Events applied at once in this process, batches' lanes and single jobs together: no more transactions than
  // the queue's concurrency allowed before batches (a batch's lanes wait for one another, not for the pool).
  const applying = bulkhead(queueOptions[queueNames.domainEvents].concurrency, Number.MAX_SAFE_INTEGER);
  const limited = (deps: ConsumerDeps, eventId: number, only?: string) => applying.execute(() => apply(deps, eventId, { only }));
  const targetsOf = (type: string, only?: string) => registry.filter((c) => (!only || c.name === only) && c.handles(type as EventType));
  /**
   * Which consumers (all, or only the one named) to mark as having processed each event type, for the
   * one-statement claim: those with a database effect. The others (`after` only) run on every delivery anyway,
   * and a mark for them would be a row per event that nothing reads.
   */
  const consumersByType = (only?: string) => Object.fromEntries(eventTypes.map((type) => [type, targetsOf(type, only).filter((c) => c.apply).map((c) => c.name)]));
  const allByType = consumersByType();

  /**
   * Applies one stored event to its consumers (or to the one a replay names), each at most once: a consumer's
   * processed mark and its effect commit together, all consumers in one transaction, or each in its own when that
   * fails (docs/architecture.md "The delivery claim"). `after` hooks run on every delivery, after the commit.
   */
  async function apply(deps: ConsumerDeps, eventId: number, opts: { only?: string } = {}): Promise<string[]> {
    const { db } = deps.services;
    const { only } = opts;
    const byType = only ? consumersByType(only) : allByType;
    let event: StoredEvent;
    const results = new Map<string, unknown>();
    try {
      event = await db.transaction(async (tx) => {
        const claimed = await loadEventAndMark(tx, eventId, byType, !only);
        if (!claimed) throw new UnrecoverableError(`Event ${eventId} does not exist`);
        const { due, ...stored } = claimed;
        const loaded = validated(stored);
        const applying = targetsOf(loaded.type, only).filter((c) => due.includes(c.name));
        const applied = await settleAll(applying.map(async (c) => c.apply!(tx, loaded, deps)));
        applying.forEach((c, i) => results.set(c.name, applied[i]));
        return loaded;
      });
    } catch (error) {
      if (error instanceof UnrecoverableError) throw error;
      results.clear();
      event = await loadEvent(db, eventId);
      let failure: unknown;
      for (const consumer of targetsOf(event.type, only)) {
        if (!consumer.apply) continue;
        try {
          await db.transaction(async (tx) => {
            if ((await mark(tx, [consumer.name], eventId)).size > 0) results.set(consumer.name, await consumer.apply!(tx, event, deps));
          });
        } catch (consumerError) {
          failure ??= consumerError;
        }
      }
      if (failure) throw failure;
      if (!only) await markEventProcessed(db, eventId);
    }
    const targets = targetsOf(event.type, only);
    await Promise.all(targets.map((consumer) => consumer.after?.(event, deps, results.get(consumer.name))));
    return targets.map((c) => c.name);
  }

  /**
   * The events of a relay batch, started in id order, BATCH_LANES at a time. One that fails is handed back as a
   * job of its own (`event-<id>`, after a short wait) with the usual attempts, backoff and dead letter; so are those
   * not started within the batch's budget (BATCH_BUDGET_MS: the queue's time limit is the job's, not each event's).
   * The batch job fails only when the hand-back cannot be queued, and then runs again (done events are skipped:
   * marks). An admin's retry of a batch's dead letter hands nothing back: its first failure fails it, and the letter
   * says so.
   */
  async function applyBatch(deps: ConsumerDeps, batch: { eventIds: number[]; orgId: string | null }, job: Job, logger: Logger) {
    const retryOfLetter = isDeadLetterRetry(job.id);
    const deadline = Date.now() + batchBudgetMs;
    const failed: { id: number; error: unknown }[] = [];
    const notStarted: number[] = [];
    let next = 0;
    let stop: unknown;
    const lane = async () => {
      while (next < batch.eventIds.length && stop === undefined) {
        const id = batch.eventIds[next++]!;
        try {
          // Out of time once its turn comes (waiting for a slot counts): not started.
          const started = await applying.execute(async () => {
            if (Date.now() >= deadline) return false;
            await apply(deps, id);
            return true;
          });
          if (!started) notStarted.push(id);
        } catch (error) {
          if (retryOfLetter) stop ??= error;
          else failed.push({ id, error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_LANES, batch.eventIds.length) }, lane));
    if (stop !== undefined) throw stop;
    if (failed.length > 0) logger.warn({ events: failed.map((f) => ({ id: f.id, err: f.error })) }, 'events of a batch failed; each is retried in a job of its own');
    if (notStarted.length > 0) logger.warn({ events: notStarted.length, budgetMs: batchBudgetMs }, 'batch out of time; the rest go on in jobs of their own');
    const handBack = (id: number, delay: number) => ({ name: 'event', data: { eventId: id, orgId: batch.orgId }, opts: { jobId: `event-${id}`, delay } });
    if (failed.length + notStarted.length > 0) {
      await deps.services.queues.queue(queueNames.domainEvents).addBulk([...failed.map((f) => handBack(f.id, HAND_BACK_DELAY_MS)), ...notStarted.map((id) => handBack(id, 0))]);
    }
    notStarted.sort((a, b) => a - b);
    return { events: batch.eventIds.length, handedBack: failed.map((f) => f.id).sort((a, b) => a - b), notStarted };
  }

  return {
    apply,
    /** The event types some consumer handles: the relay marks the others published without a job. */
    hasConsumer: (type: string) => registry.some((c) => c.handles(type as EventType)),
    consumerNames: registry.map((c) => c.name),
    /** The `domain-events` queue's adapter: one event (or a replay to one consumer), or a relay batch, per job. */
    processor: (deps: ConsumerDeps, logger: Logger) =>
      defineProcessor(
        queueNames.domainEvents,
        logger,
        async (payload, job) =>
          'eventIds' in payload
            ? applyBatch(deps, payload, job, logger.child({ requestId: `job:${queueNames.domainEvents}:${job.id}` }))
            : { consumers: await limited(deps, payload.eventId, payload.consumer) },
        {
          // The dead-letter queue has the event now; an admin retry applies it from there.
          // (A batch's events stay unprocessed: the redelivery sweep queues each again.)
          deadLettered: async (tx, job) => {
            if (!job.data?.consumer && Number.isSafeInteger(job.data?.eventId)) await markEventProcessed(tx, job.data.eventId);
          },
        },
      ),
  };
}
