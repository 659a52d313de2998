import net from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMyInventoryClient } from '~/client';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { checkReady } from '../observability/health';
import { startHeartbeat } from '../observability/heartbeat';
import { createServices, type Services } from '../services';
import { startMetricsServer } from './metrics-route';
import { createAppServer } from './server';

const TOKEN = 'metrics-token-for-tests-0123456789';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let app: ReturnType<typeof createAppServer>;
let baseUrl: string;

beforeAll(async () => {
  ({ services, close } = await createTestServices({ METRICS_TOKEN: TOKEN }));
  org = await createOrgFixture(services, 'metrics');
  app = createAppServer({ services });
  baseUrl = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app.shutdown(1000);
  await close();
});

const scrape = async (url: string, token = TOKEN) => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};
const labelsOf = (inner: string) => new Map([...inner.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
const sameLabels = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
/** The value of one series in an exposition, `name{label="value",…}` in any label order. */
const valueOf = (text: string, series: string) => {
  const [, name, inner] = /^([^{]+)\{(.*)\}$/.exec(series)!;
  const wanted = labelsOf(inner!);
  for (const line of text.split('\n')) {
    const m = /^([^{\s]+)\{(.*)\} (\S+)$/.exec(line);
    if (m && m[1] === name && sameLabels(labelsOf(m[2]!), wanted)) return Number(m[3]);
  }
  return undefined;
};

describe('metrics', () => {
  it('serves /api/metrics only with the bearer token', async () => {
    expect((await fetch(`${baseUrl}/api/metrics`)).status).toBe(401);
    expect((await scrape(`${baseUrl}/api/metrics`, 'wrong-token-wrong-token-wrong')).status).toBe(401);
    const ok = await scrape(`${baseUrl}/api/metrics`);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).toMatch(/^process_cpu_user_seconds_total\{role="app"\} /m);
    expect(ok.text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{role="app"\} /m);
  });

  it('has no metrics endpoint at all without a token', async () => {
    const bare = await createTestServices();
    const server = createAppServer({ services: bare.services });
    const url = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
    try {
      expect((await fetch(`${url}/api/metrics`)).status).toBe(404);
      expect((await fetch(`${url}/api/metrics`, { headers: { authorization: 'Bearer anything-at-all-here' } })).status).toBe(404);
    } finally {
      await server.shutdown(1000);
      await bare.close();
    }
  });

  it('counts tRPC calls per procedure and code, their latency, HTTP classes, cache lookups and rate-limit decisions, with no ids in labels', async () => {
    const { token } = await (await callerFor(services, { sessionSecret: org.secrets.admin })).admin.tokens.create({ name: 'metrics test' });
    const client = createMyInventoryClient({ url: baseUrl, token });
    const ean = org.products[0]!.ean;
    for (let i = 0; i < 3; i++) await client.products.byEan.query({ ean });
    await expect(client.products.byEan.query({ ean: 'not-an-ean' })).rejects.toThrow();
    const { text } = await scrape(`${baseUrl}/api/metrics`);

    expect(valueOf(text, 'myinventory_trpc_calls_total{procedure="products.byEan",type="query",code="OK",role="app"}')).toBe(3);
    expect(valueOf(text, 'myinventory_trpc_calls_total{procedure="products.byEan",type="query",code="BAD_REQUEST",role="app"}')).toBe(1);
    expect(valueOf(text, 'myinventory_trpc_duration_seconds_count{procedure="products.byEan",type="query",role="app"}')).toBe(4);
    expect(valueOf(text, 'myinventory_trpc_duration_seconds_bucket{le="+Inf",procedure="products.byEan",type="query",role="app"}')).toBe(4);
    expect(valueOf(text, 'myinventory_http_responses_total{class="2xx",role="app"}')).toBeGreaterThanOrEqual(3);
    expect(valueOf(text, 'myinventory_http_responses_total{class="4xx",role="app"}')).toBeGreaterThanOrEqual(1);
    // The product was read once from the database, then from the cache.
    expect(valueOf(text, 'myinventory_cache_lookups_total{family="product:ean",result="hit",role="app"}')).toBeGreaterThanOrEqual(2);
    expect(valueOf(text, 'myinventory_cache_lookups_total{family="auth:token",result="miss",role="app"}')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'myinventory_rate_limit_decisions_total{bucket="user",decision="allowed",role="app"}')).toBeGreaterThanOrEqual(4);
    expect(valueOf(text, 'myinventory_db_pool_connections{state="max",role="app"}')).toBe(5);
    expect(valueOf(text, 'myinventory_db_pool_connections{state="waiting",role="app"}')).toBe(0);
    expect(valueOf(text, 'myinventory_queue_jobs{queue="domain-events",state="waiting",role="app"}')).toBeGreaterThanOrEqual(0);
    expect(valueOf(text, 'myinventory_outbox_lag_seconds{role="app"}')).toBeGreaterThanOrEqual(0);
    expect(valueOf(text, 'myinventory_dead_letters_unresolved{role="app"}')).toBe(0);
    expect(valueOf(text, 'myinventory_breaker_state{integration="storage",role="app"}')).toBe(0);
    expect(valueOf(text, 'myinventory_redis_up{role="app"}')).toBe(1);

    // Bounded labels: no uuid, no EAN, no session anywhere in the exposition.
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(text).not.toContain(ean);
  });

  it('sums the cluster figures of two instances: p50/p99 per procedure, errors and cache hit rate', async () => {
    // Another instance: its own services on the same Redis prefix. Both write the same minutes.
    const other = await createTestServices({ REDIS_KEY_PREFIX: services.env.REDIS_KEY_PREFIX });
    try {
      for (let i = 0; i < 90; i++) services.figures.call('products.list', 0.004, false);
      for (let i = 0; i < 10; i++) other.services.figures.call('products.list', 1.5, false);
      other.services.figures.call('products.list', 0.2, true);
      other.services.figures.call('products.list', 0.2, true);
      for (let i = 0; i < 8; i++) services.figures.cacheLookup(true);
      for (let i = 0; i < 2; i++) other.services.figures.cacheLookup(false);
      await Promise.all([services.figures.flush(), other.services.figures.flush()]);

      const figures = await services.figures.read(60);
      const list = figures.procedures.find((p) => p.procedure === 'products.list')!;
      expect(list).toMatchObject({ calls: 102, errors: 2 });
      expect(list.p50Ms).toBeLessThanOrEqual(5);
      expect(list.p99Ms).toBeGreaterThan(1000);
      expect(list.p99Ms).toBeLessThanOrEqual(2000);
      expect(figures.minutes).toHaveLength(60);
      expect(figures.totals.cacheHits).toBeGreaterThanOrEqual(8);
      expect(figures.totals.cacheMisses).toBeGreaterThanOrEqual(2);
    } finally {
      await other.close();
    }
  });

  it('keeps the cluster figures in PostgreSQL when there is no Redis', async () => {
    const a = await createTestServices({ REDIS_URL: '' });
    try {
      for (let i = 0; i < 90; i++) a.services.figures.call('dashboard.summary', 0.02, false);
      for (let i = 0; i < 9; i++) a.services.figures.call('dashboard.summary', 3, false);
      a.services.figures.call('dashboard.summary', 3, true);
      await a.services.figures.flush();
      a.services.figures.call('dashboard.summary', 0.02, false);
      await a.services.figures.flush();
      const figures = await a.services.figures.read(5);
      expect(figures.totals).toMatchObject({ calls: 101, errors: 1 });
      expect(figures.totals.p99Ms).toBeGreaterThan(2000);
      expect(figures.procedures[0]).toMatchObject({ procedure: 'dashboard.summary', calls: 101 });
    } finally {
      await a.close();
    }
  });

  it("serves a worker process's metrics on its own port, with the token", async () => {
    const worker = await createTestServices({ METRICS_TOKEN: TOKEN });
    const server = await startMetricsServer(worker.services, { port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${server.port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const ok = await scrape(url);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('myinventory_queue_jobs{');
      expect((await fetch(`http://127.0.0.1:${server.port}/api/trpc/auth.me`)).status).toBe(404);
    } finally {
      await server.close();
      await worker.close();
    }
  });
});

describe('health', () => {
  it('reports workers by their heartbeats and the backlog, degraded (still 200) when a worker is silent', async () => {
    const beat = startHeartbeat(services, { instance: 'health-test:workers', role: 'workers' });
    await beat.beatNow();
    const healthy = await (await fetch(`${baseUrl}/api/health`)).json();
    expect(healthy).toMatchObject({ status: 'healthy', checks: { workers: { status: 'up', alive: 1, stale: 0 }, backlog: { status: 'up', outboxLagSeconds: 0, queueBehind: false } } });
    await beat.stop();
    // A worker that stopped beating without a graceful stop (seen once the 2 s the checks are shared have passed).
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await services.db.execute(sql`update process_heartbeats set stopped_at = null, beat_at = now() - interval '1 minute' where instance = 'health-test:workers'`);
    const res = await fetch(`${baseUrl}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'degraded', checks: { workers: { status: 'down', alive: 0, stale: 1 } } });
    await services.db.execute(sql`delete from process_heartbeats`);
  });

  it('answers /api/health/ready for a load balancer: ready while serving, not while shutting down or without the database', async () => {
    const res = await fetch(`${baseUrl}/api/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
    expect(await checkReady(services, true)).toEqual({ ready: false, reason: 'shutting down' });
    const noDatabase = createServices(services.env, { logger: services.logger, databaseUrl: 'postgres://postgres@127.0.0.1:1/none' });
    try {
      expect(await checkReady(noDatabase, false)).toMatchObject({ ready: false, reason: expect.stringMatching(/^database /) });
    } finally {
      await noDatabase.close();
    }
  });

  it('is ready while the database answers others, even when a new statement would wait past the check (PgBouncer queueing it)', async () => {
    // A real PostgreSQL behind a link that holds every new connection 3 s before it reaches the server (as
    // PgBouncer holds a client whose pool is busy): the statements of connections already made are answered at once.
    const target = new URL(services.env.DATABASE_URL!);
    let holdMs = 0;
    const link = net.createServer((client) => {
      client.pause();
      setTimeout(() => {
        const server = net.connect(Number(target.port || 5432), target.hostname, () => {
          client.pipe(server).pipe(client);
          client.resume();
        });
        server.on('error', () => client.destroy());
        client.on('error', () => server.destroy());
      }, holdMs);
    });
    await new Promise<void>((resolve) => link.listen(0, '127.0.0.1', resolve));
    const linkUrl = new URL(target);
    linkUrl.hostname = '127.0.0.1';
    linkUrl.port = String((link.address() as net.AddressInfo).port);
    const slow = createServices({ ...services.env, DATABASE_POOL_MAX: 3 }, { logger: services.logger, databaseUrl: linkUrl.toString() });
    try {
      await slow.db.execute(sql`select 1`); // one connection made, and an answer just now
      holdMs = 3_000;
      // That connection at work (`then` starts it: drizzle's queries run when awaited): a check needs a new one.
      const working = slow.db.execute(sql`select pg_sleep(2.5)`).then(() => {});
      await new Promise((r) => setTimeout(r, 100));
      expect(slow.poolUsage().inUse).toBeLessThan(3);
      const started = performance.now();
      expect(await checkReady(slow, false)).toEqual({ ready: true });
      expect(performance.now() - started).toBeLessThan(500);
      await working;
      // No answer for more than 2 s, and a check that cannot get one in time: down.
      await new Promise((r) => setTimeout(r, 2_100));
      const occupied = [1, 2, 3].map(() => slow.db.execute(sql`select pg_sleep(4)`).then(() => {}));
      expect(await checkReady(slow, false)).toMatchObject({ ready: false, reason: expect.stringMatching(/^database timed out/) });
      await Promise.allSettled(occupied);
    } finally {
      await slow.close();
      link.close();
    }
  });

  it('counts a committed transaction as an answer (its statements run on its own connection, past the pool)', async () => {
    const writes = createServices(services.env, { logger: services.logger, databaseUrl: services.env.DATABASE_URL! });
    try {
      expect(writes.poolUsage().lastAnsweredAt).toBe(Number.NEGATIVE_INFINITY);
      await writes.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
      });
      expect(performance.now() - writes.poolUsage().lastAnsweredAt).toBeLessThan(1_000);
    } finally {
      await writes.close();
    }
  });

  it('is ready while every connection of the pool is at work and the database answers: busy is not down', async () => {
    const busy = createServices({ ...services.env, DATABASE_POOL_MAX: 2 }, { logger: services.logger, databaseUrl: services.env.DATABASE_URL! });
    try {
      await busy.db.execute(sql`select 1`); // an answer, just now
      const sleeping = [busy.db.execute(sql`select pg_sleep(3)`).then(() => {}), busy.db.execute(sql`select pg_sleep(3)`).then(() => {})];
      await new Promise((r) => setTimeout(r, 100));
      expect(busy.poolUsage().inUse).toBe(2);
      const started = performance.now();
      expect(await checkReady(busy, false)).toEqual({ ready: true });
      expect(performance.now() - started).toBeLessThan(500); // not queued behind the two sleeps
      await Promise.all(sleeping);
    } finally {
      await busy.close();
    }
  });
});
