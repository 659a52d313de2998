import { context, isSpanContextValid, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

/**
 * What the code's seams (logger, database client, tRPC, outbox, queues, FCM) need of tracing, on the OpenTelemetry
 * API alone: cheap to import everywhere. The SDK is started by `tracing.ts` (only the process entries import it).
 */
const TRACER = 'myinventory';
let state: { flush(): Promise<void> } | null = null;

/** Whether this process records spans: every seam checks it once, when it is built, and adds nothing when false. */
export const tracingEnabled = () => state !== null;
export const setTracing = (next: typeof state) => {
  state = next;
};

/** Tests and shutdown: export every span ended so far. */
export const flushTraces = async () => state?.flush();

const tracer = () => trace.getTracer(TRACER);

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

/** A CLIENT span started now, child of the active span, or none when there is no active span (background polls). */
export function startClientSpan(name: string, attributes: Attributes): Span | undefined {
  if (!trace.getActiveSpan()) return undefined;
  return tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes });
}

export { SpanKind, SpanStatusCode };
