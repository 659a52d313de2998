import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { type TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsumers } from '../../../tests/helpers/events';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { startRedisServer } from '../../../tests/helpers/redis-server';
import { until } from '../../../tests/helpers/until';
import { cacheKeys } from '../cache/keys';
import { GENERATION_STEP } from '../cache/swr-cache';
import { eventLog } from '../db/schema';
import type { StoredEvent } from '../events/consumer';
import type { LiveEvent } from '../live/bus';
import { liveAndCacheConsumer } from './consumers';
import { countQueries } from '../db/query-count';
import type { Services } from '../services';
import { startDashboardRefresher } from './refresh';
import { buildDashboard } from './service';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'dash');
});
afterAll(() => close());

const as = (s: Services, f: OrgFixture, role: keyof OrgFixture['secrets']) => callerFor(s, { sessionSecret: f.secrets[role] });

async function submitRequest(s: Services, f: OrgFixture, quantities = [2, 1], store = 0) {
  const clerk = await as(s, f, store === 0 ? 'clerk' : 'manager');
  return clerk.purchaseRequests.create({
    id: randomUUID(),
    storeId: f.stores[store]!.id,
    items: quantities.map((quantity, i) => ({ productId: f.products[i]!.id, quantity })),
    submit: true,
  });
}

describe('dashboard summary', () => {
  it('counts requests by status with their value, pending approvals per buyer, and the recent list with items', async () => {
    const a = await submitRequest(services, org, [2, 1]);
    const b = await submitRequest(services, org, [1, 1], 1);
    const buyer = await as(services, org, 'buyer');
    await buyer.purchaseRequests.decideItem({ itemId: b.items[0]!.id, decision: 'approve' });
    await buyer.purchaseRequests.decideItem({ itemId: b.items[1]!.id, decision: 'reject', reason: 'não' });
    await runConsumers(services); // the charts' daily figures come from the analytics consumer
    const manager = await as(services, org, 'manager');
    const summary = await manager.dashboard.summary();
    expect(summary.requestsByStatus).toEqual([
      { status: 'partially_approved', count: 1, value: b.totalValue },
      { status: 'pending', count: 1, value: a.totalValue },
    ]);
    expect(summary.pendingByBuyer).toEqual([{ buyerId: org.users.buyer.id, buyerName: 'buyer dash', items: 2, value: a.totalValue }]);
    expect(summary.recent.items.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(summary.recent.items[1]!.items.map((i) => i.productName)).toEqual(['Arroz 5kg', 'Feijão 1kg']);
    const today = summary.daily.at(-1)!;
    expect(today).toMatchObject({ requestsCreated: 2, itemsApproved: 1, itemsRejected: 1 });
    expect(summary.stores.reduce((sum, s) => sum + s.requestsValue30d, 0)).toBeCloseTo(a.totalValue + b.totalValue);
  });

  it('shows the queues to admins only: a clerk or a manager gets none of it, even from the same cached entry', async () => {
    const admin = await as(services, org, 'admin');
    const manager = await as(services, org, 'manager');
    const clerk = await as(services, org, 'clerk');
    expect((await admin.dashboard.summary()).queues).toEqual({ deadLetters: expect.any(Number), notificationsPending: expect.any(Number), notificationsFailed: expect.any(Number) });
    expect((await manager.dashboard.summary()).queues).toBeNull();
    expect((await clerk.dashboard.summary({ storeId: org.stores[0]!.id })).queues).toBeNull();
  });

  it('answers a miss with one SQL statement and a hit with none', async () => {
    const miss = await countQueries(() => buildDashboard(services.db, org.org.id, null));
    expect(miss.queries.count).toBe(1);
    const manager = await as(services, org, 'manager');
    await manager.dashboard.summary();
    const hit = await countQueries(() => manager.dashboard.summary());
    expect(hit.queries.count).toBe(0);
    expect(hit.result.cache).toBe('fresh');
  });

  it('shows a change at once: the mutation outdates the cached answer', async () => {
    const manager = await as(services, org, 'manager');
    const before = await manager.dashboard.summary();
    const request = await submitRequest(services, org, [3, 3]);
    const after = await manager.dashboard.summary();
    expect(after.cache).toBe('rebuilt');
    expect(after.recent.items[0]!.id).toBe(request.id);
    const pending = (s: typeof before) => s.requestsByStatus.find((r) => r.status === 'pending')?.count ?? 0;
    expect(pending(after)).toBe(pending(before) + 1);
  });

  it('keeps store views apart: a store view never shows another store, a clerk only sees their store', async () => {
    const manager = await as(services, org, 'manager');
    const store1 = await manager.dashboard.summary({ storeId: org.stores[1]!.id });
    expect(store1.recent.items.every((r) => r.storeId === org.stores[1]!.id)).toBe(true);
    expect(store1.stores.map((s) => s.storeId)).toEqual([org.stores[1]!.id]);
    expect(store1.stores[0]!.inventory).toEqual({ open: 0, finalized: 0, lastFinalizedAt: null, varianceValue: 0 });
    const clerk = await as(services, org, 'clerk');
    const own = await clerk.dashboard.summary();
    expect(own.scope.storeId).toBe(org.stores[0]!.id);
    await expect(clerk.dashboard.summary({ storeId: org.stores[1]!.id })).rejects.toSatisfy((e: unknown) => (e as TRPCError).code === 'NOT_FOUND');
    await expect((await as(services, org, 'buyer')).dashboard.summary()).rejects.toSatisfy((e: unknown) => (e as TRPCError).code === 'FORBIDDEN');
  });

  it('pages through recent requests with one statement per page', async () => {
    for (let i = 0; i < 5; i++) await submitRequest(services, org);
    const manager = await as(services, org, 'manager');
    const first = await manager.dashboard.recent({ limit: 3 });
    const second = await countQueries(() => manager.dashboard.recent({ limit: 3, cursor: first.nextCursor }));
    expect(second.queries.count).toBe(1);
    expect(second.result.items.map((r) => r.id)).not.toContain(first.items[0]!.id);
    expect(second.result.items[0]!.items.length).toBeGreaterThan(0);
  });

  it('a view refresh makes no reader wait: nothing new keeps the entry; new figures are rebuilt by the refresher', async () => {
    const f = await createOrgFixture(services, 'dash-refresh');
    const manager = await as(services, f, 'manager');
    const refresh = async () => {
      const refresher = startDashboardRefresher(services);
      try {
        expect(await refresher.refreshNow()).toBe(true);
      } finally {
        refresher.stop();
      }
    };
    const request = await submitRequest(services, f); // a change, so the entry read next is built now
    const before = await manager.dashboard.summary();
    await refresh();
    const same = await countQueries(() => manager.dashboard.summary());
    expect(same.queries.count).toBe(0);
    expect(same.result).toMatchObject({ cache: 'fresh', builtAt: before.builtAt });

    const buyer = await as(services, f, 'buyer');
    await buyer.purchaseRequests.decideItem({ itemId: request.items[0]!.id, decision: 'approve' });
    const decided = await manager.dashboard.summary(); // the decision outdated it at once: rebuilt, view not yet
    expect(decided.approvalByBuyer).toEqual([]);
    await refresh();
    const after = await countQueries(() => manager.dashboard.summary());
    expect(after.queries.count).toBe(0);
    expect(after.result.cache).toBe('fresh');
    expect(Date.parse(after.result.builtAt)).toBeGreaterThan(Date.parse(decided.builtAt));
    expect(after.result.approvalByBuyer).toEqual([expect.objectContaining({ buyerId: f.users.buyer.id, decided: 1, approved: 1 })]);
  });

  it('refreshes the approval-rate view concurrently on schedule', async () => {
    const refresher = startDashboardRefresher(services);
    try {
      expect(await refresher.refreshNow()).toBe(true);
    } finally {
      refresher.stop();
    }
    const manager = await as(services, org, 'manager');
    await submitRequest(services, org); // outdates the cache
    const summary = await manager.dashboard.summary();
    expect(summary.approvalByBuyer).toEqual([expect.objectContaining({ buyerId: org.users.buyer.id, decided: 2, approved: 1, rejected: 1, rate: 0.5 })]);
  });
});

describe('summary tables kept by triggers', () => {
  it('match the live aggregates after submits, decisions and closes', async () => {
    const buyer = await as(services, org, 'buyer');
    const manager = await as(services, org, 'manager');
    const requests = [];
    for (let i = 0; i < 6; i++) requests.push(await submitRequest(services, org, [1 + i, 2], i % 2));
    await buyer.purchaseRequests.decideItem({ itemId: requests[0]!.items[0]!.id, decision: 'approve', quantity: 1 });
    await buyer.purchaseRequests.decideItem({ itemId: requests[1]!.items[0]!.id, decision: 'reject', reason: 'não' });
    await buyer.purchaseRequests.decideItem({ itemId: requests[1]!.items[1]!.id, decision: 'approve' });
    await manager.purchaseRequests.close({ id: requests[2]!.id });
    await manager.purchaseRequests.close({ id: requests[1]!.id });
    const [pending] = await services.db.execute<{ summary: string; live: string }>(sql`
      select
        (select coalesce(json_agg(x order by x.store_id, x.buyer_id), '[]')::text from (
          select store_id, buyer_id, items, round(value, 2) as value from pending_approvals where org_id = ${org.org.id} and items <> 0) x) as summary,
        (select coalesce(json_agg(y order by y.store_id, y.buyer_id), '[]')::text from (
          select r.store_id, i.buyer_id, count(*)::int as items, round(sum(i.quantity * i.unit_price), 2) as value
          from purchase_request_items i join purchase_requests r on r.id = i.request_id
          where r.org_id = ${org.org.id} and r.status = 'pending' and i.status = 'pending' group by 1, 2) y) as live`);
    expect(pending!.summary).toBe(pending!.live);
    const [statuses] = await services.db.execute<{ summary: string; live: string }>(sql`
      select
        (select coalesce(json_agg(x order by x.store_id, x.status), '[]')::text from (
          select store_id, status, request_count, total_value from request_status_totals where org_id = ${org.org.id} and request_count <> 0) x) as summary,
        (select coalesce(json_agg(y order by y.store_id, y.status), '[]')::text from (
          select store_id, status::text, count(*)::int as request_count, sum(total_value) as total_value
          from purchase_requests where org_id = ${org.org.id} group by 1, 2) y) as live`);
    expect(statuses!.summary).toBe(statuses!.live);
  });
});

describe('live updates', () => {
  for (const transport of ['redis', 'postgres'] as const) {
    it(`reach an open dashboard within 2 s of a change (${transport})`, async () => {
      const own = transport === 'redis' ? { services, org, close: async () => {} } : await (async () => {
        const t = await createTestServices({ REDIS_URL: '' });
        return { services: t.services, org: await createOrgFixture(t.services, 'dash-pg'), close: t.close };
      })();
      expect(own.services.live.transport).toBe(transport);
      const manager = await as(own.services, own.org, 'manager');
      const stream = await manager.dashboard.live();
      const iterator = stream[Symbol.asyncIterator]();
      const received = iterator.next();
      await new Promise((r) => setTimeout(r, 200)); // the subscription is listening
      const started = Date.now();
      const request = await submitRequest(own.services, own.org);
      const event = await Promise.race([received, new Promise((_, reject) => setTimeout(() => reject(new Error('no event within 2 s')), 2000))]);
      expect((event as IteratorResult<{ kind: string; storeId: string }>).value).toMatchObject({ kind: 'purchaseRequest', storeId: request.storeId });
      expect(Date.now() - started).toBeLessThan(2000);
      await iterator.return?.();
      await own.close();
    });
  }
});

describe('a live stream', () => {
  it('ends once the session it was opened with no longer holds: its user deactivated, signed out, or given another role', async () => {
    const own = await createTestServices({ LIVE_RECHECK_SECONDS: '1' });
    try {
      const f = await createOrgFixture(own.services, 'dash-ends');
      const admin = await as(own.services, f, 'admin');
      const streamOf = async (role: 'manager' | 'clerk') => {
        const stream = await (await as(own.services, f, role)).dashboard.live(role === 'clerk' ? { storeId: f.stores[0]!.id } : undefined);
        const iterator = stream[Symbol.asyncIterator]();
        return { ended: iterator.next() }; // resolves with done once the stream ends
      };
      const managerStream = (await streamOf('manager')).ended;
      const clerkStream = (await streamOf('clerk')).ended;
      await new Promise((r) => setTimeout(r, 1500)); // a check has passed: both are still open
      let managerEnded = false;
      void managerStream.then(() => (managerEnded = true));
      expect(managerEnded).toBe(false);
      await admin.admin.users.update({ id: f.users.manager.id, active: false });
      await admin.admin.users.update({ id: f.users.clerk.id, role: 'buyer' });
      const ended = await Promise.race([Promise.all([managerStream, clerkStream]), new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 4 s')), 4000))]);
      expect((ended as IteratorResult<unknown>[]).map((r) => r.done)).toEqual([true, true]);
    } finally {
      await own.close();
    }
  });
});

/**
 * Makes an org's dashboard generation counters (the org's, the whole org's dashboard's and a store's) exist, as
 * they do once the org has changed anything: a counter's first bump starts it at a random value instead of adding.
 */
async function countersExist(storeId: string) {
  const [orgKey, wholeOrgKey] = cacheKeys.dashboardGenerations(org.org.id, null);
  await Promise.all([orgKey, wholeOrgKey, cacheKeys.dashboardGenerations(org.org.id, storeId)[1]].map((key) => services.dashboardCache.invalidate(key)));
}

describe('a change in one store', () => {
  it("outdates that store's dashboard and the whole org's, and leaves the other stores' current", async () => {
    const [a, b] = [org.stores[0]!.id, org.stores[1]!.id];
    await countersExist(a);
    await countersExist(b);
    const manager = await as(services, org, 'manager');
    // A screen on each store's dashboard and one on the org's (dashboard.live).
    let closing = false;
    const screens = await Promise.all(
      [a, b, null].map(async (storeId) => {
        const stream = await manager.dashboard.live({ storeId });
        const heard: { storeId: string | null; version?: number }[] = [];
        const reading = (async () => {
          for await (const event of stream) {
            if (closing) break;
            heard.push(event);
          }
        })();
        return { heard, reading };
      }),
    );
    await new Promise((r) => setTimeout(r, 300)); // the streams are listening
    const before = { a: await manager.dashboard.summary({ storeId: a }), b: await manager.dashboard.summary({ storeId: b }), org: await manager.dashboard.summary() };
    const request = await submitRequest(services, org, [1], 0);
    expect(request.storeId).toBe(a);
    await until(async () => screens[0]!.heard.length > 0 && screens[2]!.heard.length > 0);
    const after = { a: await manager.dashboard.summary({ storeId: a }), b: await manager.dashboard.summary({ storeId: b }), org: await manager.dashboard.summary() };
    // Store b's entry is the one it had: no rebuild, same version; store a's and the org's were rebuilt with the request.
    expect(after.b).toMatchObject({ cache: 'fresh', version: before.b.version, builtAt: before.b.builtAt });
    expect(after.a.cache).toBe('rebuilt');
    expect(after.a.recent.items[0]!.id).toBe(request.id);
    expect(after.org.recent.items[0]!.id).toBe(request.id);
    expect(after.a.version).toBeGreaterThan(before.a.version);
    expect(after.org.version).toBeGreaterThan(before.org.version);
    // Each screen is told the version of the dashboard it shows: the refetch it makes is the figures it is told of.
    expect(screens[0]!.heard[0]).toMatchObject({ storeId: a, version: after.a.version });
    expect(screens[2]!.heard[0]).toMatchObject({ storeId: a, version: after.org.version });
    expect(screens[1]!.heard).toEqual([]);
    // Closed as a screen leaves: at its next event.
    closing = true;
    await services.live.publish({ orgId: org.org.id, kind: 'inventory', storeId: null, at: Date.now() });
    await Promise.all(screens.map((s) => s.reading));
  });
});

describe("a count's progress", () => {
  it('is told to open screens as progress only, with no version, and outdates no dashboard', async () => {
    const storeId = org.stores[0]!.id;
    await countersExist(storeId);
    const generations = () => Promise.all([null, storeId].map((scope) => services.dashboardCache.generation(cacheKeys.dashboardGenerations(org.org.id, scope))));
    const before = await generations();
    const listening = new AbortController();
    const heard: LiveEvent[] = [];
    const reading = (async () => {
      for await (const event of services.live.events(org.org.id, listening.signal)) heard.push(event);
    })();
    await new Promise((r) => setTimeout(r, 200)); // the bus is listening
    const sessionId = randomUUID();
    const progressed = { id: null, type: 'inventory.progressed', orgId: org.org.id, aggregateId: sessionId, payload: { sessionId, storeId } } as const;
    const opened = { id: null, type: 'inventory.opened', orgId: org.org.id, aggregateId: sessionId, payload: { sessionId, storeId } } as const;
    await liveAndCacheConsumer.onCommit!.run([progressed], { services, pushEnabled: false });
    await until(async () => heard.length === 1);
    expect(heard[0]).toMatchObject({ kind: 'inventory', storeId, progressOnly: true });
    expect(heard[0]).not.toHaveProperty('version');
    expect(await generations()).toEqual(before);
    // Told together with a change of the same kind and store, in either order, it is that change: not progress only.
    await liveAndCacheConsumer.onCommit!.run([progressed, opened], { services, pushEnabled: false });
    await until(async () => heard.length === 2);
    expect(heard[1]).not.toHaveProperty('progressOnly');
    expect(heard[1]).toMatchObject({ kind: 'inventory', storeId, version: before[0]! + GENERATION_STEP.immediate, storeVersion: before[1]! + GENERATION_STEP.immediate });
    await liveAndCacheConsumer.onCommit!.run([opened, progressed], { services, pushEnabled: false });
    await until(async () => heard.length === 3);
    expect(heard[2]).not.toHaveProperty('progressOnly');
    expect(heard[2]).toMatchObject({ version: before[0]! + 2 * GENERATION_STEP.immediate });
    listening.abort();
    await reading;
  });
});

describe('a bulk decision', () => {
  it('is one change: the dashboard is outdated and open screens are told once, not once per item', async () => {
    const request = await submitRequest(services, org, [1, 2, 3]);
    const buyer = await as(services, org, 'buyer');
    // What every open screen of the org hears (dashboard.live reads this bus).
    const listening = new AbortController();
    const received: unknown[] = [];
    const reading = (async () => {
      for await (const event of services.live.events(org.org.id, listening.signal)) received.push(event);
    })();
    await new Promise((r) => setTimeout(r, 200)); // the bus is listening
    const generation = async (scope: string | null = null) => (await services.dashboardCache.generation(cacheKeys.dashboardGenerations(org.org.id, scope)))!;
    await countersExist(request.storeId);
    const before = await generation();
    const storeBefore = await generation(request.storeId);
    const { results } = await buyer.purchaseRequests.decideItems({
      decisions: request.items.map((item) => ({ itemId: item.id, decision: 'approve' as const })),
    });
    expect(results.every((r) => r.ok)).toBe(true);
    await new Promise((r) => setTimeout(r, 500)); // any further event would have arrived
    const version = before + GENERATION_STEP.immediate;
    // The event carries the dashboard's version after the change: the figures a screen refetches have it.
    // The store's own dashboard's version comes along, for that store's screens (see the per-store test below).
    const storeVersion = storeBefore + GENERATION_STEP.immediate;
    expect(received).toEqual([expect.objectContaining({ kind: 'purchaseRequest', storeId: request.storeId, version, storeVersion })]);
    expect(await generation()).toBe(version);
    const manager = await as(services, org, 'manager');
    expect((await manager.dashboard.summary()).version).toBe(version);
    expect((await manager.dashboard.summary({ storeId: request.storeId })).version).toBe(storeVersion);

    // The outbox's delivery of the same events (three decisions and the completion): the completion, told at its
    // commit, is not told again; the decisions' day counters (the charts) were written by that delivery, so the
    // screens are told once more, eventually (readers keep the entry until it is rebuilt), with the next version.
    const events = await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, request.id), sql`${eventLog.type} <> 'purchaseRequest.created'`));
    expect(events).toHaveLength(4);
    const deliver = () => Promise.all(events.map((e) => liveAndCacheConsumer.after!(e as unknown as StoredEvent, { services, pushEnabled: false }, undefined)));
    await deliver();
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(2);
    expect(received[1]).toMatchObject({ kind: 'purchaseRequest', version: version + GENERATION_STEP.eventual });
    expect(await generation()).toBe(version + GENERATION_STEP.eventual);
    // A caller that died before telling (no mark): the outbox's deliveries arriving together are one change, the
    // completion outdating the cache at once.
    await services.cache.del(...events.map((e) => cacheKeys.liveTold(e.id)));
    await deliver();
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(3);
    const last = await generation();
    expect(last).toBe(version + 2 * GENERATION_STEP.eventual + GENERATION_STEP.immediate);
    expect(received[2]).toMatchObject({ version: last });
    listening.abort();
    await reading;
  });
});

describe('a compliance change', () => {
  it('reaches the dashboard eventually: readers never wait for it, and open screens hear of it once the figures are rebuilt', async () => {
    const manager = await as(services, org, 'manager');
    const storeId = org.stores[0]!.id;
    await countersExist(storeId);
    const first = await manager.dashboard.summary();
    const listening = new AbortController();
    const heard: { builtAt: string; cache: string; version: number; told?: number }[] = [];
    const reading = (async () => {
      for await (const event of services.live.events(org.org.id, listening.signal)) {
        // What an open screen does when told: refetch.
        if (event.kind === 'compliance') heard.push({ ...(await manager.dashboard.summary()), told: event.version });
      }
    })();
    await new Promise((r) => setTimeout(r, 200)); // the bus is listening
    const generation = async () => (await services.dashboardCache.generation(cacheKeys.dashboardGenerations(org.org.id, null)))!;
    const before = await generation();
    // As the outbox delivers it (not written to event_log: no other consumer should act on a task that does not exist).
    const event = {
      id: 2_000_000_000 + Math.floor(Math.random() * 1_000_000), // never told at a commit
      orgId: org.org.id,
      type: 'compliance.submitted',
      aggregateType: 'complianceTask',
      aggregateId: randomUUID(),
      aggregateSeq: 1,
      payload: { taskId: randomUUID(), storeId, submissionId: randomUUID(), photos: 3 },
      metadata: {},
      createdAt: new Date(),
    } as unknown as StoredEvent;
    // The caller's own effects leave it to the workers; the workers' delivery outdates the cache eventually…
    expect(liveAndCacheConsumer.onCommit!.handles('compliance.submitted')).toBe(false);
    const delivered = liveAndCacheConsumer.after!(event, { services, pushEnabled: false }, undefined);
    await until(async () => (await generation()) === before + GENERATION_STEP.eventual);
    // …a reader meanwhile gets the entry there is, without a rebuild of its own…
    const meanwhile = await countQueries(() => manager.dashboard.summary());
    expect(meanwhile.queries.count).toBe(0);
    await delivered;
    // …and a screen told of it refetches figures rebuilt after the change.
    await until(async () => heard.length > 0);
    expect(heard[0]!.cache).toBe('fresh');
    expect(Date.parse(heard[0]!.builtAt)).toBeGreaterThan(Date.parse(first.builtAt));
    // The event's version is the rebuilt figures' own.
    expect(heard[0]!.version).toBe(before + GENERATION_STEP.eventual);
    expect(heard[0]!.told).toBe(heard[0]!.version);
    listening.abort();
    await reading;
  });
});

describe('with Redis stopped mid-run', () => {
  it('keeps answering from PostgreSQL and caches again when Redis is back', async () => {
    const redis = await startRedisServer();
    const t = await createTestServices({ REDIS_URL: redis.url });
    try {
      const f = await createOrgFixture(t.services, 'dash-outage');
      await submitRequest(t.services, f);
      const manager = await as(t.services, f, 'manager');
      expect((await manager.dashboard.summary()).recent.items).toHaveLength(1);
      await redis.kill();
      for (let i = 0; i < 3; i++) expect((await manager.dashboard.summary()).recent.items).toHaveLength(1);
      await redis.start();
      let source = '';
      for (let i = 0; i < 50 && source !== 'fresh'; i++) {
        source = (await manager.dashboard.summary()).cache;
        if (source !== 'fresh') await new Promise((r) => setTimeout(r, 100));
      }
      expect(source).toBe('fresh');
    } finally {
      await t.close();
      await redis.stop();
    }
  });
});
