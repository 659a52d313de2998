import type { IncomingMessage, ServerResponse } from 'node:http';
import { callTRPCProcedure, getTRPCErrorFromUnknown, getTRPCErrorShape, transformTRPCResponse, type AnyRouter } from '@trpc/server';
import { compress, prepareAnswer, preparedOf, type Encoding, type PreparedAnswer } from '../cache/prepared-answers';
import type { Context, ProcedureMeta } from '../api/trpc';
import { proceduresOf, streamedBatch } from './request-guard';

/** Answers smaller than this go uncompressed (compressing them costs more than it saves). */
export const COMPRESS_THRESHOLD_BYTES = 1024;

type CachedCall = { path: string; input: unknown };
type Outcome = { ok: true; part: PreparedAnswer } | { ok: false; json: string; status: number };

/** A request's signal for the procedures: a query answered from cache is not worth aborting. */
const NEVER = new AbortController().signal;

/**
 * The cached reads' own door (issue 23): a GET naming only procedures marked `cachedRead` is answered here, not by
 * tRPC's fetch adapter. The procedures still run whole — the same context, authentication, rate limit, role checks,
 * input schema and cache middleware, through tRPC's own `callProcedure` — so authorization is decided on every
 * request before a byte (or a 304) is sent. What is skipped is the per-request work around a cached answer: the
 * Request/Response objects and streams of the adapter, and superjson and JSON over the answer, whose bytes were made
 * when the entry was filled (`prepared-answers.ts`). Answers are byte for byte tRPC's (`cached-reads.test.ts`).
 *
 * A successful answer carries a strong ETag (its entries' versions) and a matching `If-None-Match` gets 304 without
 * a body; bodies over 1 KiB are compressed for clients that accept it (br or gzip), a prepared one once per entry.
 * Anything unusual (an input that does not parse, a batch input that is not an object) goes to tRPC's handler,
 * before anything ran, so its answers and errors stay tRPC's.
 */
export function createCachedReads(opts: {
  router: AnyRouter;
  createContext: (req: IncomingMessage, res: ServerResponse) => Promise<Context>;
}) {
  const config = opts.router._def._config;
  const procedures = opts.router._def.procedures as Record<string, { _def: { type: string; meta?: ProcedureMeta } } | undefined>;
  const isCachedRead = (path: string) => {
    const procedure = procedures[path];
    return procedure?._def.type === 'query' && procedure._def.meta?.cachedRead === true;
  };

  /**
   * The calls, their inputs already through the transformer as tRPC's handler does it (one pass per request), or
   * null for anything tRPC should answer itself: an input that does not parse or deserialize is its BAD_REQUEST.
   */
  function callsOf(apiPath: string, query: string): { batch: boolean; calls: CachedCall[] } | null {
    let paths: string[];
    try {
      paths = proceduresOf(apiPath);
    } catch {
      return null;
    }
    const params = new URLSearchParams(query);
    const batch = params.get('batch') === '1';
    if ((!batch && paths.length !== 1) || !paths.every(isCachedRead)) return null;
    let inputs: unknown;
    try {
      const raw = params.get('input');
      inputs = raw ? JSON.parse(raw) : undefined;
    } catch {
      return null;
    }
    const deserialize = (input: unknown) => (input === undefined ? undefined : config.transformer.input.deserialize(input));
    try {
      if (!batch) return { batch, calls: [{ path: paths[0]!, input: deserialize(inputs) }] };
      if (inputs !== undefined && (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs))) return null;
      const byIndex = (inputs ?? {}) as Record<string, unknown>;
      return { batch, calls: paths.map((path, index) => ({ path, input: deserialize(byIndex[index]) })) };
    } catch {
      return null;
    }
  }

  async function run(ctx: Context, call: CachedCall, batchIndex: number): Promise<Outcome> {
    try {
      const data: unknown = await callTRPCProcedure({
        router: opts.router,
        path: call.path,
        getRawInput: async () => call.input,
        ctx,
        type: 'query',
        signal: NEVER,
        batchIndex,
      });
      return { ok: true, part: preparedOf(data) ?? prepareAnswer(data) };
    } catch (cause) {
      // Logged and counted by the procedure's own middleware, as on tRPC's path (whose onError adds nothing once a
      // context exists).
      const error = getTRPCErrorFromUnknown(cause);
      const shape = getTRPCErrorShape({ config, error, type: 'query', path: call.path, input: call.input, ctx });
      return { ok: false, json: JSON.stringify(transformTRPCResponse(config, { error: shape })), status: shape.data.httpStatus as number };
    }
  }

  /** Answers the request and resolves true, or resolves false (untouched) when tRPC's handler should. */
  return async function serveCachedRead(req: IncomingMessage, res: ServerResponse, apiPath: string, query: string): Promise<boolean> {
    const contentType = req.headers['content-type'];
    if (req.method !== 'GET' || streamedBatch(req) || (contentType && !contentType.startsWith('application/json'))) return false;
    const request = callsOf(apiPath, query);
    if (!request) return false;
    let ctx: Context;
    try {
      ctx = await opts.createContext(req, res);
    } catch {
      // Nothing ran and nothing was written: tRPC's handler tries again and answers the failure in its own shape.
      return false;
    }
    const outcomes = await Promise.all(request.calls.map((call, index) => run(ctx, call, index)));

    const statuses = new Set(outcomes.map((o) => (o.ok ? 200 : o.status)));
    const status = statuses.size === 1 ? statuses.values().next().value! : 207;
    res.setHeader('vary', 'trpc-accept, accept, accept-encoding');
    const parts = outcomes.every((o) => o.ok) ? outcomes.map((o) => (o as { part: PreparedAnswer }).part) : null;
    // One prepared part: its envelope's body (and compressed copies) are kept with it, made once.
    const kept = parts?.length === 1 ? parts[0]!.bodies : new Map<string, Buffer>();
    const envelope = request.batch ? 'batch' : 'single';
    let body = kept.get(envelope) ?? bodyOf(request.batch, outcomes);
    kept.set(envelope, body);
    const encoding = body.length >= COMPRESS_THRESHOLD_BYTES ? acceptedEncoding(req.headers['accept-encoding']) : null;
    if (parts) {
      // Strong, so it names these bytes: the versions of the parts, the envelope and the encoding sent.
      const etag = `"${request.batch ? 'b.' : ''}${parts.map((p) => p.etag).join('.')}${encoding ? `.${encoding}` : ''}"`;
      res.setHeader('etag', etag);
      if (matches(req.headers['if-none-match'], etag)) {
        res.writeHead(304).end();
        return true;
      }
    }
    if (encoding) {
      const key = `${envelope}:${encoding}`;
      body = kept.get(key) ?? (await compress(body, encoding));
      kept.set(key, body);
      res.setHeader('content-encoding', encoding);
    }
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
    return true;
  };
}

/** tRPC's envelope around the parts: `{"result":{"data":…}}`, or an array of them for a batch. */
function bodyOf(batch: boolean, outcomes: Outcome[]): Buffer {
  const pieces: Buffer[] = [];
  if (batch) pieces.push(Buffer.from('['));
  outcomes.forEach((outcome, index) => {
    if (index > 0) pieces.push(Buffer.from(','));
    if (outcome.ok) pieces.push(Buffer.from('{"result":{"data":'), outcome.part.json, Buffer.from('}}'));
    else pieces.push(Buffer.from(outcome.json));
  });
  if (batch) pieces.push(Buffer.from(']'));
  return Buffer.concat(pieces);
}

/** `If-None-Match` against our ETag, by the weak comparison HTTP asks of it (`W/"x"` matches `"x"`; `*` any). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/** The encoding we use for this client: br if it accepts it, gzip otherwise, none if it accepts neither. */
export function acceptedEncoding(header: string | undefined): Encoding | null {
  if (!header) return null;
  const accepted = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name!.trim(), q ? Number(q.slice(2)) || 0 : 1);
  }
  const weight = (name: string) => accepted.get(name) ?? (accepted.has('*') ? accepted.get('*')! : 0);
  if (weight('br') > 0) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return null;
}
