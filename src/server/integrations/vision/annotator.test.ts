import { isBrokenCircuitError } from 'cockatiel';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '~/env';
import { type TestServiceAccount, writeServiceAccountKey } from '../../../../tests/helpers/service-account';
import { DEFAULT_ANNOTATION, startVisionStandIn, type VisionStandIn } from '../../../../tests/helpers/vision-standin';
import { createLogger } from '../../logger';
import { createIntegrations } from '../registry';
import { createIntegration, type IntegrationSettings, isTimeout, ServiceUnavailableError } from '../resilience';
import { createAnnotator, ImageNotAnnotated, MAX_IMAGES_PER_REQUEST, VisionAnswerInvalid, VisionRefused } from './annotator';

const logger = createLogger({ level: 'silent' });
const settings: IntegrationSettings = {
  timeoutMs: 2_000,
  retries: 2,
  breakerThreshold: 0.5,
  breakerWindow: 6,
  breakerMinimumCalls: 3,
  halfOpenAfterMs: 60_000,
  concurrency: 4,
  queue: 4,
};
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('should have failed'),
    (error: unknown) => error,
  );

/** A small real photo: a PNG of one colour (each colour is other bytes, so another hash for the stand-in). */
const photo = (colour: string, side = 64) => sharp({ create: { width: side, height: side, channels: 3, background: colour } }).png().toBuffer();

let account: TestServiceAccount;
let vision: VisionStandIn;
const open: { close(): Promise<void> }[] = [];

/** The real client against the stand-in, through a fresh policy (a breaker of its own). */
function annotatorWith(overrides: Partial<IntegrationSettings> = {}, keyFile = account.path) {
  const integration = createIntegration('vision', { ...settings, ...overrides }, logger);
  const annotator = createAnnotator({ keyFile, endpoint: vision.url, integration });
  open.push(annotator);
  return { annotator, integration };
}

beforeAll(async () => {
  account = writeServiceAccountKey();
  vision = await startVisionStandIn({ trust: { publicKey: account.publicKey, clientEmail: account.clientEmail } });
});
afterEach(() => vision.reset());
afterAll(async () => {
  await Promise.all(open.map((a) => a.close()));
  await vision.close();
  account.remove();
});

describe('the Google Vision annotator', () => {
  it('reads the labels and the text of a photo, sent as base64 bytes with a JWT the service account signed', async () => {
    const { annotator } = annotatorWith();
    const image = await photo('#c84');
    const annotation = await annotator.annotate(image);

    expect(annotation).toEqual({ labels: DEFAULT_ANNOTATION.labels, text: `${DEFAULT_ANNOTATION.text}\n` });
    expect(vision.calls).toBe(1);
    const request = vision.lastRequest!;
    expect(request.url).toMatch(/^\/v1\/images:annotate/);
    expect(request.images).toEqual([
      expect.objectContaining({
        source: 'content',
        uri: null,
        bytes: image,
        features: [
          { type: 'LABEL_DETECTION', maxResults: 20 },
          { type: 'TEXT_DETECTION', maxResults: undefined },
        ],
      }),
    ]);
    expect(request.signatureValid).toBe(true);
    expect(request.claims).toMatchObject({ iss: account.clientEmail, sub: account.clientEmail });
  });

  it('answers each photo of a batch in one request, in the order given, with what the script says of each', async () => {
    const { annotator } = annotatorWith();
    const [shelf, price, blank] = await Promise.all([photo('#a00'), photo('#0a0'), photo('#00a')]);
    vision.answerFor(shelf!, { labels: [{ description: 'Shelf', score: 0.97 }], text: '' });
    vision.answerFor(price!, { labels: [{ description: 'Price tag', score: 0.88 }], text: 'R$ 9,99' });
    vision.script((image) => (image.index === 2 ? { labels: [], text: '' } : undefined));

    const results = await annotator.annotateMany([shelf!, price!, blank!]);

    expect(results).toEqual([
      { ok: true, annotation: { labels: [{ description: 'Shelf', score: 0.97 }], text: '' } },
      { ok: true, annotation: { labels: [{ description: 'Price tag', score: 0.88 }], text: 'R$ 9,99\n' } },
      { ok: true, annotation: { labels: [], text: '' } },
    ]);
    expect(vision.calls).toBe(1);
    expect(vision.images).toBe(3);
  });

  it('keeps at most 20 labels, the best first', async () => {
    const { annotator } = annotatorWith();
    vision.script(() => ({ labels: Array.from({ length: 30 }, (_, i) => ({ description: `label ${i}`, score: i / 30 })), text: '' }));
    const { labels } = await annotator.annotate(await photo('#888'));
    expect(labels).toHaveLength(20);
    expect(labels[0]).toEqual({ description: 'label 29', score: 29 / 30 });
  });

  it('surfaces a photo Vision refuses inside a 200 answer, reads the others, and does not retry', async () => {
    const { annotator, integration } = annotatorWith();
    const good = await photo('#123');
    const notAnImage = Buffer.from('this is not a photo');

    const results = await annotator.annotateMany([good, notAnImage]);
    expect(results[0]).toMatchObject({ ok: true, annotation: { text: `${DEFAULT_ANNOTATION.text}\n` } });
    expect(results[1]).toMatchObject({ ok: false, error: expect.any(ImageNotAnnotated) });
    expect(results[1]!.ok === false && results[1]!.error).toMatchObject({ index: 1, code: 3, message: expect.stringContaining('Bad image data') });

    const error = await failureOf(annotator.annotate(notAnImage));
    expect(error).toBeInstanceOf(ImageNotAnnotated);
    expect(vision.calls).toBe(2);
    expect(integration.status().state).toBe('closed');
  });

  it('retries the batch when Vision could not read a photo for now (UNAVAILABLE in its place), then reads it', async () => {
    const { annotator } = annotatorWith();
    let busy = 1;
    vision.script(() => (busy-- > 0 ? { error: { code: 14, message: 'Service temporarily unavailable.' } } : undefined));
    const annotation = await annotator.annotate(await photo('#456'));
    expect(annotation.labels).toEqual(DEFAULT_ANNOTATION.labels);
    expect(vision.calls).toBe(2);
  });

  it('retries a 503 inside the policy, opens the breaker after enough failures, and then refuses without calling', async () => {
    const { annotator, integration } = annotatorWith();
    const image = await photo('#789');
    vision.fail('503');

    const error = await failureOf(annotator.annotate(image));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toContain('503');
    expect(vision.calls).toBe(3); // the first call and its two retries
    expect(integration.status().state).toBe('open');

    expect(isBrokenCircuitError(await failureOf(annotator.annotate(image)))).toBe(true);
    expect(vision.calls).toBe(3);
  });

  it('retries a 429, a 500 and a reset connection, and reads the photo when Vision answers', async () => {
    for (const kind of ['429', '500', 'reset'] as const) {
      vision.reset();
      const { annotator, integration } = annotatorWith();
      vision.fail(kind, { count: 1 });
      await expect(annotator.annotate(await photo('#abc'))).resolves.toMatchObject({ labels: DEFAULT_ANNOTATION.labels });
      expect(vision.calls, kind).toBe(2);
      expect(integration.status().state).toBe('closed');
    }
  });

  it('does not retry a 400 or a 403, which say our request or project is wrong, and leaves the breaker closed', async () => {
    for (const kind of ['400', '403'] as const) {
      vision.reset();
      const { annotator, integration } = annotatorWith();
      vision.fail(kind);
      for (let i = 0; i < 4; i++) {
        const error = await failureOf(annotator.annotate(await photo('#def')));
        expect(error).toBeInstanceOf(VisionRefused);
        expect((error as Error).message).toContain(kind === '400' ? 'INVALID_ARGUMENT' : 'PERMISSION_DENIED');
      }
      expect(vision.calls, kind).toBe(4);
      expect(integration.status().state).toBe('closed');
    }
  });

  it('is refused (401), without retries, when the key is not one Vision trusts', async () => {
    const stranger = writeServiceAccountKey({ name: 'stranger' });
    try {
      const { annotator } = annotatorWith({}, stranger.path);
      const error = await failureOf(annotator.annotate(await photo('#111')));
      expect(error).toBeInstanceOf(VisionRefused);
      expect((error as Error).message).toMatch(/401.*UNAUTHENTICATED/);
      expect(vision.calls).toBe(1);
      expect(vision.lastRequest?.signatureValid).toBe(false);
    } finally {
      stranger.remove();
    }
  });

  it('calls nothing and is refused when the key file cannot be read', async () => {
    const { annotator, integration } = annotatorWith({}, '/nonexistent/service-account.json');
    const error = await failureOf(annotator.annotate(await photo('#222')));
    expect(error).toBeInstanceOf(VisionRefused);
    expect((error as Error).message).toContain('/nonexistent/service-account.json');
    expect(vision.calls).toBe(0);
    expect(integration.status().state).toBe('closed');
  });

  it('aborts the request at the time limit (the stand-in sees the client hang up) and retries it', async () => {
    const { annotator } = annotatorWith({ timeoutMs: 300, retries: 1 });
    vision.setDelay(2_000);
    const started = Date.now();
    const error = await failureOf(annotator.annotate(await photo('#333')));
    expect(isTimeout(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000); // two attempts and a backoff, each shorter than one answer
    expect(vision.calls).toBe(2);
    await expect.poll(() => vision.cancelled).toBe(2);
  });

  it('takes a 200 that is not Vision JSON (a proxy page) as an unreadable answer', async () => {
    const { annotator } = annotatorWith();
    vision.fail('not-json', { count: 1 });
    expect(await failureOf(annotator.annotate(await photo('#444')))).toBeInstanceOf(VisionAnswerInvalid);
  });

  it('splits photos into requests within Vision limits of 16 images and 10 MB', async () => {
    const { annotator } = annotatorWith();
    const small = await Promise.all(Array.from({ length: MAX_IMAGES_PER_REQUEST + 4 }, (_, i) => photo(`#${(i * 7).toString(16).padStart(2, '0')}0000`, 16)));
    const results = await annotator.annotateMany(small);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(vision.requests.map((r) => r.images.length).sort((a, b) => a - b)).toEqual([4, 16]);

    vision.reset();
    // 3 MB of bytes is 4 MB of base64: two fit in one request, the third goes in another; 9 MB alone never fits.
    const big = Buffer.concat([await photo('#555'), Buffer.alloc(3 * 1024 * 1024)]);
    const huge = Buffer.concat([await photo('#666'), Buffer.alloc(9 * 1024 * 1024)]);
    const mixed = await annotator.annotateMany([big, big, big, huge]);
    expect(mixed.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(mixed[3]).toMatchObject({ ok: false, error: { index: 3, code: 3 } });
    expect(vision.requests.map((r) => r.images.length).sort((a, b) => a - b)).toEqual([1, 2]);
  });
});

describe('the vision integration', () => {
  it('is configured only with a service account key', () => {
    expect(createIntegrations(parseEnv({ GOOGLE_APPLICATION_CREDENTIALS: account.path }), logger).get('vision')?.name).toBe('vision');
    expect(createIntegrations(parseEnv({}), logger).get('vision')).toBeUndefined();
  });

  it('takes its policy from VISION_* and an endpoint without a path', () => {
    const env = parseEnv({ GOOGLE_APPLICATION_CREDENTIALS: account.path, VISION_API_ENDPOINT: 'http://127.0.0.1:9999', VISION_TIMEOUT_MS: '5000' });
    expect(env).toMatchObject({ VISION_API_ENDPOINT: 'http://127.0.0.1:9999', VISION_TIMEOUT_MS: 5000, VISION_RETRIES: 2, VISION_CONCURRENCY: 16 });
    expect(() => parseEnv({ VISION_API_ENDPOINT: 'http://127.0.0.1:9999/v1' })).toThrow(/VISION_API_ENDPOINT/);
  });
});
