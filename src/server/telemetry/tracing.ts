import { context, SpanKind, trace, type Context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Sampler,
  type Span as SdkSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { DRAWN_AT_THE_DOOR, setTracing } from './spans';

export type TracingConfig = {
  serviceName: string;
  release: string;
  environment: string;
  /** OTLP/HTTP base address (`…/v1/traces` is added, as the OTel spec says for OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlpEndpoint?: string;
  /** Sentry's own OTLP traces endpoint (from the DSN) and the share of traces it gets. */
  sentry?: { url: string; headers: Record<string, string>; sampleRate: number };
  /** The share of traces the collector gets (decided per trace id, from the root: a trace goes whole or not at all). */
  otlpSampleRate?: number;
  /** Tests: export at once instead of in batches. */
  exportDelayMs?: number;
};

let started: NodeSDK | null = null;

/**
 * BullMQ's housekeeping (stalled-job checks, lock renewals, polls) opens spans on its own timers: as roots they
 * are a trace every few seconds that nobody asked for. Inside a job's trace they stay.
 */
const dropHousekeepingRoots = (inner: Sampler): Sampler => ({
  shouldSample: (ctx, traceId, name, kind, attributes, links) =>
    kind === SpanKind.INTERNAL && !trace.getSpanContext(ctx) ? { decision: SamplingDecision.NOT_RECORD } : inner.shouldSample(ctx, traceId, name, kind, attributes, links),
  toString: () => `DropHousekeepingRoots{${inner.toString()}}`,
});

/**
 * Roots are recorded with probability `ratio`, drawn at random (not from the trace id, so that each destination's
 * share below, which is taken from the trace id, is independent of it). A request's root was drawn at our HTTP door
 * already (`traceRequest`, spans.ts): it is recorded.
 */
const recordedRoots = (ratio: number): Sampler => ({
  shouldSample: (ctx) =>
    ctx.getValue(DRAWN_AT_THE_DOOR) === true || Math.random() < ratio ? { decision: SamplingDecision.RECORD_AND_SAMPLED } : { decision: SamplingDecision.NOT_RECORD },
  toString: () => `RecordedRoots{${ratio}}`,
});

/**
 * Sends to `inner` only the traces whose id falls in `ratio` of the recorded ones (decided on the trace id: a trace goes
 * whole or not at all, and the app and the workers agree on it).
 */
function sampledShare(inner: SpanProcessor, ratio: number): SpanProcessor {
  if (ratio >= 1) return inner;
  const sampler = new TraceIdRatioBasedSampler(ratio);
  const wanted = (span: ReadableSpan) => sampler.shouldSample(context.active(), span.spanContext().traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
  return {
    onStart: (span: SdkSpan, parent: Context) => inner.onStart(span, parent),
    onEnd: (span: ReadableSpan) => (wanted(span) ? inner.onEnd(span) : undefined),
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
}

/**
 * Starts OpenTelemetry for this process: the one tracer provider every span goes through (ours, Next's, BullMQ's,
 * our seams' HTTP, Redis and SQL spans), exported over OTLP/HTTP (JSON) to the collector and, when Sentry should
 * see traces, to Sentry's OTLP endpoint too. Must run before the modules it patches are used: the process entries
 * import `telemetry/register-*.ts` first. Returns null (and changes nothing) when no destination is configured.
 */
export function startTracing(config: TracingConfig): { shutdown(): Promise<void> } | null {
  if (started) throw new Error('tracing is already started in this process');
  const destinations = [
    config.otlpEndpoint ? { url: `${config.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`, headers: {}, share: config.otlpSampleRate ?? 1 } : null,
    config.sentry && config.sentry.sampleRate > 0 ? { url: config.sentry.url, headers: config.sentry.headers, share: config.sentry.sampleRate } : null,
  ].filter((d) => d !== null);
  if (destinations.length === 0) return null;

  // Spans are recorded for the largest share any destination wants; each destination then takes its own part of them.
  const recorded = Math.max(...destinations.map((d) => d.share));
  const processors = destinations.map((d) =>
    sampledShare(
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: d.url, headers: d.headers }), scheduledDelayMillis: config.exportDelayMs }),
      recorded > 0 ? d.share / recorded : 0,
    ),
  );
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    resource: resourceFromAttributes({ 'service.version': config.release, 'deployment.environment.name': config.environment }),
    spanProcessors: processors,
    sampler: dropHousekeepingRoots(new ParentBasedSampler({ root: recordedRoots(recorded) })),
    // Logs stay pino's JSON lines on stdout, metrics prom-client's: no OTLP logs or metrics from the SDK's defaults.
    logRecordProcessors: [],
    metricReaders: [],
    // No auto-instrumentation: the HTTP server span and the Redis command spans are made at our own seams
    // (http/server.ts, redis/ioredis-requester.ts) like the SQL ones. The http and ioredis instrumentations' patches
    // cost about a quarter of the cached path's throughput even for traces not sampled (bench:watching).
    instrumentations: [],
  });
  sdk.start();
  started = sdk;
  setTracing({ flush: () => Promise.all(processors.map((p) => p.forceFlush())).then(() => {}), traceRequest: () => recorded >= 1 || Math.random() < recorded });
  return {
    async shutdown() {
      await sdk.shutdown().catch(() => {});
      started = null;
      setTracing(null);
    },
  };
}

