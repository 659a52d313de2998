import http from 'node:http';
import sharp from 'sharp';

/**
 * A local stand-in of OpenAI's Chat Completions endpoint (POST /v1/chat/completions) that the real `openai` client
 * talks to (baseURL `${url}/v1`). It reads the request the image scorer sends (a system message, a user message
 * with a text part and a data-URL image part, a strict json_schema response_format) and answers a valid chat
 * completion whose content is the scoring verdict as a JSON string, with deterministic, roughly realistic token
 * usage. On command it delays, fails with OpenAI's statuses and error bodies, hangs, or answers content that
 * breaks the verdict schema; it counts every call with its time and keeps the last request.
 */

export type Verdict = { matches: boolean; usable: boolean; score: number; reasons: string[] };
/** '500' | '503' | '429' | '401': that status with OpenAI's error body; 'timeout': never answers (until close);
 * 'malformed': 200 whose content is JSON breaking the verdict schema; 'not-json': 200 whose HTTP body is not JSON. */
export type OpenAIFailKind = '500' | '503' | '429' | '401' | 'timeout' | 'malformed' | 'not-json';
export type SentImage = { url: string; detail?: string; mime?: string; bytes?: number; width?: number; height?: number; format?: string };
/** What a verdict function sees: the user message's text parts joined, the system prompt, the images sent. */
export type VerdictInput = { text: string; system: string; images: SentImage[]; body: ChatRequest };
type Part = { type: string; text?: string; image_url?: { url: string; detail?: string } };
type ChatRequest = { model?: string; messages?: { role: string; content: string | Part[] }[]; response_format?: unknown };

export const DEFAULT_VERDICT: Verdict = {
  matches: true,
  usable: true,
  score: 0.92,
  reasons: ['Marca visível na embalagem', 'Nome do produto legível e igual ao do cadastro'],
};

const ERRORS = {
  '500': { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null },
  '503': { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: null },
  '429': { message: 'Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.', type: 'requests', param: null, code: 'rate_limit_exceeded' },
  '401': { message: 'Incorrect API key provided: test. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
};

/** Reads what a data URL image is, without decoding its pixels; other URLs are kept as they are. */
async function describeImage(part: Part): Promise<SentImage> {
  const url = part.image_url?.url ?? '';
  const sent: SentImage = { url: url.length > 80 ? `${url.slice(0, 80)}…` : url, detail: part.image_url?.detail };
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!data) return sent;
  const bytes = Buffer.from(data[2]!, 'base64');
  const meta = await sharp(bytes).metadata().catch(() => null);
  return { ...sent, mime: data[1], bytes: bytes.length, width: meta?.width, height: meta?.height, format: meta?.format };
}

/** OpenAI's published vision cost: 85 tokens at detail low, else 85 + 170 per 512-px tile after scaling to fit 2048 and then 768 on the short side. */
function imageTokens(image: SentImage) {
  if (image.detail === 'low') return 85;
  let { width = 512, height = 512 } = image;
  const fit = Math.min(1, 2048 / Math.max(width, height));
  [width, height] = [width * fit, height * fit];
  const short = Math.min(1, 768 / Math.min(width, height));
  return 85 + 170 * Math.ceil((width * short) / 512) * Math.ceil((height * short) / 512);
}

export async function startOpenAIStandIn(opts: { delayMs?: number } = {}) {
  let delayMs = opts.delayMs ?? 0;
  let verdict: Partial<Verdict> | ((input: VerdictInput) => Partial<Verdict> | Promise<Partial<Verdict>>) = {};
  let failure: { kind: OpenAIFailKind; left: number; retryAfter: number; contentType: string } | null = null;
  const callTimes: number[] = [];
  let lastRequest: ChatRequest | null = null;
  let lastImages: SentImage[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let ids = 0;

  // Timers are kept so that close() can drop the answers still waiting.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
      timers.add(timer);
    });
  const send = (res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-request-id': `req_standin_${++ids}`, ...headers });
    res.end(body);
  };
  const error = (res: http.ServerResponse, status: number, err: object, headers: Record<string, string> = {}) => send(res, status, JSON.stringify({ error: err }), headers);

  const answer = async (res: http.ServerResponse, raw: string) => {
    const failed = failure && failure.left > 0 ? failure : null;
    if (failed) failed.left--;
    let body: ChatRequest;
    try {
      body = JSON.parse(raw) as ChatRequest;
    } catch {
      return error(res, 400, { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null });
    }
    lastRequest = body;
    if (failed?.kind === 'timeout') return;
    if (!body.model || !Array.isArray(body.messages)) return error(res, 400, { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' });
    const started = Date.now();
    await sleep(delayMs);
    switch (failed?.kind) {
      case '500':
      case '503':
      case '401':
        return error(res, Number(failed.kind), ERRORS[failed.kind]);
      case '429':
        return error(res, 429, ERRORS['429'], { 'retry-after': String(failed.retryAfter) });
      case 'not-json':
        return send(res, 200, '<html><body><h1>Bad Gateway</h1></body></html>', { 'content-type': failed.contentType });
    }

    const textOf = (content: string | Part[]) => (typeof content === 'string' ? content : content.flatMap((p) => (p.type === 'text' && p.text ? [p.text] : [])).join('\n'));
    const system = body.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).join('\n');
    const users = body.messages.filter((m) => m.role === 'user');
    const text = users.map((m) => textOf(m.content)).join('\n');
    const images = await Promise.all(users.flatMap((m) => (typeof m.content === 'string' ? [] : m.content.filter((p) => p.type === 'image_url'))).map(describeImage));
    lastImages = images;
    const chosen = typeof verdict === 'function' ? await verdict({ text, system, images, body }) : verdict;
    // 'malformed': the score is out of range and `usable`, `reasons` are missing, as a model ignoring the schema would answer.
    const content = JSON.stringify(failed?.kind === 'malformed' ? { matches: true, score: 7 } : { ...DEFAULT_VERDICT, ...chosen });

    const promptText = body.messages.map((m) => textOf(m.content)).join('') + JSON.stringify(body.response_format ?? '');
    const prompt_tokens = 7 * body.messages.length + Math.ceil(promptText.length / 4) + images.reduce((sum, image) => sum + imageTokens(image), 0);
    const completion_tokens = Math.ceil(content.length / 3);
    send(
      res,
      200,
      JSON.stringify({
        id: `chatcmpl-standin${ids + 1}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, finish_reason: 'stop', logprobs: null }],
        usage: {
          prompt_tokens,
          completion_tokens,
          total_tokens: prompt_tokens + completion_tokens,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
        service_tier: 'default',
        system_fingerprint: 'fp_standin',
      }),
      { 'openai-processing-ms': String(Date.now() - started) },
    );
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      callTimes.push(Date.now());
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/chat/completions') {
        return error(res, 404, { message: `Invalid URL (${req.method} ${req.url})`, type: 'invalid_request_error', param: null, code: null });
      }
      void answer(res, Buffer.concat(chunks).toString());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    url,
    /** The verdict for every following request: fields over DEFAULT_VERDICT, or a function of the request. */
    setVerdict(v: typeof verdict) {
      verdict = v;
    },
    /** Delay before every answer (failures included, 'timeout' aside). */
    setDelay(ms: number) {
      delayMs = ms;
    },
    /**
     * The next `count` requests (default: all until recover()) fail as `kind`. retryAfter: seconds, sent with 429;
     * contentType: the header sent with 'not-json' (with application/json the client throws a SyntaxError, with
     * text/html it resolves to the HTML as a string).
     */
    fail(kind: OpenAIFailKind, { count = Infinity, retryAfter = 1, contentType = 'application/json' }: { count?: number; retryAfter?: number; contentType?: string } = {}) {
      failure = { kind, left: count, retryAfter, contentType };
    },
    recover() {
      failure = null;
    },
    /** Every request, answered or not. */
    get calls() {
      return callTimes.length;
    },
    /** Date.now() of each request, so a test can count calls per interval. */
    callTimes,
    /** The parsed body of the last request. */
    get lastRequest() {
      return lastRequest;
    },
    /** The images of the last answered request: data URL mime type, size in bytes, and dimensions as sharp reads them. */
    get lastImages() {
      return lastImages;
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
export type OpenAIStandIn = Awaited<ReturnType<typeof startOpenAIStandIn>>;

/**
 * The services' env that points the image pipeline at the stand-ins: Open Food Facts (API and image host, reachable
 * over plain http; not spaced, it is local: the spacing itself is tested in pipeline.test.ts) and OpenAI.
 */
export function pipelineEnv(off: { url: string }, openai: { url: string }) {
  return {
    OPENFOODFACTS_URL: off.url,
    OPENFOODFACTS_MAX_PER_MINUTE: '0',
    IMAGE_ALLOWED_HOSTS: new URL(off.url).host,
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: `${openai.url}/v1`,
  };
}
