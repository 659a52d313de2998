import http from 'node:http';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { SESSION_COOKIE } from '../auth/secrets';
import type { Services } from '../services';
import { createAppServer } from './server';
import { device } from '../../../tests/helpers/devices';

/**
 * The reproductions of the security review's "bad input reaches 5xx" findings, through raw HTTP as an attacker
 * sends them: each is refused with a 4xx that says why, and nothing is half-done.
 */
let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let app: ReturnType<typeof createAppServer>;
let base: string;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'hostile');
  app = createAppServer({ services });
  base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app.shutdown(1000);
  await close();
});

const cookie = (role: keyof OrgFixture['secrets']) => `${SESSION_COOKIE}=${org.secrets[role]}`;
type Answer = { status: number; body: { error?: { json?: { message: string; data: { code: string; reason: string | null; details: Record<string, unknown> | null } } } } & Record<string, unknown> };

async function call(method: 'GET' | 'POST', procedure: string, input: unknown, opts: { role?: keyof OrgFixture['secrets']; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const payload = opts.raw ?? JSON.stringify(superjson.serialize(input));
  const url = method === 'GET' ? `${base}/api/trpc/${procedure}?input=${encodeURIComponent(payload)}` : `${base}/api/trpc/${procedure}`;
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(opts.role ? { cookie: cookie(opts.role) } : {}), ...opts.headers },
    body: method === 'POST' ? payload : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}
const reasonOf = (a: Answer) => a.body.error?.json?.data.reason;

describe('bad input gets a 4xx that says why, never a 5xx', () => {
  it('a body over the limit is refused with 413 while it is read, not after (1 MB; 21 MB for the CSV imports)', async () => {
    const huge = JSON.stringify({ json: { email: 'a@b.test', password: 'x'.repeat(5 * 1024 * 1024) } });
    const before = process.memoryUsage().rss;
    const answers = await Promise.all(Array.from({ length: 4 }, () => call('POST', 'auth.login', null, { raw: huge })));
    expect(answers.map((a) => a.status)).toEqual([413, 413, 413, 413]);
    expect(reasonOf(answers[0]!)).toBe('payload_too_large');
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    expect(app.refused().payloadTooLarge).toBeGreaterThanOrEqual(4);
    // An import of 2 MB is no upload abuse: it gets through to its procedure.
    const csv = `ean;nome\n${Array.from({ length: 40_000 }, (_, i) => `${String(i).padStart(13, '9')};${'x'.repeat(30)}`).join('\n')}`;
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    expect((await call('POST', 'products.importCsv', { csv }, { role: 'buyer' })).status).toBe(200);
  });

  it('text with a NUL character is a 400 in every field, in queries and mutations', async () => {
    const created = await call('POST', 'admin.stores.create', { code: 'NUL-1', name: 'Loja\u0000 nula' }, { role: 'admin' });
    expect([created.status, reasonOf(created)]).toEqual([400, 'nul_character']);
    expect(created.body.error?.json?.data.details).toMatchObject({ field: 'name' });
    const listed = await call('GET', 'products.list', { limit: 5, search: 'a\u0000' }, { role: 'buyer' });
    expect([listed.status, reasonOf(listed)]).toEqual([400, 'nul_character']);
    const login = await call('POST', 'auth.login', { email: 'a@b.test', password: 'x\u0000y' });
    expect([login.status, reasonOf(login)]).toEqual([400, 'nul_character']);
  });

  it('impossible dates are a 400: calendar-impossible cursors and dates beyond what the system keeps', async () => {
    const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    for (const at of ['2026-02-30T00:00:00.000Z', '0000-01-01T00:00:00.000Z']) {
      const answer = await call('GET', 'admin.audit.list', { limit: 5, cursor: cursor([at, '00000000-0000-4000-8000-000000000000']) }, { role: 'admin' });
      expect([answer.status, reasonOf(answer)]).toEqual([400, 'invalid_cursor']);
    }
    for (const extreme of [new Date('0000-01-01T00:00:00Z'), new Date(8.64e15), new Date(-8.64e15)]) {
      expect((await call('GET', 'admin.audit.list', { limit: 5, from: extreme }, { role: 'admin' })).status).toBe(400);
      expect((await call('GET', 'purchaseRequests.list', { limit: 5, to: extreme }, { role: 'manager' })).status).toBe(400);
    }
    const sync = await call(
      'POST',
      'inventory.sync',
      { sessionId: '00000000-0000-4000-8000-000000000000', ...device('d'), pendingCount: 0, entries: [{ id: '00000000-0000-4000-8000-000000000001', ean: '1', quantity: 1, zone: '', countedAt: new Date(-8.64e15), seq: 1 }] },
      { role: 'manager' },
    );
    expect(sync.status).toBe(400);
  });

  it('the cache key is made from validated input: a BigInt or a self-referencing input is a 400, not a 500', async () => {
    const bigint = JSON.stringify({ json: { limit: '5' }, meta: { values: { limit: ['bigint'] } } });
    expect((await call('GET', 'products.list', null, { role: 'buyer', raw: bigint })).status).toBe(400);
    // superjson's root equality: `search` becomes the input itself, a cycle.
    const cyclic = JSON.stringify({ json: { limit: 5, search: null }, meta: { referentialEqualities: [['search']] } });
    const answer = await call('GET', 'admin.users.list', null, { role: 'admin', raw: cyclic });
    expect(answer.status).toBe(400);
  });

  it('a 50,000-deep array says it is too deeply nested, not that the stack overflowed', async () => {
    const deep = `{"json":{"limit":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
    const answer = await call('POST', 'admin.stores.create', null, { role: 'admin', raw: deep });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).not.toContain('call stack');
  });

  it('a list longer than any procedure takes is refused before its items are parsed', async () => {
    const entries = Array.from({ length: 100_000 }, () => 0);
    const answer = await call('POST', 'purchaseRequests.decideItems', { decisions: entries }, { role: 'buyer' });
    expect([answer.status, reasonOf(answer)]).toEqual([400, 'too_many_items']);
  });

  it('TRACE, PUT and DELETE get 405 with the methods we answer', async () => {
    for (const method of ['TRACE', 'PUT', 'DELETE']) {
      const status = await new Promise<{ status: number; allow: string | undefined }>((resolve, reject) =>
        http
          .request(`${base}/api/trpc/auth.me`, { method }, (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, allow: res.headers.allow });
          })
          .on('error', reject)
          .end(),
      );
      expect(status).toEqual({ status: 405, allow: 'GET, HEAD, POST' });
    }
  });
});

describe('one API door', () => {
  it('dot segments and doubled slashes reach the same handler, with the same limits; other /api paths are 404', async () => {
    for (const path of ['/api/./trpc/auth.me', '/api/trpc/../trpc/auth.me', '/api/%2e/trpc/auth.me', '//api//trpc/auth.me']) {
      const res = await fetch(`${base}${path}`, { headers: { cookie: cookie('clerk') } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('x-ratelimit-limit'), path).toBeTruthy();
    }
    expect((await fetch(`${base}/api/whatever`)).status).toBe(404);
  });
});

describe('cross-site requests', () => {
  it('a mutation from another site is refused before it runs; the same site and scripts get through', async () => {
    const evil = await call('POST', 'auth.logout', undefined, { role: 'manager', headers: { origin: 'http://evil.example' } });
    expect(evil.status).toBe(403);
    expect((await call('GET', 'auth.me', undefined, { role: 'manager' })).status).toBe(200); // still signed in
    const referer = await call('POST', 'auth.logout', undefined, { role: 'manager', headers: { referer: 'http://evil.example/page' } });
    expect(referer.status).toBe(403);
    const fetchMeta = await call('POST', 'auth.logout', undefined, { role: 'manager', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(fetchMeta.status).toBe(403);
    expect((await call('POST', 'admin.stores.create', { code: 'SAME-1', name: 'Mesma origem' }, { role: 'admin', headers: { origin: base } })).status).toBe(200);
    expect((await call('POST', 'admin.stores.create', { code: 'SCRIPT-1', name: 'Script' }, { role: 'admin' })).status).toBe(200);
  });
});
