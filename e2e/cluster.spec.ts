import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { expect, test } from '@playwright/test';
import { startCluster, type Cluster } from '../tests/helpers/cluster';
import { startFcmStandIn } from '../tests/helpers/fcm-standin';
import { DEMO_PASSWORD, demoUsers } from './fixtures/auth';

/**
 * Beyond one machine (docs/deploy.md): 2 app instances and 2 worker processes behind HAProxy (ops/cluster/haproxy.cfg),
 * one PostgreSQL through PgBouncer in transaction mode (ops/cluster/pgbouncer.ini), one Redis. No browser: clients
 * call the API as the typed client does, through the balancer or straight at one instance.
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);

let cluster: Cluster;
let fcm: Awaited<ReturnType<typeof startFcmStandIn>>;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  fcm = await startFcmStandIn();
  cluster = await startCluster({ env: { FCM_PROJECT_ID: 'stand-in', FCM_ENDPOINT_OVERRIDE: fcm.url, RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_ANON_PER_MINUTE: '100000', RATE_LIMIT_LOGIN_PER_MINUTE: '5' } });
});
test.afterAll(async () => {
  await cluster?.stop();
  await fcm?.close();
});
test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('cluster logs', { body: JSON.stringify(cluster.logs(), null, 2), contentType: 'application/json' });
});

type Call = { status: number; body: unknown; headers: Headers };

async function call(base: string, procedure: string, input: unknown, opts: { cookie?: string; method?: 'GET' | 'POST' } = {}): Promise<Call> {
  const method = opts.method ?? 'POST';
  const json = JSON.stringify({ json: input });
  const url = method === 'GET' ? `${base}/api/trpc/${procedure}?input=${encodeURIComponent(json)}` : `${base}/api/trpc/${procedure}`;
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...(opts.cookie ? { cookie: opts.cookie } : {}) }, body: method === 'POST' ? json : undefined });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    // not JSON (a balancer's error page): kept as text for the failure message
  }
  return { status: res.status, body, headers: res.headers };
}
const data = <T>(c: Call) => (c.body as { result: { data: { json: T } } }).result.data.json;

async function login(base: string, role: keyof typeof demoUsers): Promise<string> {
  const res = await call(base, 'auth.login', { email: demoUsers[role].email, password: DEMO_PASSWORD });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  expect(cookie).not.toBe('');
  return cookie;
}

test('a session made on one instance works on the other; the rate limit is one budget across them', async () => {
  const [one, two] = cluster.appUrls as [string, string];
  const cookie = await login(one, 'manager');
  const me = await call(two, 'auth.me', undefined, { cookie, method: 'GET' });
  expect(me.status).toBe(200);
  expect(data<{ user: { email: string } }>(me).user.email).toBe(demoUsers.manager.email);

  // Wrong passwords for one e-mail, alternating instances: 5 a minute in all (RATE_LIMIT_LOGIN_PER_MINUTE), not per instance.
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await call(i % 2 ? two : one, 'auth.login', { email: 'ninguem@demo.test', password: 'errada' })).status);
  expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
  expect(statuses.slice(5)).toEqual([429, 429, 429]);
});

test('a product changed through one instance is seen through the other’s byEan at once', async () => {
  const [one, two] = cluster.appUrls as [string, string];
  const cookie = await login(one, 'buyer');
  const list = data<{ items: { id: string; ean: string; name: string }[] }>(await call(one, 'products.list', { limit: 5 }, { cookie, method: 'GET' }));
  const product = list.items[0]!;
  const before = await call(two, 'products.byEan', { ean: product.ean }, { cookie, method: 'GET' });
  expect(data<{ name: string }>(before).name).toBe(product.name); // now cached on two (and in Redis)
  const name = `${product.name} (cluster ${randomUUID().slice(0, 6)})`;
  expect((await call(one, 'products.update', { id: product.id, name }, { cookie })).status).toBe(200);
  const after = await call(two, 'products.byEan', { ean: product.ean }, { cookie, method: 'GET' });
  expect(data<{ name: string }>(after).name).toBe(name);
});

test('a dashboard open on one instance gets the live event of a change made on the other', async () => {
  const [one, two] = cluster.appUrls as [string, string];
  const manager = await login(two, 'manager');
  const clerk = await login(one, 'clerk');
  const stream = await fetch(`${two}/api/trpc/dashboard.live?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, { headers: { cookie: manager, accept: 'text/event-stream' } });
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  const heard = (async () => {
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += new TextDecoder().decode(value);
      if (text.includes('"purchaseRequest"')) return text;
    }
  })();
  await new Promise((r) => setTimeout(r, 500));
  const me = data<{ stores: { id: string }[] }>(await call(one, 'auth.me', undefined, { cookie: clerk, method: 'GET' }));
  const products = data<{ items: { id: string }[] }>(await call(one, 'products.list', { limit: 1 }, { cookie: clerk, method: 'GET' }));
  const created = await call(one, 'purchaseRequests.create', { id: randomUUID(), storeId: me.stores[0]!.id, items: [{ productId: products.items[0]!.id, quantity: 2 }], submit: true }, { cookie: clerk });
  expect(created.status).toBe(200);
  const text = await Promise.race([heard, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no live event within 10 s')), 10_000))]);
  expect(text).toContain('"purchaseRequest"');
  await reader.cancel();
});

test('with two relays and two workers, each event is applied once and each push sent once', async () => {
  const clerk = await login(cluster.url, 'clerk');
  const buyer = await login(cluster.url, 'buyer');
  const token = `cluster-device-${randomUUID()}`;
  expect((await call(cluster.url, 'notifications.registerDevice', { token }, { cookie: buyer })).status).toBe(200);
  const me = data<{ stores: { id: string }[] }>(await call(cluster.url, 'auth.me', undefined, { cookie: clerk, method: 'GET' }));
  const buyerId = data<{ user: { id: string } }>(await call(cluster.url, 'auth.me', undefined, { cookie: buyer, method: 'GET' })).user.id;
  // Products this buyer decides on: each request notifies this buyer (whose device is registered).
  const products = data<{ items: { id: string }[] }>(await call(cluster.url, 'products.list', { limit: 5, buyerId }, { cookie: clerk, method: 'GET' }));
  expect(products.items.length).toBeGreaterThan(0);
  const ids = Array.from({ length: 30 }, () => randomUUID());
  const sql = postgres(cluster.directUrl, { max: 1, onnotice: () => {} });
  // The store's chart counter of requests made: the analytics consumer adds 1 per purchaseRequest.created it applies.
  const created = async () => (await sql<{ n: number }[]>`select coalesce(sum(requests_created), 0)::int as n from store_daily_stats where store_id = ${me.stores[0]!.id}`)[0]!.n;
  const before = await created();
  const results = await Promise.all(
    ids.map((id, i) => call(cluster.url, 'purchaseRequests.create', { id, storeId: me.stores[0]!.id, items: [{ productId: products.items[i % products.items.length]!.id, quantity: 1 }], submit: true }, { cookie: clerk })),
  );
  expect(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 300)}`)).toEqual([]);

  try {
    // Every event of these requests processed; every notification to the buyer's device sent.
    await expect
      .poll(async () => (await sql`select count(*)::int as n from event_log where aggregate_id = any(${ids}) and processed_at is null`)[0]!.n, { timeout: 60_000 })
      .toBe(0);
    const notes = await sql<{ id: string; push_status: string }[]>`
      select n.id, n.push_status from notifications n join users u on u.id = n.user_id
      where u.email = ${demoUsers.buyer.email} and n.data->>'requestId' = any(${ids})`;
    expect(notes.length).toBeGreaterThanOrEqual(ids.length);
    await expect.poll(async () => (await sql`select count(*)::int as n from notifications where id = any(${notes.map((n) => n.id)}) and push_status <> 'sent'`)[0]!.n, { timeout: 60_000 }).toBe(0);
    const perNote = new Map<string, number>();
    for (const d of fcm.deliveries) if (d.token === token && d.notificationId) perNote.set(d.notificationId, (perNote.get(d.notificationId) ?? 0) + 1);
    expect(notes.map((n) => perNote.get(n.id) ?? 0)).toEqual(notes.map(() => 1));
    // Each event applied once: the counter grew by exactly the 30 requests (an event applied twice adds twice).
    expect(await created()).toBe(before + ids.length);
    // Both worker processes were up all along (each runs a relay and every queue's worker).
    const beats = await sql<{ n: number }[]>`select count(*)::int as n from process_heartbeats where role = 'workers' and stopped_at is null`;
    expect(beats[0]!.n).toBe(2);
  } finally {
    await sql.end();
  }
});

test('a rolling restart under steady load fails no request', async () => {
  const cookie = await login(cluster.url, 'manager');
  const clerk = await login(cluster.url, 'clerk');
  const me = data<{ stores: { id: string }[] }>(await call(cluster.url, 'auth.me', undefined, { cookie: clerk, method: 'GET' }));
  const products = data<{ items: { id: string }[] }>(await call(cluster.url, 'products.list', { limit: 3 }, { cookie: clerk, method: 'GET' }));
  const failures: string[] = [];
  let sent = 0;
  const written: string[] = [];
  let running = true;
  // Steady load: 4 clients in a loop, reads and writes, through the balancer.
  const client = async (n: number) => {
    while (running) {
      sent++;
      try {
        if (n % 2 === 0) {
          const res = await call(cluster.url, 'dashboard.summary', {}, { cookie, method: 'GET' });
          if (res.status !== 200) failures.push(`summary ${res.status}`);
        } else {
          const id = randomUUID();
          const res = await call(cluster.url, 'purchaseRequests.create', { id, storeId: me.stores[0]!.id, items: [{ productId: products.items[0]!.id, quantity: 1 }] }, { cookie: clerk });
          if (res.status === 200) written.push(id);
          else failures.push(`create ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      } catch (error) {
        failures.push(`network: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const load = Promise.all([0, 1, 2, 3].map(client));
  await new Promise((r) => setTimeout(r, 2000));
  for (const i of [0, 1]) {
    const app = cluster.apps[i]!;
    expect(await app.stop('SIGTERM')).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    await app.start();
    await cluster.waitReady(i);
    await new Promise((r) => setTimeout(r, 3000)); // HAProxy sees it up (rise 2 × 1 s) before the next one stops
  }
  running = false;
  await load;
  expect(failures).toEqual([]);
  expect(sent).toBeGreaterThan(100);
  // Every acknowledged write is there, once.
  const sql = postgres(cluster.directUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from purchase_requests where id = any(${written})`;
    expect(row!.n).toBe(written.length);
  } finally {
    await sql.end();
  }
});
