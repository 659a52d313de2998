import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerAs, codeOf, createOrgFixture, createTestServices, testEan, type OrgFixture } from '../../../tests/helpers/harness';
import { makePhotoJpeg, startOpenFoodFactsStandIn, type ImageKind } from '../../../tests/helpers/openfoodfacts-standin';
import { pipelineEnv, startOpenAIStandIn } from '../../../tests/helpers/openai-standin';
import { until } from '../../../tests/helpers/until';
import { deadLetterQueue, eventLog, openaiUsage, products } from '~/server/db/schema';
import { queueNames } from '~/server/queues/definitions';
import { startWorkers, type WorkerRuntime } from '~/server/runtime/workers';
import type { Services } from '~/server/services';
import { photoKeys } from './keys';

/**
 * The image pipeline with the real workers, BullMQ, sharp, storage and the real `openai` client, against the
 * Open Food Facts and OpenAI stand-ins: a found product ends approved with its photo stored upright and without
 * metadata; every hostile or broken input ends in review with its reason, nothing half-written, the worker up.
 */
let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let off: Awaited<ReturnType<typeof startOpenFoodFactsStandIn>>;
let openai: Awaited<ReturnType<typeof startOpenAIStandIn>>;
let runtime: WorkerRuntime;
let next = 100;

beforeAll(async () => {
  off = await startOpenFoodFactsStandIn();
  openai = await startOpenAIStandIn();
  ({ services, close } = await createTestServices({
    ...pipelineEnv(off, openai),
    OPENFOODFACTS_TIMEOUT_MS: '1000',
    OPENFOODFACTS_RETRIES: '0',
    IMAGE_DOWNLOAD_TIMEOUT_MS: '2000',
    OPENAI_TIMEOUT_MS: '2000',
  }));
  org = await createOrgFixture(services, 'images');
  runtime = await startWorkers(services);
});
afterAll(async () => {
  await runtime?.stop(5000);
  await close();
  await off.close();
  await openai.close();
});

/** A product created as a buyer does (its event → the images consumer → a job); its EAN known to OFF as `found`. */
async function createProduct(name: string, found?: Parameters<typeof off.addProduct>[1]) {
  const ean = testEan('images', next++);
  if (found) off.addProduct(ean, found);
  const buyer = await callerAs(services, org, 'buyer');
  return buyer.products.create({ ean, name });
}

const settled = (productId: string) =>
  until(async () => {
    const [row] = await services.db.select().from(products).where(eq(products.id, productId));
    return row && row.imageStatus !== 'processing' && row.imageStatus !== 'pending' ? row : null;
  }, 20_000);

describe('a product Open Food Facts knows', () => {
  it('is completed (brand, category), its photo stored upright without metadata in three sizes, scored and approved', async () => {
    const product = await createProduct('Arroz Tipo 1', { name: 'Arroz Agulhinha', brand: 'Camil, Camil Alimentos', categories: 'Alimentos, Cereais, en:Arroz', quantity: '5 kg' });
    const row = await settled(product.id);
    expect(row).toMatchObject({ imageStatus: 'approved', imageReviewReason: null, imageSource: 'openfoodfacts', brand: 'Camil', category: 'Arroz', name: 'Arroz Tipo 1' });
    expect(row.imageScore).toBeCloseTo(0.92);
    // OFF was asked as it asks to be: a User-Agent naming the app and a contact.
    expect(off.userAgents.at(-1)).toMatch(/^MyInventory\/[\d.]+ \(.+\)$/);
    // The scorer saw the 512 px WebP and the product's name, brand and size.
    expect(openai.lastImages[0]).toMatchObject({ mime: 'image/webp', format: 'webp' });
    expect(JSON.stringify(openai.lastRequest)).toContain('Arroz Tipo 1');
    expect(JSON.stringify(openai.lastRequest)).toContain('5 kg');

    const files = photoKeys(row.imageKey!);
    const original = await services.storage.get(files.original);
    const large = await services.storage.get(files.large);
    const thumb = await services.storage.get(files.thumb);
    // The stand-in's photo is stored sideways (800 × 600, EXIF orientation 6, GPS): upright it is 600 × 800.
    const originalMeta = await sharp(original!.body).metadata();
    expect([originalMeta.width, originalMeta.height, originalMeta.format]).toEqual([600, 800, 'jpeg']);
    expect(originalMeta.exif).toBeUndefined();
    expect(originalMeta.orientation ?? 1).toBe(1);
    expect(await sharp(large!.body).metadata()).toMatchObject({ format: 'webp', height: 512, width: 384 });
    expect(await sharp(thumb!.body).metadata()).toMatchObject({ format: 'webp', height: 128, width: 96 });

    const [usage] = await services.db.select().from(openaiUsage).where(eq(openaiUsage.orgId, org.org.id));
    expect(usage!.calls).toBeGreaterThanOrEqual(1);
    expect(usage!.promptTokens).toBeGreaterThan(0);
    const events = await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, product.id), eq(eventLog.type, 'image.processed')));
    expect(events.map((e) => (e.payload as { status: string }).status)).toEqual(['approved']);
  });

  it('keeps what the person typed: only empty fields are filled', async () => {
    const ean = testEan('images', next++);
    off.addProduct(ean, { name: 'Feijão', brand: 'Kicaldo', categories: 'Feijões' });
    const buyer = await callerAs(services, org, 'buyer');
    const product = await buyer.products.create({ ean, name: 'Feijão Carioca', brand: 'Marca da Loja' });
    expect(await settled(product.id)).toMatchObject({ brand: 'Marca da Loja', category: 'Feijões' });
  });

  it('goes to review with the scorer\'s reasons when the score is low', async () => {
    openai.setVerdict((input) => (input.text.includes('Errado') ? { score: 0.3, matches: false, reasons: ['A embalagem é de outro produto'] } : {}));
    const product = await createProduct('Produto Errado', { name: 'Outro' });
    expect(await settled(product.id)).toMatchObject({ imageStatus: 'manual_review', imageReviewReason: 'low_score', imageReasons: ['A embalagem é de outro produto'] });
    openai.setVerdict({});
  });
});

describe('hostile and broken inputs end in review with their reason, nothing half-written, the worker up', () => {
  const cases: { label: string; kind: ImageKind | null; reason: string }[] = [
    { label: 'an OFF answer without an image', kind: null, reason: 'no_image' },
    { label: 'a 50 MB download', kind: 'huge', reason: 'image_too_large' },
    { label: 'a 50 MB download without Content-Length', kind: 'huge-no-length', reason: 'image_too_large' },
    { label: 'an HTML page served as image/jpeg', kind: 'html', reason: 'image_invalid' },
    { label: 'a 20,000 × 20,000 px PNG (decompression bomb)', kind: 'bomb', reason: 'image_too_large' },
  ];
  for (const c of cases) {
    it(c.label, async () => {
      const product = await createProduct(`Hostil ${c.kind}`, { name: 'X', image: c.kind });
      const row = await settled(product.id);
      expect(row).toMatchObject({ imageStatus: 'manual_review', imageReviewReason: c.reason, imageKey: null });
      expect(row.imageReasons.length).toBeGreaterThan(0);
    });
  }

  it('an EAN Open Food Facts does not know', async () => {
    const product = await createProduct('Produto Local');
    expect(await settled(product.id)).toMatchObject({ imageStatus: 'manual_review', imageReviewReason: 'not_found', imageKey: null });
  });

  it('an Open Food Facts answer that is not its format: the product is kept as typed', async () => {
    off.fail('malformed', { count: 1 });
    const product = await createProduct('Produto Malformado', { name: 'X', brand: 'Y' });
    expect(await settled(product.id)).toMatchObject({ imageStatus: 'manual_review', imageReviewReason: 'not_found', brand: null });
  });

  it('an OpenAI answer that fails the schema', async () => {
    openai.fail('malformed', { count: 1 });
    const product = await createProduct('Resposta Estranha', { name: 'X' });
    const row = await settled(product.id);
    expect(row).toMatchObject({ imageStatus: 'manual_review', imageReviewReason: 'scoring_invalid' });
    // The photo was stored and waits for a person.
    expect(await services.storage.get(photoKeys(row.imageKey!).thumb)).not.toBeNull();
  });

  it('an OpenAI body that is not JSON', async () => {
    openai.fail('not-json', { count: 1, contentType: 'text/html' });
    const product = await createProduct('Resposta HTML', { name: 'X' });
    expect(await settled(product.id)).toMatchObject({ imageStatus: 'manual_review', imageReviewReason: 'scoring_invalid' });
  });

  it('none of them reached the dead-letter queue, and the worker still approves the next product', async () => {
    const product = await createProduct('Depois de tudo', { name: 'X' });
    expect(await settled(product.id)).toMatchObject({ imageStatus: 'approved' });
    expect(await services.db.$count(deadLetterQueue, eq(deadLetterQueue.sourceQueue, queueNames.images))).toBe(0);
  });
});

describe('the daily token budget', () => {
  it('past it the photo waits in review (budget_exceeded) without calling OpenAI', async () => {
    const day = new Date().toISOString().slice(0, 10);
    await services.db
      .insert(openaiUsage)
      .values({ orgId: org.org.id, day, calls: 1, promptTokens: services.env.OPENAI_DAILY_TOKEN_BUDGET, completionTokens: 0 })
      .onConflictDoUpdate({ target: [openaiUsage.orgId, openaiUsage.day], set: { promptTokens: services.env.OPENAI_DAILY_TOKEN_BUDGET } });
    const calls = openai.calls;
    const product = await createProduct('Sem Orçamento', { name: 'X' });
    expect(await settled(product.id)).toMatchObject({ imageStatus: 'manual_review', imageReviewReason: 'budget_exceeded' });
    expect(openai.calls).toBe(calls);
    await services.db.delete(openaiUsage).where(eq(openaiUsage.orgId, org.org.id));
  });
});

describe('scoring switched off (feature flag imageScoring)', () => {
  it('sends the photo to review (scoring_off) without calling OpenAI; switched on again, the next product is scored', async () => {
    const admin = await callerAs(services, org, 'admin');
    await admin.admin.flags.set({ flag: 'imageScoring', storeId: null, enabled: false });
    const calls = openai.calls;
    const off1 = await createProduct('Sem Análise', { name: 'X' });
    expect(await settled(off1.id)).toMatchObject({ imageStatus: 'manual_review', imageReviewReason: 'scoring_off' });
    expect(openai.calls).toBe(calls);
    await admin.admin.flags.set({ flag: 'imageScoring', storeId: null, enabled: null });
    const on = await createProduct('Com Análise', { name: 'X' });
    await settled(on.id);
    expect(openai.calls).toBeGreaterThan(calls);
  });
});

describe('manual review', () => {
  it('approve, reject and replace: idempotent, guarded against a photo that changed, other orgs see nothing', async () => {
    openai.setVerdict({ score: 0.4 });
    const a = await createProduct('Revisar A', { name: 'X' });
    const b = await createProduct('Revisar B', { name: 'X' });
    const rowA = await settled(a.id);
    await settled(b.id);
    openai.setVerdict({});
    const buyer = await callerAs(services, org, 'buyer');
    const queue = await buyer.images.reviewQueue({ limit: 200 });
    const itemA = queue.items.find((i) => i.id === a.id)!;
    const itemB = queue.items.find((i) => i.id === b.id)!;
    expect(itemA).toMatchObject({ imageReviewReason: 'low_score', imageScore: 0.4 });
    expect(itemA.photoId).toBe(rowA.imageKey!.split('/').at(-1));

    expect(await buyer.images.approve({ productId: a.id, photoId: itemA.photoId! })).toMatchObject({ status: 'approved' });
    expect(await buyer.images.approve({ productId: a.id, photoId: itemA.photoId! })).toMatchObject({ status: 'approved' });
    expect((await buyer.products.byId({ id: a.id })).photoId).toBe(itemA.photoId);

    // A clerk may not; another org's buyer gets NOT_FOUND.
    const clerk = await callerAs(services, org, 'clerk');
    expect(await codeOf(clerk.images.reject({ productId: b.id, photoId: itemB.photoId! }))).toBe('FORBIDDEN');
    const other = await createOrgFixture(services, 'images-other');
    const otherBuyer = await callerAs(services, other, 'buyer');
    expect(await codeOf(otherBuyer.images.reject({ productId: b.id, photoId: itemB.photoId! }))).toBe('NOT_FOUND');
    expect((await otherBuyer.images.reviewQueue({ limit: 200 })).items).toEqual([]);

    // Replace B with a photo taken on the tablet: stored once however often the upload is retried.
    const photo = (await makePhotoJpeg()).toString('base64');
    const photoId = crypto.randomUUID();
    const replaced = await buyer.images.replacePhoto({ productId: b.id, photoId, photo });
    expect(replaced).toMatchObject({ status: 'approved', photoId });
    expect(await buyer.images.replacePhoto({ productId: b.id, photoId, photo })).toMatchObject({ status: 'approved', photoId });
    const rowB = (await services.db.select().from(products).where(eq(products.id, b.id)))[0]!;
    expect(rowB).toMatchObject({ imageStatus: 'approved', imageSource: 'upload' });
    expect(rowB.imageKey).toBe(`products/${org.org.id}/${b.id}/${photoId}`);
    // The pipeline's candidate it replaced is gone from storage.
    expect(await services.storage.get(photoKeys(`products/${org.org.id}/${b.id}/${itemB.photoId}`).thumb)).toBeNull();
    // The photo the reviewer saw is no longer B's: deciding on it is a conflict, not a silent change.
    expect(await codeOf(buyer.images.reject({ productId: b.id, photoId: itemB.photoId! }))).toBe('CONFLICT');

    // Not an image: refused, nothing changed.
    const html = Buffer.from('<html><body>not a photo</body></html>').toString('base64');
    expect(await codeOf(buyer.images.replacePhoto({ productId: b.id, photoId: crypto.randomUUID(), photo: html }))).toBe('BAD_REQUEST');
    expect((await services.db.select({ key: products.imageKey }).from(products).where(eq(products.id, b.id)))[0]!.key).toBe(rowB.imageKey);
  });
});

describe('Open Food Facts lookups', () => {
  it('are spaced to OPENFOODFACTS_MAX_PER_MINUTE (a person\'s prefill is not)', async () => {
    const { createOpenFoodFacts } = await import('../integrations/openfoodfacts/client');
    const client = createOpenFoodFacts({ baseUrl: off.url, userAgent: 'test', maxPerMinute: 600, integration: services.integrations.get('openfoodfacts')! });
    const from = off.apiCallTimes.length;
    await Promise.all(Array.from({ length: 5 }, (_, i) => client.lookup(testEan('images', 900 + i))));
    const times = off.apiCallTimes.slice(from);
    expect(times).toHaveLength(5);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(90);
    const interactiveFrom = off.apiCallTimes.length;
    await Promise.all(Array.from({ length: 5 }, (_, i) => client.lookup(testEan('images', 950 + i), { interactive: true })));
    const interactive = off.apiCallTimes.slice(interactiveFrom);
    expect(interactive.at(-1)! - interactive[0]!).toBeLessThan(90);
  });
});

describe('products from before the pipeline', () => {
  it('an admin sends them through it: each once, however often asked', async () => {
    const own = await createOrgFixture(services, 'images-backfill');
    const ean = testEan('images-backfill', 50);
    off.addProduct(ean, { name: 'Antigo', brand: 'Marca' });
    await services.db.insert(products).values({ orgId: own.org.id, ean, name: 'Produto antigo' });
    const admin = await callerAs(services, own, 'admin');
    expect((await admin.images.usage()).counts.pending).toBe(4); // the fixture's three and this one
    const [first, second] = await Promise.all([admin.images.findMissing(), admin.images.findMissing()]);
    expect(first.sent + second.sent).toBe(4);
    expect((await admin.images.findMissing()).sent).toBe(0);
    const [row] = await services.db.select({ id: products.id }).from(products).where(and(eq(products.orgId, own.org.id), eq(products.ean, ean)));
    expect(await settled(row!.id)).toMatchObject({ imageStatus: 'approved', brand: 'Marca' });
    expect((await admin.images.usage()).counts.pending).toBe(0);
  });
});
