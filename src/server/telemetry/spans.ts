import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, createContextKey, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

/**
 * What the code's seams (logger, database client, tRPC, outbox, queues, FCM) need of tracing, on the OpenTelemetry
 * API alone: cheap to import everywhere. The SDK is started by `tracing.ts` (only the process entries import it).
 */
const TRACER = 'myinventory';
let state: {
  flush(): Promise<void>;
  /** Head sampling at the door: whether a request that arrives without a trace of its own starts one. */
  traceRequest(): boolean;
} | null = null;

/** Whether this process records spans: every seam checks it once, when it is built, and adds nothing when false. */
export const tracingEnabled = () => state !== null;
export const setTracing = (next: typeof state) => {
  state = next;
};

/** Tests and shutdown: export every span ended so far. */
export const flushTraces = async () => state?.flush();

const tracer = () => trace.getTracer(TRACER);

/** In a root's parent context: the door has drawn this request for tracing, the sampler records it (tracing.ts). */
export const DRAWN_AT_THE_DOOR = createContextKey('myinventory.drawn-at-the-door');

/** The ids a log line carries: the active span's, when tracing is on and a span is active. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { traceId: ids.traceId, spanId: ids.spanId } : undefined;
}

/** W3C trace context of the active span (`traceparent`, and `tracestate` when set), to carry across a queue or a table. */
export type TraceCarrier = { traceparent: string; tracestate?: string };
export function activeTraceCarrier(): TraceCarrier | undefined {
  if (!state || !trace.getActiveSpan()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? (carrier as TraceCarrier) : undefined;
}

/** Whether the active span is recorded: a seam inside a trace the sampler left out makes no child span. */
export const recordingSpanActive = () => trace.getActiveSpan()?.isRecording() === true;

/** Runs `work` inside a new span, child of the active one; its failure is recorded on the span and rethrown. */
export async function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes }, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Spans of requests these paths are not made: assets, and the liveness probe a supervisor polls. */
const untraced = (path: string) => path.startsWith('/_next/static/') || path === '/api/health/live';

/** A low-cardinality name for a request's span: the API's routes by family, every page as one. */
function routeOf(path: string): string {
  if (path.startsWith('/api/trpc/')) return '/api/trpc';
  if (path.startsWith('/api/')) return path.split('/').slice(0, 3).join('/');
  return path.startsWith('/_next/') ? '/_next' : '(page)';
}

/**
 * Runs an incoming request inside its SERVER span (a `traceparent` it carries continues that trace), ended when the
 * response closes with its status. Made here, at our server's one door, instead of by the http instrumentation:
 * its patches of every socket and emitter cost a quarter of the throughput even for traces not sampled.
 */
export function inServerSpan(req: IncomingMessage, res: ServerResponse, path: string, work: () => void) {
  if (untraced(path)) return work();
  // A request the sampler leaves out gets no span and no context at all: with 1 request in 10 traced, the nine others
  // cost what they cost untraced (the context's async-local store, a span object, its ids) — bench:watching. Its log
  // lines carry its request id; a trace id only exists for a trace that is recorded somewhere.
  if (req.headers.traceparent === undefined && !state?.traceRequest()) return work();
  const method = req.method ?? 'GET';
  const parent = propagation.extract(ROOT_CONTEXT.setValue(DRAWN_AT_THE_DOOR, true), req.headers);
  const span = tracer().startSpan(
    `${method} ${routeOf(path)}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path, 'http.route': routeOf(path) } },
    parent,
  );
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return context.with(trace.setSpan(parent, span), work);
}

/**
 * A CLIENT span started now, child of the active span; none when there is no active span (background polls) or it
 * is not recorded (a trace the sampler left out: its children would be dropped anyway, and cost as much to make).
 */
export function startClientSpan(name: string, attributes: Attributes): Span | undefined {
  if (!trace.getActiveSpan()?.isRecording()) return undefined;
  return tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes });
}

export { SpanKind, SpanStatusCode };
