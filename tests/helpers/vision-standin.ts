import { createHash, type KeyObject, verify } from 'node:crypto';
import http from 'node:http';

/**
 * A local stand-in of Google Vision's REST endpoint (POST /v1/images:annotate), which the real
 * `@google-cloud/vision` client talks to in its REST mode (VISION_API_ENDPOINT = `url`). It answers each image with
 * scripted labels and text, in Vision's format and only for the features asked; bytes that are no image get
 * Vision's own per-image error ("Bad image data."). It checks the bearer JWT the service account's key signed
 * (when given the key to trust), Vision's limits (16 images, 10 MB), and on command fails with Google's statuses and
 * error bodies, delays, hangs or resets the connection. It counts calls and images, records every request, and
 * counts the requests the client gave up on before the answer (its abort reached the server).
 */

export type ScriptedLabel = { description: string; score: number };
/** What the stand-in answers for one image: its labels and text, or an error in the image's place of a 200. */
export type ScriptedImage = { labels?: ScriptedLabel[]; text?: string } | { error: { code: number; message: string } };
/** One image as the client sent it: the bytes of `content`, or the URL of `source` (which Vision would fetch). */
export type SentImage = {
  index: number;
  source: 'content' | 'uri';
  bytes: Buffer | null;
  sha256: string | null;
  uri: string | null;
  features: { type: string; maxResults?: number }[];
};
export type RecordedRequest = {
  at: number;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The bearer JWT's claims, and whether its signature is the trusted key's (null: no key to trust was given). */
  claims: Record<string, unknown> | null;
  signatureValid: boolean | null;
  images: SentImage[];
};
/** A Google status with its error body; 'timeout': never answers (until close); 'reset': drops the connection;
 * 'not-json': 200 with an HTML page (a proxy's). */
export type VisionFailKind = '400' | '401' | '403' | '429' | '500' | '503' | 'timeout' | 'reset' | 'not-json';

export const DEFAULT_ANNOTATION = {
  labels: [
    { description: 'Shelf', score: 0.95 },
    { description: 'Retail', score: 0.92 },
    { description: 'Supermarket', score: 0.9 },
    { description: 'Product', score: 0.84 },
  ],
  text: 'OFERTA\nArroz Tipo 1 5 kg\nR$ 24,90',
} satisfies ScriptedImage;

const ERRORS: Record<'400' | '401' | '403' | '429' | '500' | '503', { message: string; status: string }> = {
  '400': { message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
  '401': {
    message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    status: 'UNAUTHENTICATED',
  },
  '403': { message: 'Cloud Vision API has not been used in project 000000000000 before or it is disabled.', status: 'PERMISSION_DENIED' },
  '429': { message: "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service 'vision.googleapis.com'.", status: 'RESOURCE_EXHAUSTED' },
  '500': { message: 'Internal error encountered.', status: 'INTERNAL' },
  '503': { message: 'The service is currently unavailable.', status: 'UNAVAILABLE' },
};

/** Feature.Type's numbers, as the client sends them (`$alt=json;enum-encoding=int`). */
const FEATURE_TYPES: Record<number, string> = {
  1: 'FACE_DETECTION',
  2: 'LANDMARK_DETECTION',
  3: 'LOGO_DETECTION',
  4: 'LABEL_DETECTION',
  5: 'TEXT_DETECTION',
  6: 'SAFE_SEARCH_DETECTION',
  7: 'IMAGE_PROPERTIES',
  9: 'CROP_HINTS',
  10: 'WEB_DETECTION',
  11: 'DOCUMENT_TEXT_DETECTION',
  12: 'PRODUCT_SEARCH',
  19: 'OBJECT_LOCALIZATION',
};
export const MAX_IMAGES = 16;
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

type AnnotateBody = {
  requests?: { image?: { content?: string; source?: { imageUri?: string; gcsImageUri?: string } }; features?: { type?: number | string; maxResults?: number }[] }[];
};

/** JPEG, PNG, GIF, WebP, BMP by their first bytes: anything else is "Bad image data." as Vision says. */
function looksLikeImage(bytes: Buffer): boolean {
  const hex = bytes.subarray(0, 12).toString('hex');
  return (
    hex.startsWith('ffd8ff') ||
    hex.startsWith('89504e470d0a1a0a') ||
    hex.startsWith('474946383') ||
    (hex.startsWith('52494646') && bytes.subarray(8, 12).toString('latin1') === 'WEBP') ||
    hex.startsWith('424d')
  );
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export async function startVisionStandIn(opts: { trust?: { publicKey: KeyObject; clientEmail: string } } = {}) {
  let delayMs = 0;
  let script: ((image: SentImage) => ScriptedImage | undefined) | null = null;
  const byHash = new Map<string, ScriptedImage>();
  let failure: { kind: VisionFailKind; left: number } | null = null;
  const requests: RecordedRequest[] = [];
  let imageCount = 0;
  let cancelled = 0;
  const timers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
      timers.add(timer);
    });
  const send = (res: http.ServerResponse, status: number, body: string, contentType = 'application/json; charset=UTF-8') => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
  const googleError = (res: http.ServerResponse, code: number, message: string, status: string) => send(res, code, JSON.stringify({ error: { code, message, status } }));

  /** The bearer JWT the client's key signed (RS256): its claims, and whether the trusted key signed it and it is current. */
  const checkToken = (authorization: string | undefined) => {
    const [header, payload, signature] = (authorization?.replace(/^Bearer /, '') ?? '').split('.');
    if (!header || !payload || !signature) return { claims: null, signatureValid: opts.trust ? false : null };
    let claims: Record<string, unknown> | null = null;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return { claims: null, signatureValid: opts.trust ? false : null };
    }
    if (!opts.trust) return { claims, signatureValid: null };
    const signed = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), opts.trust.publicKey, Buffer.from(signature, 'base64url'));
    const current = typeof claims.exp === 'number' && claims.exp * 1000 > Date.now();
    return { claims, signatureValid: signed && current && claims.iss === opts.trust.clientEmail };
  };

  const answerImage = (image: SentImage): object => {
    if (image.source === 'uri') return { error: { code: 3, message: 'The stand-in never fetches image URLs: send the bytes.' } };
    if (!image.bytes || !looksLikeImage(image.bytes)) return { error: { code: 3, message: 'Bad image data.' } };
    const scripted = byHash.get(image.sha256!) ?? script?.(image) ?? DEFAULT_ANNOTATION;
    if ('error' in scripted) return { error: scripted.error };
    const answer: Record<string, unknown> = {};
    const label = image.features.find((f) => f.type === 'LABEL_DETECTION');
    if (label && scripted.labels?.length) {
      answer.labelAnnotations = [...scripted.labels]
        .sort((a, b) => b.score - a.score)
        .slice(0, label.maxResults || 10)
        .map((l, i) => ({ mid: `/m/standin${i}`, description: l.description, score: l.score, topicality: l.score }));
    }
    const wantsText = image.features.some((f) => f.type === 'TEXT_DETECTION' || f.type === 'DOCUMENT_TEXT_DETECTION');
    if (wantsText && scripted.text) {
      const box = { vertices: [{ x: 10, y: 10 }, { x: 300, y: 10 }, { x: 300, y: 120 }, { x: 10, y: 120 }] };
      answer.textAnnotations = [
        { locale: 'pt', description: scripted.text, boundingPoly: box },
        ...scripted.text.split(/\s+/).filter(Boolean).map((word) => ({ description: word, boundingPoly: box })),
      ];
      answer.fullTextAnnotation = { pages: [{ property: { detectedLanguages: [{ languageCode: 'pt', confidence: 0.98 }] }, width: 640, height: 480, blocks: [] }], text: `${scripted.text}\n` };
    }
    return answer;
  };

  const answer = async (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) => {
    const failed = failure && failure.left > 0 ? failure : null;
    if (failed) failed.left--;
    let body: AnnotateBody;
    try {
      body = JSON.parse(raw.toString()) as AnnotateBody;
    } catch {
      return googleError(res, 400, 'Invalid JSON payload received.', 'INVALID_ARGUMENT');
    }
    const images: SentImage[] = (body.requests ?? []).map((r, index) => {
      const bytes = r.image?.content !== undefined ? Buffer.from(r.image.content, 'base64') : null;
      return {
        index,
        source: bytes ? 'content' : 'uri',
        bytes,
        sha256: bytes ? sha256(bytes) : null,
        uri: r.image?.source?.imageUri ?? r.image?.source?.gcsImageUri ?? null,
        features: (r.features ?? []).map((f) => ({ type: typeof f.type === 'number' ? (FEATURE_TYPES[f.type] ?? `TYPE_${f.type}`) : String(f.type), maxResults: f.maxResults })),
      };
    });
    const token = checkToken(req.headers.authorization);
    requests.push({ at: Date.now(), url: req.url ?? '', headers: req.headers, ...token, images });
    imageCount += images.length;
    if (token.signatureValid === false) return googleError(res, 401, ERRORS['401'].message, ERRORS['401'].status);
    if (failed?.kind === 'timeout') return;
    await sleep(delayMs);
    const kind = failed?.kind;
    switch (kind) {
      case 'reset':
        return req.socket.destroy();
      case 'not-json':
        return send(res, 200, '<html><body><h1>Bad Gateway</h1></body></html>', 'text/html');
      case undefined:
        break;
      default: {
        const error = ERRORS[kind];
        return googleError(res, Number(kind), error.message, error.status);
      }
    }
    if (raw.length > MAX_REQUEST_BYTES) return googleError(res, 400, `Request payload size exceeds the limit: ${MAX_REQUEST_BYTES} bytes.`, 'INVALID_ARGUMENT');
    if (images.length === 0) return googleError(res, 400, 'No requests specified.', 'INVALID_ARGUMENT');
    if (images.length > MAX_IMAGES) return googleError(res, 400, `Too many images per request. Max is ${MAX_IMAGES}.`, 'INVALID_ARGUMENT');
    send(res, 200, JSON.stringify({ responses: images.map(answerImage) }));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/images:annotate') {
        return googleError(res, 404, `The requested URL ${req.url} was not found on this server.`, 'NOT_FOUND');
      }
      // The client hung up before the answer (its time limit aborted the request).
      res.on('close', () => {
        if (!res.writableEnded) cancelled++;
      });
      void answer(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    /** VISION_API_ENDPOINT for the client. */
    url,
    /** The answer for an image by its bytes (its SHA-256), before the script and the default. */
    answerFor(image: Buffer, scripted: ScriptedImage) {
      byHash.set(sha256(image), scripted);
    },
    /** The answer for every following image the hashes do not decide; undefined from it: DEFAULT_ANNOTATION. */
    script(fn: ((image: SentImage) => ScriptedImage | undefined) | null) {
      script = fn;
    },
    /** Delay before every answer (failures too, 'timeout' aside). */
    setDelay(ms: number) {
      delayMs = ms;
    },
    /** The next `count` requests (default: all until recover()) fail as `kind`. */
    fail(kind: VisionFailKind, { count = Infinity }: { count?: number } = {}) {
      failure = { kind, left: count };
    },
    recover() {
      failure = null;
    },
    /** Back to the default answer, no failure, no delay, nothing counted. */
    reset() {
      script = null;
      byHash.clear();
      failure = null;
      delayMs = 0;
      requests.length = 0;
      imageCount = 0;
      cancelled = 0;
    },
    /** Annotate requests received, answered or not. */
    get calls() {
      return requests.length;
    },
    /** Images in those requests. */
    get images() {
      return imageCount;
    },
    /** Requests whose client hung up before the answer. */
    get cancelled() {
      return cancelled;
    },
    requests,
    get lastRequest(): RecordedRequest | undefined {
      return requests.at(-1);
    },
    /** Ends hung requests too. */
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
export type VisionStandIn = Awaited<ReturnType<typeof startVisionStandIn>>;
