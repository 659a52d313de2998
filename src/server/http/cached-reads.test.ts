import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerAs, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { appRouter } from '../api/root';
import type { ProcedureMeta } from '../api/trpc';
import { SESSION_COOKIE } from '../auth/secrets';
import type { Services } from '../services';
import { createAppServer } from './server';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let app: ReturnType<typeof createAppServer>;
let baseUrl: string;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'cachedreads');
  app = createAppServer({ services });
  baseUrl = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app.shutdown(1000);
  await close();
});

const cookie = (secret: string) => ({ cookie: `${SESSION_COOKIE}=${secret}` });
const url = (paths: string, input?: unknown, batch = false) => {
  const params = new URLSearchParams();
  if (batch) params.set('batch', '1');
  if (input !== undefined) params.set('input', JSON.stringify(input));
  const query = params.toString();
  return `${baseUrl}/api/trpc/${paths}${query ? `?${query}` : ''}`;
};

/** Each cached procedure, with the input and the caller it is read with. */
const cases = () =>
  [
    { path: 'dashboard.summary', input: undefined, role: 'manager' },
    { path: 'dashboard.summary', input: { json: { storeId: org.stores[0]!.id } }, role: 'manager' },
    { path: 'dashboard.summary', input: undefined, role: 'admin' },
    { path: 'dashboard.summary', input: undefined, role: 'clerk' },
    { path: 'products.list', input: { json: { limit: 50 } }, role: 'buyer' },
    { path: 'products.byEan', input: { json: { ean: org.products[0]!.ean } }, role: 'clerk' },
    { path: 'admin.users.list', input: { json: { limit: 50 } }, role: 'admin' },
    { path: 'admin.stores.list', input: { json: { limit: 50 } }, role: 'admin' },
  ] as const;

describe('cached reads (issue 23)', () => {
  it('marks exactly the cached queries, and every one of them is in the comparison below', () => {
    const marked = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string; meta?: ProcedureMeta } }>)
      .filter(([, p]) => p._def.meta?.cachedRead)
      .map(([path]) => path)
      .sort();
    expect(marked).toEqual([...new Set(cases().map((c) => c.path))].sort());
  });

  it('answers byte for byte as tRPC does, for every cached procedure, batched or not', async () => {
    for (const c of cases()) {
      const headers = cookie(org.secrets[c.role]);
      // Filled first: the dashboard's answer says whether it was `rebuilt` for this read or read `fresh`.
      await (await fetch(url(c.path, c.input), { headers })).arrayBuffer();
      // tRPC's own handler answers a batch that also names an uncached procedure (auth.me): its second part is the
      // cached procedure's answer as tRPC writes it, from the same cache entry.
      const viaTrpc = await fetch(url(`auth.me,${c.path}`, c.input === undefined ? {} : { 1: c.input }, true), { headers });
      const direct = await fetch(url(c.path, c.input === undefined ? {} : { 0: c.input }, true), { headers });
      const single = await fetch(url(c.path, c.input), { headers });
      expect([viaTrpc.status, direct.status, single.status], c.path).toEqual([200, 200, 200]);
      expect(viaTrpc.headers.get('etag'), 'tRPC’s handler answered the mixed batch').toBeNull();
      expect(direct.headers.get('etag'), 'the cached-read door answered').toBeTruthy();
      const trpcText = await viaTrpc.text();
      const meText = JSON.stringify((JSON.parse(trpcText) as unknown[])[0]);
      expect(trpcText.startsWith(`[${meText},`)).toBe(true);
      const cachedPart = trpcText.slice(meText.length + 2, -1);
      expect(await direct.text(), c.path).toBe(`[${cachedPart}]`);
      expect(await single.text(), c.path).toBe(cachedPart);
    }
  });

  it('keeps each kind of caller’s answer apart: a manager reading after an admin sees no queues', async () => {
    const admin = (await (await fetch(url('dashboard.summary'), { headers: cookie(org.secrets.admin) })).json()) as { result: { data: { json: { queues: unknown } } } };
    expect(admin.result.data.json.queues).not.toBeNull();
    const manager = (await (await fetch(url('dashboard.summary'), { headers: cookie(org.secrets.manager) })).json()) as { result: { data: { json: { queues: unknown } } } };
    expect(manager.result.data.json.queues).toBeNull();
  });

  it('gives each answer a strong ETag: the same entry 304 without a body, a change a new one', async () => {
    const headers = cookie(org.secrets.manager);
    const first = await fetch(url('dashboard.summary'), { headers });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+(\.(br|gzip))?"$/); // the encoding is named: one ETag per representation
    await first.arrayBuffer();
    const again = await fetch(url('dashboard.summary'), { headers: { ...headers, 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    // A weak form of it and a list holding it match too (If-None-Match compares weakly).
    expect((await fetch(url('dashboard.summary'), { headers: { ...headers, 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);

    // A request made by the store changes what the dashboard shows: the old ETag now gets the new answer.
    const clerk = await callerAs(services, org, 'clerk');
    const request = await clerk.purchaseRequests.create({ id: crypto.randomUUID(), storeId: org.stores[0]!.id, items: [{ productId: org.products[0]!.id, quantity: 3 }] });
    await clerk.purchaseRequests.submit({ id: request.id });
    const changed = await fetch(url('dashboard.summary'), { headers: { ...headers, 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const summary = (await changed.json()) as { result: { data: { json: { requestsByStatus: { status: string; count: number }[] } } } };
    expect(summary.result.data.json.requestsByStatus).toContainEqual(expect.objectContaining({ status: 'pending' }));
  });

  it('checks the caller before any byte or 304: a revoked session gets 401, a clerk another store’s 404', async () => {
    const manager = await callerAs(services, org, 'manager');
    const headers = cookie(org.secrets.manager);
    const etag = (await fetch(url('dashboard.summary'), { headers })).headers.get('etag')!;
    const clerkHeaders = cookie(org.secrets.clerk);
    const otherStore = await fetch(url('dashboard.summary', { json: { storeId: org.stores[1]!.id } }), { headers: { ...clerkHeaders, 'if-none-match': '*' } });
    expect(otherStore.status).toBe(404);

    await manager.auth.logout();
    const revoked = await fetch(url('dashboard.summary'), { headers: { ...headers, 'if-none-match': etag } });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('etag')).toBeNull();
    const body = (await revoked.json()) as { error: { json: { data: { code: string; reason: string } } } };
    expect(body.error.json.data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'signed_out' });
  });

  it('compresses answers over 1 KiB (br or gzip as accepted) to the same bytes; small ones go as they are', async () => {
    const headers = cookie(org.secrets.admin);
    const plain = Buffer.from(await (await fetch(url('dashboard.summary'), { headers })).arrayBuffer());
    expect(plain.length).toBeGreaterThan(1024);
    // fetch would undo the encoding itself: node's http client shows the bytes as sent.
    const raw = async (href: string, acceptEncoding: string, extra: Record<string, string> = headers) => {
      const { request } = await import('node:http');
      return new Promise<{ encoding: string | undefined; body: Buffer; vary: string | undefined }>((resolve, reject) => {
        request(href, { headers: { ...extra, 'accept-encoding': acceptEncoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks), vary: res.headers.vary }));
        })
          .on('error', reject)
          .end();
      });
    };
    const br = await raw(url('dashboard.summary'), 'gzip, deflate, br');
    expect(br.encoding).toBe('br');
    expect(br.vary).toContain('accept-encoding');
    expect(brotliDecompressSync(br.body).equals(plain)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.length * 0.6);
    const gzip = await raw(url('dashboard.summary'), 'gzip');
    expect(gzip.encoding).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(plain)).toBe(true);
    expect((await raw(url('dashboard.summary'), 'identity')).encoding).toBeUndefined();

    const small = await raw(url('products.byEan', { json: { ean: org.products[0]!.ean } }), 'br');
    expect(small.body.length).toBeLessThan(1024);
    expect(small.encoding).toBeUndefined();

    // Every JSON answer, not only the cached ones: tRPC's own answers are compressed the same way.
    const recent = await raw(url('auth.me,dashboard.summary', {}, true), 'br');
    expect(recent.encoding).toBe('br');
    expect(JSON.parse(brotliDecompressSync(recent.body).toString())).toHaveLength(2);
  });

  it('leaves to tRPC what it answers in its own way: an input superjson refuses, a streamed batch; small answers of its own go uncompressed', async () => {
    const headers = cookie(org.secrets.admin);
    for (const input of ['null', encodeURIComponent('{"json":{},"meta":{"values":{"x":["nope"]}}}')]) {
      const refused = await fetch(`${baseUrl}/api/trpc/dashboard.summary?input=${input}`, { headers });
      expect(refused.status, input).toBeLessThan(500);
      expect(refused.headers.get('etag')).toBeNull();
    }
    const streamed = await fetch(url('dashboard.summary', {}, true), { headers: { ...headers, 'trpc-accept': 'application/jsonl' } });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('etag')).toBeNull();
    await streamed.arrayBuffer();
    const { request } = await import('node:http');
    const encoding = await new Promise<string | undefined>((resolve, reject) => {
      request(url('auth.me'), { headers: { ...headers, 'accept-encoding': 'br, gzip' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['content-encoding']));
      })
        .on('error', reject)
        .end();
    });
    expect(encoding).toBeUndefined();
  });

  it('leaves an input that is no JSON to tRPC, and answers an invalid one as tRPC does', async () => {
    const headers = cookie(org.secrets.admin);
    const bad = await fetch(`${baseUrl}/api/trpc/dashboard.summary?input=%7Bnot-json`, { headers });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('etag')).toBeNull();
    expect(((await bad.json()) as { error: { json: { data: { code: string } } } }).error.json.data.code).toBe('BAD_REQUEST');
    const invalid = await fetch(url('products.list', { json: { limit: 'many' } }), { headers });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { json: { data: { reason: string } } } }).error.json.data.reason).toBe('invalid_input');
  });
});
