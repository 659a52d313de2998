import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMyInventoryClient, TRPCClientError, type AppRouter } from '~/client';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import type { Services } from '../services';
import { createAppServer } from './server';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let app: ReturnType<typeof createAppServer>;
let baseUrl: string;

beforeAll(async () => {
  ({ services, close } = await createTestServices({ RATE_LIMIT_ANON_PER_MINUTE: '20' }));
  org = await createOrgFixture(services, 'http');
  app = createAppServer({ services });
  baseUrl = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app.shutdown(1000);
  await close();
});

describe('HTTP server', () => {
  it('answers /api/health with every check and its latency', async () => {
    const res = await fetch(`${baseUrl}/api/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'healthy', checks: { database: { status: 'up' }, redis: { status: 'up' } } });
    expect(typeof body.checks.database.latencyMs).toBe('number');
    expect(body.version).toBeTruthy();
    expect(Date.parse(body.timestamp)).not.toBeNaN();
  });

  it('answers /api/health/live', async () => {
    const res = await fetch(`${baseUrl}/api/health/live`);
    expect(res.status).toBe(200);
  });

  it('echoes x-request-id, or makes one', async () => {
    const given = await fetch(`${baseUrl}/api/health/live`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await fetch(`${baseUrl}/api/health/live`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the typed client with an API token, batching calls', async () => {
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    const { token } = await admin.admin.tokens.create({ name: 'client test' });
    const client = createMyInventoryClient({ url: baseUrl, token });
    const [me, storesPage] = await Promise.all([client.auth.me.query(), client.admin.stores.list.query({ limit: 10 })]);
    expect(me.user.email).toBe('admin@http.test');
    expect(storesPage.items.map((s) => s.name).sort()).toEqual(['Loja http 1', 'Loja http 2']);
    // superjson keeps dates as dates across the wire
    expect(storesPage.items[0]!.createdAt).toBeInstanceOf(Date);
  });

  it('gives a bad token 401 with a message and no stack trace', async () => {
    const client = createMyInventoryClient({ url: baseUrl, token: 'mi_AAAAAAAA_' + 'A'.repeat(43) });
    const error = await client.auth.me.query().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const e = error as TRPCClientError<AppRouter>;
    expect(e.data?.httpStatus).toBe(401);
    expect(JSON.stringify(e.shape)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('names the wrong field of a bad input in zodError', async () => {
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    const { token } = await admin.admin.tokens.create({ name: 'zod test' });
    const client = createMyInventoryClient({ url: baseUrl, token });
    const error = (await client.admin.users.create.mutate({ email: 'nope', name: 'X', role: 'clerk', password: 'short' }).catch((e: unknown) => e)) as TRPCClientError<AppRouter>;
    expect(error.data?.httpStatus).toBe(400);
    const fieldErrors = (error.data as unknown as { zodError: { fieldErrors: Record<string, string[]> } }).zodError.fieldErrors;
    expect(Object.keys(fieldErrors).sort()).toEqual(['email', 'password']);
  });

  it('limits anonymous calls per IP with 429, Retry-After and X-RateLimit headers', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 25; i++) {
      last = await fetch(`${baseUrl}/api/trpc/auth.me`);
      if (last.status === 429) break;
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('x-ratelimit-limit')).toBe('20');
    expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(last!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
  });

  it('sheds load with an immediate 503 + Retry-After beyond its in-flight limit, and serves again once they finish', async () => {
    const { services: tight, close: closeTight } = await createTestServices({ LOAD_SHED_MAX_IN_FLIGHT: '2' });
    const own = createAppServer({ services: tight });
    const port = await own.listen(0, '127.0.0.1');
    // Two requests whose bodies never finish keep the server at its limit.
    const hanging = [0, 1].map(() => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/trpc/auth.login', headers: { 'content-type': 'application/json', 'content-length': '1000' } });
      req.on('error', () => {});
      req.write('{"json":');
      return req;
    });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const refused = await fetch(`http://127.0.0.1:${port}/api/trpc/auth.me`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      for (const req of hanging) req.destroy();
      await new Promise((r) => setTimeout(r, 200));
      expect((await fetch(`http://127.0.0.1:${port}/api/trpc/auth.me`)).status).toBe(401);
    } finally {
      await own.shutdown(1000);
      await closeTight();
    }
  });

  it('lets in-flight requests finish on shutdown and refuses new connections', async () => {
    const own = createAppServer({
      services,
      nextHandler: async (_req, res) => {
        await new Promise((r) => setTimeout(r, 300));
        res.end('slow page');
      },
    });
    const port = await own.listen(0, '127.0.0.1');
    const slow = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    const result = await own.shutdown(5000);
    expect(await slow).toBe('slow page');
    expect(result.forced).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/api/health/live`)).rejects.toThrow();
  });
});
