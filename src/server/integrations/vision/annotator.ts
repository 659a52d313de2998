import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ImageAnnotatorClient, protos } from '@google-cloud/vision';
import { type Integration, ServiceUnavailableError } from '../resilience';

type AnnotateRequest = protos.google.cloud.vision.v1.IBatchAnnotateImagesRequest;
type AnnotateResponse = protos.google.cloud.vision.v1.IBatchAnnotateImagesResponse;
type ImageResponse = protos.google.cloud.vision.v1.IAnnotateImageResponse;

/** What Google Vision read in one photo: its labels (best first) and all of its text, as one string. */
export type Annotation = { labels: { description: string; score: number }[]; text: string };
/** One photo of a batch: read, or refused by Vision for a reason of its own (ImageNotAnnotated). */
export type ImageAnnotationResult = { ok: true; annotation: Annotation } | { ok: false; error: ImageNotAnnotated };
export type Annotator = {
  /** One photo; ImageNotAnnotated when Vision refuses this photo. */
  annotate(image: Buffer): Promise<Annotation>;
  /** Several photos (a submission's), as few requests as Vision's limits allow; the results in the images' order. */
  annotateMany(images: Buffer[]): Promise<ImageAnnotationResult[]>;
  close(): Promise<void>;
};

/** Vision refused our call for a reason waiting does not mend (credentials, key file, request): a configuration problem. */
export class VisionRefused extends Error {
  override name = 'VisionRefused';
}

/** Vision answered 200 with something that is not an answer to our request. */
export class VisionAnswerInvalid extends Error {
  override name = 'VisionAnswerInvalid';
}

/** Vision answered the batch but refused this photo (bad image data, too large): the photo needs a person. */
export class ImageNotAnnotated extends Error {
  override name = 'ImageNotAnnotated';
  constructor(
    /** The photo's place in the images given. */
    readonly index: number,
    /** google.rpc.Code of Vision's answer (3: INVALID_ARGUMENT). */
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Vision's documented limits: 16 images per request, 10 MB of JSON (base64 is a third larger than the bytes). */
export const MAX_IMAGES_PER_REQUEST = 16;
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** Room left in a request for everything but the images' base64. */
const REQUEST_OVERHEAD = 64 * 1024;
const MAX_LABELS = 20;

/** google.rpc.Code values of a photo's error that say Vision is busy or down, not that the photo is bad. */
const TRANSIENT_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 13 /* INTERNAL */, 14 /* UNAVAILABLE */]);

type CancellableCall = Promise<[AnnotateResponse, unknown, unknown]> & { cancel(): void };

/**
 * Google Vision's label and text detection, through the vision integration's policy, with the real
 * `@google-cloud/vision` client in its HTTP/1.1 REST mode (`fallback: true`): the same code talks to Google and, with
 * `endpoint` set, to a proxy or the tests' stand-in. The service account's key signs its own JWT for each call
 * (google-auth-library's self-signed JWT, which the client turns on), so no OAuth token endpoint is involved. The
 * client's own retries are off (the policy retries 5xx, 429, network failures and timeouts, and counts them for the
 * breaker); a refusal of our request or credentials is VisionRefused. Photos are sent as bytes, never as URLs.
 */
export function createAnnotator(opts: { keyFile: string; endpoint?: string; integration: Integration }): Annotator {
  let client: ImageAnnotatorClient | undefined;
  // Made at the first call, once the key file is known to be good.
  const clientOf = async () => {
    if (client) return client;
    const credentials = await readServiceAccountKey(opts.keyFile);
    // Loaded on the first call: the API server, which never calls Vision, does not carry its ~20 MB of protos.
    const { ImageAnnotatorClient: Client } = await import('@google-cloud/vision');
    client ??= new Client({ credentials, fallback: true, ...endpointOptions(opts.endpoint) });
    await client.initialize();
    return client;
  };

  const send = (images: Buffer[], offset: number): Promise<ImageAnnotationResult[]> =>
    opts.integration.execute(async (signal) => {
      const vision = await clientOf();
      signal.throwIfAborted();
      const request: AnnotateRequest = {
        requests: images.map((image) => ({
          image: { content: image },
          features: [{ type: 'LABEL_DETECTION', maxResults: MAX_LABELS }, { type: 'TEXT_DETECTION' }],
        })),
      };
      // The inner call, not `client.batchAnnotateImages`: the public method's `.then` drops gax's `cancel()`, the only
      // way to abort the HTTP request at the policy's time limit. retry null: gax's own retries off.
      const call = vision.innerApiCalls.batchAnnotateImages!(request, { retry: null }) as CancellableCall;
      const cancel = () => call.cancel();
      signal.addEventListener('abort', cancel, { once: true });
      let response: AnnotateResponse;
      try {
        [response] = await call;
      } catch (error) {
        throw signal.aborted ? error : classify(error);
      } finally {
        signal.removeEventListener('abort', cancel);
      }
      const answers = response.responses ?? [];
      if (answers.length !== images.length) throw new VisionAnswerInvalid(`Google Vision answered ${answers.length} results for ${images.length} images`);
      const busy = answers.find((a) => a.error?.code && TRANSIENT_CODES.has(a.error.code));
      // A photo Vision could not read for now: the whole batch again, as the policy retries any failure of the service.
      if (busy) throw new ServiceUnavailableError('vision', `Google Vision could not read a photo for now (${busy.error!.code}): ${busy.error!.message ?? ''}`);
      return answers.map((answer, i) => resultOf(answer, offset + i));
    });

  const annotateMany = async (images: Buffer[]): Promise<ImageAnnotationResult[]> => {
    const results = new Array<ImageAnnotationResult>(images.length);
    const batches: { offset: number; images: Buffer[]; bytes: number }[] = [];
    let batch: (typeof batches)[number] | undefined;
    for (const [index, image] of images.entries()) {
      const bytes = Math.ceil(image.length / 3) * 4;
      if (bytes + REQUEST_OVERHEAD > MAX_REQUEST_BYTES) {
        results[index] = { ok: false, error: new ImageNotAnnotated(index, 3, `The photo (${image.length} bytes) is over Google Vision's ${MAX_REQUEST_BYTES} byte request limit`) };
        batch = undefined; // a batch holds consecutive images
        continue;
      }
      if (!batch || batch.images.length === MAX_IMAGES_PER_REQUEST || batch.bytes + bytes + REQUEST_OVERHEAD > MAX_REQUEST_BYTES) {
        batch = { offset: index, images: [], bytes: 0 };
        batches.push(batch);
      }
      batch.images.push(image);
      batch.bytes += bytes;
    }
    const answered = await Promise.all(batches.map((b) => send(b.images, b.offset)));
    batches.forEach((b, i) => answered[i]!.forEach((result, j) => (results[b.offset + j] = result)));
    return results;
  };

  return {
    annotate: async (image) => {
      const [result] = await annotateMany([image]);
      if (!result!.ok) throw result!.error;
      return result!.annotation;
    },
    annotateMany,
    close: async () => {
      await client?.close();
    },
  };
}

/**
 * The service account's key file, read and checked here rather than by the client: the client reads it inside
 * promises of its own, and a missing or broken file would reject those with nobody listening (an unhandled
 * rejection, which ends a Node process). Read again on each call until it works, so a fixed file needs no restart.
 */
async function readServiceAccountKey(file: string) {
  try {
    const key = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const { type, client_email, private_key, private_key_id, project_id, universe_domain } = key;
    if (type !== 'service_account' || typeof client_email !== 'string' || typeof private_key !== 'string') {
      throw new Error('not a service account key (type "service_account", client_email and private_key)');
    }
    createPrivateKey(private_key);
    const optional = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { type, client_email, private_key, private_key_id: optional(private_key_id), project_id: optional(project_id), universe_domain: optional(universe_domain) };
  } catch (error) {
    throw new VisionRefused(`Google Vision's service account key ${file} cannot be used: ${(error as Error).message}`);
  }
}

/** `scheme://host[:port]` to the client's options (it takes no path). */
function endpointOptions(endpoint: string | undefined) {
  if (!endpoint) return {};
  const url = new URL(endpoint);
  const protocol = url.protocol.replace(/:$/, '');
  return { apiEndpoint: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
}

function resultOf(answer: ImageResponse, index: number): ImageAnnotationResult {
  if (answer.error?.code) return { ok: false, error: new ImageNotAnnotated(index, answer.error.code, `Google Vision refused the photo: ${answer.error.message ?? ''}`) };
  return {
    ok: true,
    annotation: {
      labels: (answer.labelAnnotations ?? []).map((l) => ({ description: l.description ?? '', score: l.score ?? 0 })).filter((l) => l.description),
      // fullTextAnnotation is the page's text in reading order; the first textAnnotation is the same text in older answers.
      text: answer.fullTextAnnotation?.text || answer.textAnnotations?.[0]?.description || '',
    },
  };
}

/**
 * The REST client's failures: gaxios errors carry the HTTP status (none for a refused or reset connection); any other
 * error of the call is an answer the client could not decode.
 */
function classify(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number') {
    const detail = `Google Vision answered ${status}: ${googleMessage(error.message)}`;
    if (status >= 500 || status === 429 || status === 408) return new ServiceUnavailableError('vision', detail);
    return new VisionRefused(detail);
  }
  // A refused, reset or timed-out connection: a system error code, no status.
  if (typeof (error as { code?: unknown }).code === 'string' || error.constructor.name === 'GaxiosError') {
    return new ServiceUnavailableError('vision', `Google Vision unreachable: ${error.message}`);
  }
  return new VisionAnswerInvalid(`Google Vision's answer could not be read: ${error.message}`);
}

/** Google's error body is `{ error: { code, message, status } }`; gaxios puts the body in its message. */
function googleMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown; status?: unknown } };
    if (typeof parsed.error?.message === 'string') return `${String(parsed.error.status ?? '')} ${parsed.error.message}`.trim();
  } catch {
    // not JSON: a proxy's page
  }
  return body.slice(0, 300);
}
