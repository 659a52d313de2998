import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BOMB_SIDE, HUGE_BYTES, type OpenFoodFactsStandIn, startOpenFoodFactsStandIn } from './openfoodfacts-standin';
import { type OpenAIStandIn, startOpenAIStandIn } from './openai-standin';

const verdictSchema = z.object({ matches: z.boolean(), usable: z.boolean(), score: z.number().min(0).max(1), reasons: z.array(z.string()) });

/** The request the image scorer makes: a system prompt, the product's text and its image as a WebP data URL. */
async function score(client: OpenAI, productName: string) {
  const webp = await sharp({ create: { width: 512, height: 384, channels: 3, background: '#c84' } }).webp().toBuffer();
  return client.chat.completions.parse({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Você avalia se a foto corresponde ao produto.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: `Produto: ${productName}; marca: Casa Verde` },
          { type: 'image_url', image_url: { url: `data:image/webp;base64,${webp.toString('base64')}`, detail: 'low' } },
        ],
      },
    ],
    response_format: zodResponseFormat(verdictSchema, 'verdict'),
  });
}

/** The tags of a little-endian EXIF block's first IFD (sharp's `exif` starts with "Exif\0\0", then the TIFF header). */
function ifd0Tags(exif: Buffer) {
  const tiff = exif.subarray(6);
  const ifd = tiff.readUInt32LE(4);
  return Array.from({ length: tiff.readUInt16LE(ifd) }, (_, i) => tiff.readUInt16LE(ifd + 2 + i * 12));
}

async function failureOf(promise: Promise<unknown>) {
  return promise.then(
    () => expect.unreachable('should have failed'),
    (e: unknown) => e,
  );
}

describe('OpenAI stand-in', () => {
  let ai: OpenAIStandIn;
  let client: OpenAI;
  beforeAll(async () => {
    ai = await startOpenAIStandIn();
    client = new OpenAI({ apiKey: 'test', baseURL: `${ai.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => ai.close());

  it('answers a chat completion the real client parses, with the verdict the test chose', async () => {
    const completion = await score(client, 'Café Torrado');
    expect(completion.choices[0]!.message.parsed).toEqual({ matches: true, usable: true, score: 0.92, reasons: expect.any(Array) });
    expect(completion.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    expect(ai.lastRequest?.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'verdict', strict: true } });
    expect(ai.lastImages).toEqual([expect.objectContaining({ mime: 'image/webp', format: 'webp', width: 512, height: 384 })]);

    ai.setVerdict(({ text }) => (text.includes('errado') ? { matches: false, score: 0.2, reasons: ['Produto diferente do cadastro'] } : {}));
    expect((await score(client, 'Produto errado')).choices[0]!.message.parsed).toMatchObject({ matches: false, score: 0.2 });
    expect((await score(client, 'Café Torrado')).choices[0]!.message.parsed).toMatchObject({ score: 0.92 });
    ai.setVerdict({});
  });

  it('maps each failure to the error the client throws', async () => {
    const callsBefore = ai.calls;
    ai.fail('503', { count: 1 });
    expect(await failureOf(score(client, 'x'))).toBeInstanceOf(OpenAI.InternalServerError);
    ai.fail('500', { count: 1 });
    expect(await failureOf(score(client, 'x'))).toBeInstanceOf(OpenAI.InternalServerError);
    ai.fail('429', { count: 1, retryAfter: 2 });
    const limited = await failureOf(score(client, 'x'));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('2');
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    ai.fail('401', { count: 1 });
    expect(await failureOf(score(client, 'x'))).toBeInstanceOf(OpenAI.AuthenticationError);
    // Not OpenAI errors: a schema-breaking answer fails in zod's parse, a body that is not JSON in JSON.parse.
    ai.fail('malformed', { count: 1 });
    expect(await failureOf(score(client, 'x'))).toBeInstanceOf(z.ZodError);
    ai.fail('not-json', { count: 1 });
    expect(await failureOf(score(client, 'x'))).toBeInstanceOf(SyntaxError);
    // Sent as text/html, create() resolves to the HTML string and parse() trips over its missing `choices`.
    ai.fail('not-json', { count: 1, contentType: 'text/html' });
    expect(await failureOf(score(client, 'x'))).toBeInstanceOf(TypeError);
    expect(ai.calls - callsBefore).toBe(7);
    expect(await score(client, 'x')).toBeTruthy(); // counts spent: answering again
  });

  it('hangs on timeout until the client gives up, and close() ends the hung request', async () => {
    ai.fail('timeout');
    const started = Date.now();
    expect(await failureOf(score(new OpenAI({ apiKey: 'test', baseURL: `${ai.url}/v1`, maxRetries: 0, timeout: 300 }), 'x'))).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    ai.recover();

    const other = await startOpenAIStandIn();
    other.fail('timeout');
    const hung = failureOf(score(new OpenAI({ apiKey: 'test', baseURL: `${other.url}/v1`, maxRetries: 0 }), 'x'));
    await expect.poll(() => other.calls).toBe(1);
    await other.close();
    expect(await hung).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('delays its answers and records when each call came', async () => {
    ai.setDelay(200);
    const started = Date.now();
    await score(client, 'x');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    ai.setDelay(0);
    expect(ai.callTimes.at(-1)).toBeGreaterThanOrEqual(started);
  });
});

describe('Open Food Facts stand-in', () => {
  let off: OpenFoodFactsStandIn;
  const userAgent = 'MyInventory/0.1 (dev@myinventory.test)';
  const get = (path: string) => fetch(`${off.url}${path}`, { headers: { 'user-agent': userAgent } });
  beforeAll(async () => {
    off = await startOpenFoodFactsStandIn();
  });
  afterAll(() => off.close());

  it('answers a known product with only the requested fields, an unknown one with 404, and records the User-Agent', async () => {
    off.addProduct('7891000100103', { name: 'Café Torrado', brand: 'Casa Verde', quantity: '500 g' });
    const found = await get('/api/v2/product/7891000100103?fields=product_name,brands,image_front_url');
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({
      code: '7891000100103',
      status: 1,
      status_verbose: 'product found',
      product: { product_name: 'Café Torrado', brands: 'Casa Verde', image_front_url: `${off.url}/images/photo.jpg?code=7891000100103` },
    });
    const missing = await get('/api/v2/product/7891000100110?fields=product_name');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: '7891000100110', status: 0, status_verbose: 'product not found' });
    expect(off.userAgents.slice(-2)).toEqual([userAgent, userAgent]);
    expect(off.apiCalls).toBe(2);
  });

  it('finds every 13-digit code when asked to, with a photo on the same server', async () => {
    const every = await startOpenFoodFactsStandIn({ everyEanFound: true });
    const body = (await (await fetch(`${every.url}/api/v2/product/7890000012345`)).json()) as { product: Record<string, string> };
    expect(body.product).toMatchObject({ product_name: expect.any(String), brands: expect.any(String), image_front_url: `${every.url}/images/photo.jpg?code=7890000012345` });
    expect((await fetch(body.product.image_front_url!)).headers.get('content-type')).toBe('image/jpeg');
    expect((await fetch(`${every.url}/api/v2/product/12345678`)).status).toBe(404);
    await every.close();
  });

  it('serves a photo with EXIF orientation 6 and a GPS position', async () => {
    const photo = Buffer.from(await (await fetch(off.imageUrl('photo'))).arrayBuffer());
    const meta = await sharp(photo).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 800, height: 600, orientation: 6 });
    expect(ifd0Tags(meta.exif!)).toContain(0x8825); // the GPS IFD pointer
    // Upright (orientation applied) the red marker is at the top left.
    const { data, info } = await sharp(photo).rotate().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([600, 800]);
    expect(data[0]).toBeGreaterThan(180);
    expect(data[1]).toBeLessThan(60);
  });

  it('serves the decompression bomb, the 50 MB bodies and HTML sent as image/jpeg', async () => {
    const bomb = Buffer.from(await (await fetch(off.imageUrl('bomb'))).arrayBuffer());
    expect(bomb.length).toBeLessThan(64 * 1024);
    await expect(sharp(bomb).metadata()).rejects.toThrow(/pixel limit/); // sharp's default limit already refuses it
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ format: 'png', width: BOMB_SIDE, height: BOMB_SIDE });

    for (const kind of ['huge', 'huge-no-length'] as const) {
      const res = await fetch(off.imageUrl(kind));
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('content-length')).toBe(kind === 'huge' ? String(HUGE_BYTES) : null);
      // Counted as it streams, not held: the stand-in must not need 50 MB per request, nor must this test.
      const reader = res.body!.getReader();
      let bytes = 0;
      for (let read = await reader.read(); !read.done; read = await reader.read()) bytes += read.value.length;
      expect(bytes).toBe(HUGE_BYTES);
    }

    const html = await fetch(off.imageUrl('html'));
    expect(html.headers.get('content-type')).toBe('image/jpeg');
    expect(await html.text()).toMatch(/^<!DOCTYPE html>/);
  });

  it('sends the slow photo’s headers at once and its body after the delay', async () => {
    off.setSlowImageDelay(300);
    const started = Date.now();
    const res = await fetch(off.imageUrl('slow'));
    expect(Date.now() - started).toBeLessThan(250);
    await res.arrayBuffer();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('fails, delays and hangs on command; close() ends hung requests', async () => {
    off.fail('503', { count: 1 });
    expect((await get('/api/v2/product/7891000100103')).status).toBe(503);
    expect((await get('/api/v2/product/7891000100103')).status).toBe(200);
    off.fail('429', { count: 1, retryAfter: 30 });
    expect((await get('/api/v2/product/7891000100103')).headers.get('retry-after')).toBe('30');
    off.fail('malformed', { count: 1 });
    expect(await (await get('/api/v2/product/7891000100103')).json()).toMatchObject({ status: 1, product: { product_name: 42 } });
    off.fail('not-json', { count: 1 });
    await expect((await get('/api/v2/product/7891000100103')).json()).rejects.toThrow(SyntaxError);
    off.fail('500', { on: 'images' });
    expect((await fetch(off.imageUrl('photo'))).status).toBe(500);
    off.recover();
    expect((await fetch(off.imageUrl('photo'))).status).toBe(200);

    off.setDelay(200);
    let started = Date.now();
    await get('/api/v2/product/7891000100103');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    off.setDelay(0);
    off.setImageDelay(200);
    started = Date.now();
    await fetch(off.imageUrl('photo'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    off.setImageDelay(0);

    off.fail('timeout');
    await expect(fetch(`${off.url}/api/v2/product/7891000100103`, { signal: AbortSignal.timeout(200) })).rejects.toThrow(/timeout|aborted/i);
    const other = await startOpenFoodFactsStandIn();
    other.fail('timeout');
    const hung = fetch(`${other.url}/api/v2/product/7891000100103`);
    const streaming = await fetch(other.imageUrl('huge-no-length'));
    await expect.poll(() => other.apiCalls).toBe(1);
    await other.close();
    await expect(hung).rejects.toThrow();
    await expect(streaming.arrayBuffer()).rejects.toThrow();
  });
});
