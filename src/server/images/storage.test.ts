import { and, eq, inArray } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerAs, createOrgFixture, createTestServices, testEan, type OrgFixture } from '../../../tests/helpers/harness';
import { startOpenFoodFactsStandIn } from '../../../tests/helpers/openfoodfacts-standin';
import { pipelineEnv, startOpenAIStandIn } from '../../../tests/helpers/openai-standin';
import { startS3StandIn } from '../../../tests/helpers/s3-standin';
import { until } from '../../../tests/helpers/until';
import { photoUrl } from '~/lib/photos';
import { deadLetterQueue, products } from '~/server/db/schema';
import { createAppServer } from '~/server/http/server';
import { queueNames } from '~/server/queues/definitions';
import { startWorkers, type WorkerRuntime } from '~/server/runtime/workers';
import type { Services } from '~/server/services';

/**
 * Photos in an S3-compatible bucket (the real @aws-sdk/client-s3 against s3rver behind a proxy that fails on
 * command): storage down makes the pipeline's jobs wait (delayed, never dead-lettered) until it is back; photos are
 * served through our server to the caller's org only, cacheable, and a revoked session gets 401, not a photo.
 */
const HALF_OPEN_MS = 1_000;

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let other: OrgFixture;
let off: Awaited<ReturnType<typeof startOpenFoodFactsStandIn>>;
let openai: Awaited<ReturnType<typeof startOpenAIStandIn>>;
let s3: Awaited<ReturnType<typeof startS3StandIn>>;
let runtime: WorkerRuntime;
let app: ReturnType<typeof createAppServer>;
let baseUrl: string;

beforeAll(async () => {
  off = await startOpenFoodFactsStandIn({ everyEanFound: true });
  openai = await startOpenAIStandIn();
  s3 = await startS3StandIn();
  ({ services, close } = await createTestServices({
    ...pipelineEnv(off, openai),
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.url,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    STORAGE_HALF_OPEN_AFTER_MS: String(HALF_OPEN_MS),
    STORAGE_TIMEOUT_MS: '2000',
  }));
  org = await createOrgFixture(services, 'photo-store');
  other = await createOrgFixture(services, 'photo-store-other');
  runtime = await startWorkers(services);
  app = createAppServer({ services });
  baseUrl = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app?.shutdown(2000);
  await runtime?.stop(5000);
  await close();
  await Promise.all([off.close(), openai.close(), s3.close()]);
});

const cookie = (f: OrgFixture, role: keyof OrgFixture['secrets']) => ({ cookie: `mi_session=${f.secrets[role]}` });

describe('storage down', () => {
  it('the pipeline waits for it (no dead letter), then stores the photos when it is back', async () => {
    const storage = services.integrations.get('storage')!;
    s3.failAlways('unavailable');
    const buyer = await callerAs(services, org, 'buyer');
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => buyer.products.create({ ean: testEan('photo-store', 100 + i), name: `Produto ${i}` })));
    const ids = created.map((p) => p.id);
    await until(async () => (storage.status().state === 'open' ? true : null), 20_000);
    await new Promise((r) => setTimeout(r, 3 * HALF_OPEN_MS));
    const waiting = await services.db.select({ status: products.imageStatus }).from(products).where(inArray(products.id, ids));
    expect(waiting.every((p) => p.status === 'processing')).toBe(true);
    expect(await services.db.$count(deadLetterQueue, eq(deadLetterQueue.sourceQueue, queueNames.images))).toBe(0);

    s3.failAlways(null);
    await until(async () => ((await services.db.$count(products, and(inArray(products.id, ids), eq(products.imageStatus, 'approved')))) === ids.length ? true : null), 30_000);
    expect(storage.status().state).toBe('closed');
    expect(await services.db.$count(deadLetterQueue, eq(deadLetterQueue.sourceQueue, queueNames.images))).toBe(0);
  });
});

describe('GET /api/images/products/…', () => {
  it('serves the caller\'s org\'s photos, cacheable and revalidated by ETag; 404 to another org; 401 signed out', async () => {
    const buyer = await callerAs(services, org, 'buyer');
    const product = await buyer.products.create({ ean: testEan('photo-store', 200), name: 'Com foto' });
    await until(async () => {
      const [row] = await services.db.select().from(products).where(eq(products.id, product.id));
      return row?.imageStatus === 'approved' ? row : null;
    }, 20_000);
    const { photoId } = await buyer.products.byId({ id: product.id });
    expect(photoId).toBeTruthy();
    const url = `${baseUrl}${photoUrl(product.id, photoId, 'thumb')}`;

    const res = await fetch(url, { headers: cookie(org, 'clerk') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const body = Buffer.from(await res.arrayBuffer());
    expect((await sharp(body).metadata()).format).toBe('webp');
    const etag = res.headers.get('etag')!;
    const again = await fetch(url, { headers: { ...cookie(org, 'clerk'), 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);

    expect((await fetch(`${baseUrl}${photoUrl(product.id, photoId, 'large')}`, { headers: cookie(org, 'clerk') })).status).toBe(200);
    expect((await fetch(`${baseUrl}${photoUrl(product.id, photoId, 'original')}`, { headers: cookie(org, 'clerk') })).headers.get('content-type')).toBe('image/jpeg');
    // Another org's member, with the exact address: as if it did not exist.
    expect((await fetch(url, { headers: cookie(other, 'admin') })).status).toBe(404);
    // Signed out, or with the ETag it holds: 401 before anything else, never a 304.
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(401);
    // Addresses that are not a photo's.
    for (const bad of ['../../etc/passwd', `${photoId}/huge`, 'x/y/z']) {
      expect((await fetch(`${baseUrl}/api/images/products/${product.id}/${bad}`, { headers: cookie(org, 'clerk') })).status).toBe(404);
    }
    // Storage down: 503 with Retry-After, not a 500.
    s3.failAlways('unavailable');
    const down = await fetch(`${baseUrl}${photoUrl(product.id, photoId, 'large')}`, { headers: cookie(org, 'clerk') });
    s3.failAlways(null);
    expect([down.status, down.headers.get('retry-after')]).toEqual([503, '10']);
  });
});
