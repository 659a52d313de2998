import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { appendScan, getDeviceId, getDeviceIdentity, getReceipt, OfflineDatabase, pendingCount, refreshProducts, sessionScans, getProductsMeta, isStale, findProduct, type NewScan } from './db';
import { deviceIdFor } from '~/lib/device-identity';
import { backoffDelay, classifySyncError, SyncLoop, syncOnce, type SyncRequest, type SyncResponse } from './sync';

const SESSION = '00000000-0000-4000-8000-000000000001';
const STORE = '00000000-0000-4000-8000-0000000000aa';
const ALICE = 'user-alice';
const BRUNO = 'user-bruno';

let dbs: OfflineDatabase[] = [];
function freshDb() {
  const db = new OfflineDatabase(`test-${crypto.randomUUID()}`);
  dbs.push(db);
  return db;
}
afterEach(async () => {
  for (const database of dbs) await database.delete();
  dbs = [];
});

const scan = (userId: string, ean = '7891000100103', quantity = 1): NewScan => ({ sessionId: SESSION, storeId: STORE, ean, quantity, zone: 'A1', userId });

async function scanMany(db: OfflineDatabase, n: number, userId = ALICE) {
  const deviceId = await getDeviceId(db);
  for (let i = 0; i < n; i++) await appendScan(db, deviceId, scan(userId));
}

/** The server as the client sees it: entries keyed by id (idempotent), and what each device reported pending. */
function fakeServer() {
  const stored = new Map<string, { userId: string; quantity: number }>();
  const requests: SyncRequest[] = [];
  const reportedPending: number[] = [];
  const handle = (userId: string, request: SyncRequest, opts: { reject?: (id: string) => boolean; ignore?: (id: string) => boolean } = {}): SyncResponse => {
    requests.push(request);
    reportedPending.push(request.pendingCount);
    const accepted: string[] = [];
    const duplicates: string[] = [];
    const rejected: SyncResponse['rejected'] = [];
    for (const e of request.entries) {
      if (opts.ignore?.(e.id)) continue;
      if (opts.reject?.(e.id)) {
        rejected.push({ id: e.id, reason: 'invalid_check_digit', message: 'wrong check digit' });
        continue;
      }
      if (stored.has(e.id)) duplicates.push(e.id);
      else stored.set(e.id, { userId, quantity: e.quantity });
      accepted.push(e.id);
    }
    return { accepted, duplicates, unmatched: [], rejected, serverCount: stored.size, lastSeq: Math.max(0, ...request.entries.map((e) => e.seq)), syncedAt: new Date() };
  };
  return { stored, requests, reportedPending, handle };
}

describe("the tablet's identity", () => {
  it('is made once and kept: a 43-character secret and the id derived from it, sent with every sync', async () => {
    const db = freshDb();
    const identity = await getDeviceIdentity(db);
    expect(identity.deviceSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(identity.deviceId).toBe(await deviceIdFor(identity.deviceSecret));
    expect(await getDeviceIdentity(db)).toEqual(identity);
    expect((await getDeviceIdentity(freshDb())).deviceSecret).not.toBe(identity.deviceSecret);
    await scanMany(db, 2);
    const server = fakeServer();
    await syncOnce({ db, sessionId: SESSION, userId: ALICE, send: async (r) => server.handle(ALICE, r) });
    expect(server.requests.map((r) => [r.deviceId, r.deviceSecret])).toEqual([[identity.deviceId, identity.deviceSecret]]);
  });

  it('two tabs asking at once get the same identity', async () => {
    const db = freshDb();
    const [a, b] = await Promise.all([getDeviceIdentity(db), getDeviceIdentity(db)]);
    expect(a).toEqual(b);
  });

  it('a tablet from before the secret gets one and the id it proves; its scans waiting to sync move to that id', async () => {
    const db = freshDb();
    const synced = await appendScan(db, 'tab-legacy1', scan(ALICE));
    await db.scans.update(synced.id, { status: 'synced' });
    const waiting = await appendScan(db, 'tab-legacy1', scan(ALICE));
    await db.meta.put({ key: 'deviceId', value: 'tab-legacy1' });
    const identity = await getDeviceIdentity(db);
    expect(identity.deviceId).toBe(await deviceIdFor(identity.deviceSecret));
    expect(identity.deviceId).not.toBe('tab-legacy1');
    expect((await db.scans.get(waiting.id))!.deviceId).toBe(identity.deviceId);
    expect((await db.scans.get(synced.id))!.deviceId).toBe('tab-legacy1');
    expect(await getDeviceIdentity(db)).toEqual(identity);
  });
});

describe('the offline scan log', () => {
  it('gives every scan a unique id and a per-device sequence that keeps growing', async () => {
    const db = freshDb();
    const a = await appendScan(db, 'tab-test', scan(ALICE));
    const b = await appendScan(db, 'tab-test', scan(ALICE));
    expect(a.id).not.toBe(b.id);
    expect(b.seq).toBe(a.seq + 1);
    expect(a.status).toBe('pending');
    expect(await pendingCount(db, SESSION)).toBe(2);
  });

  it('downloads the product table page by page (with each photo) and flags it stale after 7 days', async () => {
    const db = freshDb();
    const pages = [
      { items: [{ id: 'p-arroz', ean: '7891000100103', name: 'Arroz', unit: 'un', plu: null, price: 10, category: null, photoId: null }], nextCursor: 'c1' },
      { items: [{ id: 'p-feijao', ean: '7891000100110', name: 'Feijão', unit: 'un', plu: null, price: 8, category: null, photoId: 'f0t0' }], nextCursor: null },
    ];
    let call = 0;
    const now = Date.now();
    const meta = await refreshProducts(db, STORE, async () => pages[call++]!, now);
    expect(meta.count).toBe(2);
    expect(await findProduct(db, STORE, '7891000100110')).toMatchObject({ id: 'p-feijao', name: 'Feijão', photoId: 'f0t0' });
    expect(isStale(await getProductsMeta(db, STORE), now + 1000)).toBe(false);
    expect(isStale(await getProductsMeta(db, STORE), now + 8 * 24 * 3600 * 1000)).toBe(true);
  });
});

describe('syncOnce', () => {
  it('sends pending scans in batches of 500 ordered by seq and marks them synced', async () => {
    const db = freshDb();
    const server = fakeServer();
    await scanMany(db, 1200);
    const outcome = await syncOnce({ db, sessionId: SESSION, userId: ALICE, send: async (r) => server.handle(ALICE, r) });
    expect(outcome).toMatchObject({ status: 'synced', sent: 1200, serverCount: 1200 });
    expect(server.requests.map((r) => r.entries.length)).toEqual([500, 500, 200]);
    const seqs = server.requests.flatMap((r) => r.entries.map((e) => e.seq));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(server.reportedPending).toEqual([700, 200, 0]);
    expect(await pendingCount(db, SESSION)).toBe(0);
    expect(await getReceipt(db, SESSION, ALICE)).toMatchObject({ serverCount: 1200, localCount: 1200 });
  });

  it('resends a batch whose response was lost and the server ends with every scan exactly once', async () => {
    const db = freshDb();
    const server = fakeServer();
    await scanMany(db, 300);
    let lose = true;
    const send = async (r: SyncRequest) => {
      const response = server.handle(ALICE, r);
      if (lose) {
        lose = false;
        throw new TypeError('Failed to fetch');
      }
      return response;
    };
    const first = await syncOnce({ db, sessionId: SESSION, userId: ALICE, send });
    expect(first.status).toBe('failed');
    expect(server.stored.size).toBe(300);
    expect(await pendingCount(db, SESSION)).toBe(300);

    const second = await syncOnce({ db, sessionId: SESSION, userId: ALICE, send });
    expect(second).toMatchObject({ status: 'synced', serverCount: 300 });
    expect(server.stored.size).toBe(300);
    expect(await pendingCount(db, SESSION)).toBe(0);
  });

  it('marks synced only what the server acknowledged; rejected keep the reason, unanswered stay pending', async () => {
    const db = freshDb();
    const server = fakeServer();
    await scanMany(db, 10);
    const all = await sessionScans(db, SESSION);
    const rejectId = all[2]!.id;
    const ignoreId = all[5]!.id;
    const outcome = await syncOnce({ db, sessionId: SESSION, userId: ALICE, send: async (r) => server.handle(ALICE, r, { reject: (id) => id === rejectId, ignore: (id) => id === ignoreId }) });
    expect(outcome.status).toBe('synced');
    const after = new Map((await sessionScans(db, SESSION)).map((s) => [s.id, s]));
    expect(after.get(rejectId)).toMatchObject({ status: 'rejected', rejectReason: 'invalid_check_digit' });
    expect(after.get(ignoreId)?.status).toBe('pending');
    expect([...after.values()].filter((s) => s.status === 'synced')).toHaveLength(8);
    expect(await getReceipt(db, SESSION, ALICE)).toBeUndefined();
  });

  it("never sends another user's scans, and reports them as still pending on the device", async () => {
    const db = freshDb();
    const server = fakeServer();
    await scanMany(db, 5, ALICE);
    await scanMany(db, 3, BRUNO);
    await syncOnce({ db, sessionId: SESSION, userId: BRUNO, send: async (r) => server.handle(BRUNO, r) });
    expect([...server.stored.values()].every((e) => e.userId === BRUNO)).toBe(true);
    expect(server.stored.size).toBe(3);
    expect(server.reportedPending.at(-1)).toBe(5);
    expect(await pendingCount(db, SESSION)).toBe(5);

    await syncOnce({ db, sessionId: SESSION, userId: ALICE, send: async (r) => server.handle(ALICE, r) });
    expect(server.stored.size).toBe(8);
    expect(server.reportedPending.at(-1)).toBe(0);
  });

  it('stops on UNAUTHORIZED and keeps every scan pending', async () => {
    const db = freshDb();
    await scanMany(db, 4);
    const outcome = await syncOnce({
      db,
      sessionId: SESSION,
      userId: ALICE,
      send: async () => {
        throw Object.assign(new Error('UNAUTHORIZED'), { data: { code: 'UNAUTHORIZED' } });
      },
    });
    expect(outcome.status).toBe('login_needed');
    expect(await pendingCount(db, SESSION)).toBe(4);
  });

  it('after a close, marks what the server had stored as synced and every other scan as not counted, batch after batch', async () => {
    const db = freshDb();
    await scanMany(db, 5);
    const scans = await sessionScans(db, SESSION);
    // The server had stored the 1st and the 4th before the close (an answer lost): it acknowledges them when they come.
    const storedBeforeClose = new Set([scans[0]!.id, scans[3]!.id]);
    const batches: string[][] = [];
    const outcome = await syncOnce({
      db,
      sessionId: SESSION,
      userId: ALICE,
      batchSize: 2,
      send: async (request) => {
        batches.push(request.entries.map((e) => e.id));
        const acknowledged = request.entries.filter((e) => storedBeforeClose.has(e.id)).map((e) => e.id);
        throw Object.assign(new Error('closed'), { data: { code: 'PRECONDITION_FAILED', reason: 'session_closed', details: { acknowledged } } });
      },
    });
    expect(outcome.status).toBe('session_closed');
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(await pendingCount(db, SESSION)).toBe(0);
    const after = await sessionScans(db, SESSION);
    expect(after.map((s) => [s.status, s.rejectReason ?? null])).toEqual(
      scans.map((s) => (storedBeforeClose.has(s.id) ? ['synced', null] : ['rejected', 'session_closed'])),
    );
  });

});

describe('backoff', () => {
  it('grows exponentially with jitter and is capped', () => {
    const opts = { baseMs: 1000, maxMs: 30_000 };
    expect(backoffDelay(0, opts, () => 0)).toBe(500);
    expect(backoffDelay(0, opts, () => 1)).toBe(1000);
    expect(backoffDelay(3, opts, () => 1)).toBe(8000);
    expect(backoffDelay(3, opts, () => 0)).toBe(4000);
    expect(backoffDelay(20, opts, () => 1)).toBe(30_000);
  });

  it('classifies network errors as retryable and auth errors as login needed', () => {
    expect(classifySyncError(new TypeError('Failed to fetch')).kind).toBe('retry');
    expect(classifySyncError({ message: 'x', data: { code: 'UNAUTHORIZED' } }).kind).toBe('unauthorized');
  });

  it('reads a closed receipt as a closed log, with what the server had taken', () => {
    const failure = classifySyncError({ message: 'x', data: { code: 'PRECONDITION_FAILED', reason: 'receipt_closed', details: { acknowledged: ['a'] } } });
    expect(failure).toMatchObject({ kind: 'session_closed', acknowledged: ['a'] });
  });

  it('tells a tablet refused as another device (it must be released) from one not assigned', () => {
    expect(classifySyncError({ message: 'x', data: { code: 'FORBIDDEN', reason: 'device_secret_mismatch' } }).kind).toBe('device_refused');
    expect(classifySyncError({ message: 'x', data: { code: 'FORBIDDEN', reason: 'not_assigned' } }).kind).toBe('forbidden');
  });

  it('stops on a batch the server cannot read (an app older or newer than the server) instead of retrying it forever', () => {
    expect(classifySyncError({ message: 'x', data: { code: 'BAD_REQUEST', reason: 'invalid_input' } }).kind).toBe('update_needed');
  });

  it('retries a failing send after growing delays, then syncs', async () => {
    const db = freshDb();
    const server = fakeServer();
    await scanMany(db, 20);
    let failures = 2;
    const delays: number[] = [];
    const loop = new SyncLoop({
      db,
      sessionId: SESSION,
      userId: ALICE,
      backoff: { baseMs: 10, maxMs: 1000 },
      random: () => 1,
      send: async (r) => {
        if (failures-- > 0) throw new TypeError('Failed to fetch');
        return server.handle(ALICE, r);
      },
      onState: (s) => {
        if (s.phase === 'waiting' && s.retryAt) delays.push(s.attempt);
      },
    });
    loop.start();
    await expect.poll(() => server.stored.size, { timeout: 2000 }).toBe(20);
    loop.stop();
    expect(delays).toEqual([1, 2]);
    expect(loop.current.attempt).toBe(0);
    expect(await pendingCount(db, SESSION)).toBe(0);
  });
});
