import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isBrokenCircuitError } from 'cockatiel';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startS3StandIn, type S3StandIn } from '../../../tests/helpers/s3-standin';
import { createIntegration, isTimeout, ServiceUnavailableError, type IntegrationSettings } from '../integrations/resilience';
import { createLogger } from '../logger';
import { createFilesystemStore } from './filesystem-store';
import { createS3Store } from './s3-store';
import { createObjectStorage } from './storage';
import { isValidKey, type ObjectStore } from './store';

/**
 * Both stores against the same contract: the filesystem store in a temp directory, the S3 store through the real
 * @aws-sdk/client-s3 against a real S3-compatible server (s3rver) behind a proxy the tests can make fail.
 */

let tmp: string;
let s3: S3StandIn;
let fsRoot: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'storage-test-'));
  fsRoot = path.join(tmp, 'objects');
  s3 = await startS3StandIn();
});
afterAll(async () => {
  await s3?.close();
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(() => s3.reset());

const s3Options = (overrides: Partial<Parameters<typeof createS3Store>[0]> = {}) => ({
  bucket: s3.bucket,
  endpoint: s3.url,
  region: s3.region,
  accessKeyId: s3.accessKeyId,
  secretAccessKey: s3.secretAccessKey,
  forcePathStyle: true,
  ...overrides,
});

const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);
/** A fresh key per test, so tests never see each other's objects. */
const keyOf = (name = '512.webp') => `products/${randomUUID()}/${randomUUID()}/${name}`;

const invalidKeys = [
  '',
  '/products/a.webp',
  '../a.webp',
  'products/../../etc/passwd',
  'products/a..b/1.webp',
  'products//1.webp',
  'products/1.webp/',
  'products/./1.webp',
  '.',
  'products/a b.webp',
  'products\\a.webp',
  'produtos/ção.webp',
  'products/a~1.tmp',
  'products/a\0.webp',
  `products/${'a'.repeat(504)}`, // 513 characters
];

describe('isValidKey', () => {
  it('takes the keys we make and refuses paths that could leave the root or differ between stores', () => {
    expect(isValidKey('products/0f8fad5b-d9cb-469f-a165-70867728950e/7c9e6679-7425-40de-944b-e07fc1f90ae7/512.webp')).toBe(true);
    expect(isValidKey('compliance/2026-01/photo_1.JPG')).toBe(true);
    expect(isValidKey('a'.repeat(512))).toBe(true);
    for (const key of invalidKeys) expect(isValidKey(key), key).toBe(false);
  });
});

type Subject = { name: 'filesystem' | 's3'; store: () => ObjectStore; touched: () => Promise<string> };
const subjects: Subject[] = [
  {
    name: 'filesystem',
    store: () => createFilesystemStore(fsRoot),
    // What the disk holds: nothing may change when a call is refused.
    touched: async () => JSON.stringify(await readdir(tmp, { recursive: true }).catch(() => [])),
  },
  { name: 's3', store: () => createS3Store(s3Options()), touched: async () => String(s3.requests()) },
];

describe.each(subjects)('the $name store', ({ name, store: make, touched }) => {
  let store: ObjectStore;
  beforeAll(() => {
    store = make();
  });

  it('says what it is and is reachable', async () => {
    expect(store.kind).toBe(name);
    await store.check();
  });

  it('gives back what was put: bytes, content type, size and an etag', async () => {
    const key = keyOf();
    const body = Buffer.from('RIFF....WEBPVP8 a product photo');
    await store.put(key, body, 'image/webp');
    const got = await store.get(key);
    expect(got).not.toBeNull();
    expect(got!.body.equals(body)).toBe(true);
    expect(got!.contentType).toBe('image/webp');
    expect(got!.size).toBe(body.length);
    expect(got!.etag).toMatch(/^[0-9a-f]{16,}$/);
    // The same content gives the same etag (a browser's cached copy stays valid).
    expect((await store.get(key))!.etag).toBe(got!.etag);
  });

  it('overwrites an object whole, and its etag changes with its content', async () => {
    const key = keyOf('photo.jpg');
    await store.put(key, Buffer.from('first version'), 'image/jpeg');
    const first = await store.get(key);
    await store.put(key, Buffer.from('second, longer version'), 'image/png');
    const second = await store.get(key);
    expect(second!.body.toString()).toBe('second, longer version');
    expect(second!.contentType).toBe('image/png');
    expect(second!.etag).not.toBe(first!.etag);
    await store.put(key, Buffer.from('first version'), 'image/jpeg');
    expect((await store.get(key))!.etag).toBe(first!.etag);
  });

  it('answers null for an object that is not there, also for a key that is a prefix of one that is', async () => {
    const key = keyOf();
    expect(await store.get(key)).toBeNull();
    await store.put(key, Buffer.from('x'), 'image/webp');
    expect(await store.get(path.posix.dirname(key))).toBeNull();
    expect(await store.get(`${key}.missing`)).toBeNull();
  });

  it('deletes objects; missing ones, repeated ones and an empty list are fine', async () => {
    const [a, b] = [keyOf('a.webp'), keyOf('b.webp')];
    await store.put(a, Buffer.from('a'), 'image/webp');
    await store.put(b, Buffer.from('b'), 'image/webp');
    await store.delete([a, a, keyOf('never-written.webp')]);
    expect(await store.get(a)).toBeNull();
    expect((await store.get(b))!.body.toString()).toBe('b');
    await store.delete([a]);
    await store.delete([]);
  });

  it('refuses an invalid key with a plain Error on every method, before any I/O', async () => {
    const valid = keyOf();
    await store.put(valid, Buffer.from('kept'), 'image/webp');
    const before = await touched();
    for (const key of invalidKeys) {
      for (const call of [
        () => store.put(key, Buffer.from('x'), 'image/webp'),
        () => store.get(key),
        () => store.delete([valid, key]), // the valid key is not deleted either
      ]) {
        const error = await failureOf(call());
        expect(error, key).toBeInstanceOf(Error);
        expect(error, key).not.toBeInstanceOf(ServiceUnavailableError);
        expect((error as Error).message).toMatch(/invalid object key/);
      }
    }
    expect(await touched()).toBe(before);
    expect((await store.get(valid))!.body.toString()).toBe('kept');
  });

  it('keeps every byte value intact, large bodies included', async () => {
    const key = keyOf('blob.bin');
    const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\r\n\0\n'), randomBytes(3 * 1024 * 1024)]);
    await store.put(key, body, 'application/octet-stream');
    const got = await store.get(key);
    expect(got!.size).toBe(body.length);
    expect(got!.body.equals(body)).toBe(true);
    const empty = keyOf('empty.bin');
    await store.put(empty, Buffer.alloc(0), 'application/octet-stream');
    expect((await store.get(empty))!.size).toBe(0);
  });

  it('leaves one whole object when puts of the same key race', async () => {
    const key = keyOf();
    const bodies = Array.from({ length: 12 }, (_, i) => Buffer.alloc(256 * 1024 + i, 65 + i));
    await Promise.all(bodies.map((body, i) => store.put(key, body, `image/x-${i}`)));
    const got = await store.get(key);
    const i = got!.body[0]! - 65;
    expect(got!.body.equals(bodies[i]!)).toBe(true);
    // The content type belongs to the same put as the bytes.
    expect(got!.contentType).toBe(`image/x-${i}`);
  });

  it('honours an aborted signal', async () => {
    const error = await failureOf(store.get(keyOf(), AbortSignal.abort()));
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('the filesystem store', () => {
  const store = () => createFilesystemStore(fsRoot);

  it('keeps objects private to the server user: files 0600, directories 0700', async () => {
    const key = keyOf();
    await store().put(key, Buffer.from('x'), 'image/webp');
    const file = path.join(fsRoot, ...key.split('/'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    for (let dir = path.dirname(file); dir !== tmp; dir = path.dirname(dir)) expect((await stat(dir)).mode & 0o777, dir).toBe(0o700);
  });

  it('keeps the content type and etag across instances (a restart)', async () => {
    const key = keyOf('label.pdf');
    await store().put(key, Buffer.from('%PDF-1.7'), 'application/pdf');
    const [a, b] = [await store().get(key), await createFilesystemStore(`${fsRoot}/`).get(key)];
    expect(b!.contentType).toBe('application/pdf');
    expect(b!.etag).toBe(a!.etag);
  });

  it('never shows a reader a partly written object', async () => {
    const key = keyOf();
    const bodies = [Buffer.alloc(4 * 1024 * 1024, 1), Buffer.alloc(3 * 1024 * 1024, 2)];
    await store().put(key, bodies[0]!, 'image/webp');
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i <= 12; i++) await store().put(key, bodies[i % 2]!, 'image/webp');
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const got = await store().get(key);
      reads++;
      expect(got!.body.equals(bodies[got!.body[0]! - 1]!)).toBe(true);
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
  });

  it('keeps the previous object when a write fails on the disk, and reports the failure as an outage', async () => {
    // A real write failure: a child process whose file size limit (ulimit -f) is below the new body's size gets
    // EFBIG half way through the temp file (Node ignores SIGXFSZ, so the write fails instead of killing it).
    const key = keyOf();
    const previous = Buffer.from('the previous photo');
    await store().put(key, previous, 'image/webp');
    const child = path.join(tmp, 'put-large.mts');
    await writeFile(
      child,
      `import { createFilesystemStore } from ${JSON.stringify(path.resolve(import.meta.dirname, 'filesystem-store.ts'))};
       const store = createFilesystemStore(process.argv[2]);
       try { await store.put(process.argv[3], Buffer.alloc(4_000_000, 7), 'image/png'); console.log('stored'); }
       catch (error) { console.log(error.name + ': ' + error.message); }`,
    );
    const run = spawnSync('sh', ['-c', 'ulimit -f 512 && exec "$0" --import tsx "$@"', process.execPath, child, fsRoot, key], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^ServiceUnavailableError: .*EFBIG/);
    const got = await store().get(key);
    expect(got!.body.equals(previous)).toBe(true);
    expect(got!.contentType).toBe('image/webp');
    // The failed put removed its temp file.
    expect(await readdir(path.dirname(path.join(fsRoot, ...key.split('/'))))).toEqual(['512.webp']);
  });

  it('keeps the previous object when a put is aborted mid-write, and leaves no temp file', async () => {
    const key = keyOf();
    await store().put(key, Buffer.from('before'), 'image/webp');
    const controller = new AbortController();
    const put = store().put(key, Buffer.alloc(64 * 1024 * 1024, 9), 'image/webp', controller.signal);
    setImmediate(() => controller.abort());
    expect(((await failureOf(put)) as Error).name).toBe('AbortError');
    expect((await store().get(key))!.body.toString()).toBe('before');
    expect(await readdir(path.dirname(path.join(fsRoot, ...key.split('/'))))).toEqual(['512.webp']);
  });

  it('refuses to serve a file under the root that it did not write', async () => {
    const key = keyOf('foreign.webp');
    await store().put(key, Buffer.from('ours'), 'image/webp');
    await writeFile(path.join(fsRoot, ...key.split('/')), 'dropped here by hand');
    const error = await failureOf(store().get(key));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toMatch(/not a stored object/);
  });

  it('reports an unusable root as an outage in its check', async () => {
    const file = path.join(tmp, 'not-a-directory');
    await writeFile(file, '');
    expect(await failureOf(createFilesystemStore(path.join(file, 'objects')).check())).toBeInstanceOf(ServiceUnavailableError);
    expect(await failureOf(createFilesystemStore(file).put('a.webp', Buffer.from('x'), 'image/webp'))).toBeInstanceOf(Error);
  });

  it('stores the content type inside the object file, read back only through get', async () => {
    const key = keyOf();
    await store().put(key, Buffer.from('bytes'), 'image/webp');
    const raw = await readFile(path.join(fsRoot, ...key.split('/')));
    expect(raw.toString()).toBe('myinventory-object/1\n{"contentType":"image/webp"}\nbytes');
  });
});

describe('the S3 store against failures of the service', () => {
  const store = () => createS3Store(s3Options());
  const calls = (s: ObjectStore, key: string) => ({
    put: () => s.put(key, Buffer.from('x'), 'image/webp'),
    get: () => s.get(key),
    delete: () => s.delete([key]),
    check: () => s.check(),
  });

  it.each(['unavailable', 'slowdown', 'internal'] as const)('maps %s to ServiceUnavailableError on every call, after one request (the SDK does not retry)', async (fault) => {
    const key = keyOf();
    await store().put(key, Buffer.from('x'), 'image/webp');
    for (const [what, call] of Object.entries(calls(store(), key))) {
      const before = s3.requests();
      s3.failNext(1, fault);
      const error = await failureOf(call());
      expect(error, what).toBeInstanceOf(ServiceUnavailableError);
      expect((error as ServiceUnavailableError).service).toBe('storage');
      expect(s3.requests() - before, what).toBe(1);
    }
    expect((await store().get(key))!.body.toString()).toBe('x'); // the failed delete deleted nothing
  });

  it('maps SlowDown to an outage and names it', async () => {
    s3.failNext(1, 'slowdown');
    expect(((await failureOf(store().get(keyOf()))) as Error).message).toMatch(/SlowDown/);
  });

  it('maps a 403 AccessDenied to a plain Error that points at the configuration', async () => {
    for (const [what, call] of Object.entries(calls(store(), keyOf()))) {
      s3.failNext(1, 'denied');
      const error = await failureOf(call());
      expect(error, what).toBeInstanceOf(Error);
      expect(error, what).not.toBeInstanceOf(ServiceUnavailableError);
      expect((error as Error).message, what).toMatch(/S3_\*/);
      if (what !== 'check') expect((error as Error).message, what).toMatch(/AccessDenied/);
    }
  });

  it("maps the server's own refusals (unknown access key, missing bucket) to plain Errors", async () => {
    const wrongKey = createS3Store(s3Options({ accessKeyId: 'NOT-A-KEY', secretAccessKey: 'nope' }));
    const refused = (await failureOf(wrongKey.get(keyOf()))) as Error;
    expect(refused).not.toBeInstanceOf(ServiceUnavailableError);
    expect(refused.message).toMatch(/InvalidAccessKeyId/);
    const noBucket = createS3Store(s3Options({ bucket: 'no-such-bucket' }));
    for (const [what, call] of Object.entries(calls(noBucket, keyOf()))) {
      const error = (await failureOf(call())) as Error;
      expect(error, what).toBeInstanceOf(Error);
      expect(error, what).not.toBeInstanceOf(ServiceUnavailableError);
      expect(error.message, what).toMatch(what === 'check' ? /does not exist/ : /NoSuchBucket/);
    }
  });

  it('maps a cut connection, a cut body and a refused connection to outages', async () => {
    const key = keyOf();
    await store().put(key, Buffer.alloc(200_000, 3), 'image/webp');
    s3.failNext(1, 'reset');
    expect(await failureOf(store().put(key, Buffer.from('y'), 'image/webp'))).toBeInstanceOf(ServiceUnavailableError);
    s3.failNext(1, 'truncated');
    expect(await failureOf(store().get(key))).toBeInstanceOf(ServiceUnavailableError);
    const nobody = createS3Store(s3Options({ endpoint: 'http://127.0.0.1:1' }));
    expect(await failureOf(nobody.check())).toBeInstanceOf(ServiceUnavailableError);
  });

  it('reads the per-key failures of a DeleteObjects answered 200: a refusal is a plain Error, InternalError an outage', async () => {
    const key = keyOf();
    s3.failNext(1, 'delete-denied');
    const denied = (await failureOf(store().delete([key, keyOf()]))) as Error;
    expect(denied).toBeInstanceOf(Error);
    expect(denied).not.toBeInstanceOf(ServiceUnavailableError);
    expect(denied.message).toMatch(/2 of 2 object.*AccessDenied/);
    s3.failNext(1, 'delete-internal');
    expect(await failureOf(store().delete([key]))).toBeInstanceOf(ServiceUnavailableError);
  });

  it('maps an answer it cannot read to an outage', async () => {
    s3.failNext(1, 'malformed');
    const error = await failureOf(store().delete([keyOf()]));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
  });

  it('gives up on a server that never answers when the signal fires', async () => {
    s3.failAlways('hang');
    const started = Date.now();
    const error = (await failureOf(store().get(keyOf(), AbortSignal.timeout(300)))) as Error;
    expect(error.name).toMatch(/AbortError|TimeoutError/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(s3.requests()).toBeGreaterThan(0);
  });
});

describe('object storage behind the storage integration', () => {
  const settings: IntegrationSettings = {
    timeoutMs: 400,
    retries: 2,
    breakerThreshold: 0.5,
    breakerWindow: 6,
    breakerMinimumCalls: 3,
    halfOpenAfterMs: 60_000,
    concurrency: 4,
    queue: 4,
  };
  const logger = createLogger({ level: 'silent' });
  const storage = (overrides: Partial<IntegrationSettings> = {}) => {
    const integration = createIntegration('storage', { ...settings, ...overrides }, logger);
    return { integration, storage: createObjectStorage(createS3Store(s3Options()), integration) };
  };

  it('is the store itself without an integration', () => {
    const store = createFilesystemStore(fsRoot);
    expect(createObjectStorage(store, undefined)).toBe(store);
  });

  it('retries an outage and succeeds', async () => {
    const { storage: s } = storage();
    const key = keyOf();
    const before = s3.requests();
    s3.failNext(2, 'slowdown');
    await s.put(key, Buffer.from('third time'), 'image/webp');
    expect(s3.requests() - before).toBe(3);
    expect((await s.get(key))!.body.toString()).toBe('third time');
  });

  it('does not retry a refusal, and the breaker does not count it', async () => {
    const { storage: s, integration } = storage();
    s3.failAlways('denied');
    const before = s3.requests();
    for (let i = 0; i < 5; i++) expect(await failureOf(s.get(keyOf()))).not.toBeInstanceOf(ServiceUnavailableError);
    expect(s3.requests() - before).toBe(5);
    expect(integration.status().state).toBe('closed');
  });

  it('opens the breaker when the service stays down, then refuses without a request', async () => {
    const { storage: s, integration } = storage({ retries: 0 });
    s3.failAlways('unavailable');
    for (let i = 0; i < 3; i++) expect(await failureOf(s.check())).toBeInstanceOf(ServiceUnavailableError);
    expect(integration.status().state).toBe('open');
    const before = s3.requests();
    expect(isBrokenCircuitError(await failureOf(s.get(keyOf())))).toBe(true);
    expect(s3.requests()).toBe(before);
  });

  it("cuts an attempt at the integration's time limit (a slow server), retrying it as a timeout", async () => {
    const { storage: s } = storage({ timeoutMs: 200, retries: 1 });
    s3.delay(2_000);
    const before = s3.requests();
    const started = Date.now();
    expect(isTimeout(await failureOf(s.get(keyOf())))).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(s3.requests() - before).toBe(2);
  });

  it("stops at the caller's own signal without counting it against the service", async () => {
    const { storage: s, integration } = storage();
    s3.failAlways('hang');
    const before = s3.requests();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = (await failureOf(s.get(keyOf(), controller.signal))) as Error;
    expect(error.name).toBe('AbortError');
    expect(s3.requests() - before).toBe(1);
    expect(integration.status().state).toBe('closed');
  });

  it('refuses an invalid key without a request', async () => {
    const { storage: s } = storage();
    const before = s3.requests();
    expect(((await failureOf(s.put('../x', Buffer.from('x'), 'image/webp'))) as Error).message).toMatch(/invalid object key/);
    expect(((await failureOf(s.delete(['ok.webp', '/abs']))) as Error).message).toMatch(/invalid object key/);
    expect(s3.requests()).toBe(before);
  });

  it('works the same over the filesystem store', async () => {
    const integration = createIntegration('storage', settings, logger);
    const s = createObjectStorage(createFilesystemStore(fsRoot), integration);
    const key = keyOf();
    await s.check();
    await s.put(key, Buffer.from('on disk'), 'image/webp');
    expect((await s.get(key))!.body.toString()).toBe('on disk');
    await s.delete([key]);
    expect(await s.get(key)).toBeNull();
  });
});
