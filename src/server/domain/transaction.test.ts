import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { eventLog } from '../db/schema';
import type { CommittedEvent } from '../events/consumer';
import type { DomainEvent } from '../events/types';
import type { Services } from '../services';
import { systemContext } from './context';
import { batchingEffects, inTransaction } from './transaction';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'uow');
});
afterAll(() => close());

/** A context whose read-your-writes effects are recorded, one entry per call of afterCommit. */
function recordingContext(opts: { failing?: boolean } = {}) {
  const calls: CommittedEvent[][] = [];
  const ctx = systemContext(services, {
    requestId: `uow-${randomUUID()}`,
    orgId: org.org.id,
    afterCommit: async (events) => {
      calls.push(events);
      if (opts.failing) throw new Error('the cache is down');
    },
  });
  return { ctx, calls };
}

const storeCreated = (storeId: string): DomainEvent => ({ type: 'store.created', orgId: org.org.id, aggregateId: storeId, payload: { storeId } });
const progressed = (sessionId: string): DomainEvent => ({ type: 'inventory.progressed', orgId: org.org.id, aggregateId: sessionId, payload: { sessionId, storeId: org.stores[0]!.id } });

describe('inTransaction', () => {
  it('stores durable events with the change and hands every event, announcements too, to the effects once committed', async () => {
    const { ctx, calls } = recordingContext();
    const storeId = org.stores[1]!.id;
    const sessionId = randomUUID();
    const ids = await inTransaction(ctx, async (_tx, emit) => emit([storeCreated(storeId), progressed(sessionId)]));
    expect(ids[0]).toEqual(expect.any(Number));
    expect(ids[1]).toBeNull();
    const stored = await services.db.select().from(eventLog).where(eq(eventLog.aggregateId, storeId));
    expect(stored.map((e) => [e.id, e.type, e.metadata])).toEqual([[ids[0], 'store.created', { correlationId: ctx.requestId, userId: null }]]);
    expect(await services.db.$count(eventLog, eq(eventLog.aggregateId, sessionId))).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((e) => [e.type, e.id])).toEqual([
      ['store.created', ids[0]],
      ['inventory.progressed', null],
    ]);
  });

  it('a rolled back change leaves no event and runs no effect', async () => {
    const { ctx, calls } = recordingContext();
    const aggregateId = randomUUID();
    await expect(
      inTransaction(ctx, async (_tx, emit) => {
        await emit([{ ...storeCreated(org.stores[0]!.id), aggregateId }]);
        throw new Error('a rule refused the change');
      }),
    ).rejects.toThrow('a rule refused the change');
    expect(await services.db.$count(eventLog, eq(eventLog.aggregateId, aggregateId))).toBe(0);
    expect(calls).toEqual([]);
  });

  it('a failing effect does not fail the committed change (the workers apply it from the outbox)', async () => {
    const { ctx, calls } = recordingContext({ failing: true });
    const aggregateId = randomUUID();
    await expect(inTransaction(ctx, async (_tx, emit) => emit([{ ...storeCreated(org.stores[0]!.id), aggregateId }]))).resolves.toHaveLength(1);
    expect(calls).toHaveLength(1);
    expect(await services.db.$count(eventLog, eq(eventLog.aggregateId, aggregateId))).toBe(1);
  });
});

describe('emit.savepoint', () => {
  it('keeps the events of a savepoint that holds and forgets those of one that fails, and the change goes on', async () => {
    const { ctx, calls } = recordingContext();
    const [kept, lost] = [randomUUID(), randomUUID()];
    await inTransaction(ctx, async (_tx, emit) => {
      await emit.savepoint((_sp, spEmit) => spEmit([{ ...storeCreated(org.stores[0]!.id), aggregateId: kept }]));
      await expect(
        emit.savepoint(async (_sp, spEmit) => {
          await spEmit([{ ...storeCreated(org.stores[0]!.id), aggregateId: lost }]);
          throw new Error('one bad row');
        }),
      ).rejects.toThrow('one bad row');
    });
    expect(await services.db.$count(eventLog, eq(eventLog.aggregateId, kept))).toBe(1);
    expect(await services.db.$count(eventLog, eq(eventLog.aggregateId, lost))).toBe(0);
    expect(calls.flat().map((e) => e.aggregateId)).toEqual([kept]);
  });
});

describe('batchingEffects', () => {
  it('holds the effects of every transaction in it and runs them once, after the last', async () => {
    const { ctx, calls } = recordingContext();
    const sessions = [randomUUID(), randomUUID(), randomUUID()];
    await batchingEffects(ctx, async (batch) => {
      for (const sessionId of sessions) await inTransaction(batch, async (_tx, emit) => emit([progressed(sessionId)]));
      expect(calls).toEqual([]);
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((e) => e.aggregateId)).toEqual(sessions);
  });
});
