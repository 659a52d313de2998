import type { Transaction } from '../db/client';
import type { CommittedEvent } from '../events/consumer';
import { appendEvents, type AppendOptions } from '../events/outbox';
import { isAnnouncement, type DomainEvent, type NewEvent } from '../events/types';
import { eventMetadata, type DomainContext } from './context';

/**
 * Records events of the change: durable ones go to the outbox in the change's transaction; returns their ids (null:
 * an announcement). `savepoint` runs work in a savepoint whose events, written inside it, count only if it holds.
 */
export type Emit = ((events: DomainEvent[], opts?: AppendOptions) => Promise<(number | null)[]>) & {
  savepoint<T>(work: (sp: Transaction, emit: Emit) => Promise<T>): Promise<T>;
};

function emitter(ctx: DomainContext, executor: Transaction, sink: CommittedEvent[]): Emit {
  const emit = async (events: DomainEvent[], opts?: AppendOptions) => {
    const durable = events.filter((e): e is NewEvent => !isAnnouncement(e.type));
    const ids = await appendEvents(executor, durable, eventMetadata(ctx), opts);
    let next = 0;
    const withIds = events.map((e) => (isAnnouncement(e.type) ? null : ids[next++]!));
    events.forEach((e, i) => sink.push({ ...e, id: withIds[i]! }));
    return withIds;
  };
  return Object.assign(emit, {
    async savepoint<T>(work: (sp: Transaction, emit: Emit) => Promise<T>): Promise<T> {
      const staged: CommittedEvent[] = [];
      const result = await executor.transaction((sp) => work(sp, emitter(ctx, sp, staged)));
      sink.push(...staged);
      return result;
    },
  });
}

/**
 * The unit of work of every write: `work` runs in one transaction and records the events of its change with
 * `emit`, so they exist exactly when the change does. Once committed, the events' read-your-writes effects run
 * in this process (cache invalidation, live fan-out: the same consumer code the workers run from the outbox, so
 * a caller sees its own change at once and every other instance sees it through the worker).
 */
export async function inTransaction<T>(ctx: DomainContext, work: (tx: Transaction, emit: Emit) => Promise<T>): Promise<T> {
  let emitted: CommittedEvent[] = [];
  const result = await ctx.db.transaction(async (tx) => {
    emitted = [];
    return work(tx, emitter(ctx, tx, emitted));
  });
  await runAfterCommit(ctx, emitted);
  return result;
}

/** Announcements made outside a transaction (nothing to store): straight to the read-your-writes effects. */
export const announce = (ctx: DomainContext, events: DomainEvent[]) => runAfterCommit(ctx, events.map((e) => ({ ...e, id: null })));

/**
 * Runs `work` with the read-your-writes effects of every transaction in it held back, then runs them once for
 * all: a batch of 200 decisions is one dashboard change, not 200.
 */
export async function batchingEffects<C extends DomainContext, T>(ctx: C, work: (ctx: C) => Promise<T>): Promise<T> {
  const held: CommittedEvent[] = [];
  try {
    return await work({ ...ctx, afterCommit: async (events) => void held.push(...events) });
  } finally {
    await runAfterCommit(ctx, held);
  }
}

/** The change is committed whatever happens here: a failed effect is logged, and the worker's delivery redoes it. */
async function runAfterCommit(ctx: DomainContext, events: CommittedEvent[]) {
  if (events.length === 0) return;
  try {
    await ctx.afterCommit(events);
  } catch (error) {
    ctx.logger.warn({ err: error, events: events.map((e) => e.type) }, 'read-your-writes effects failed; the workers will apply them from the outbox');
  }
}
