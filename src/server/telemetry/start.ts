import os from 'node:os';
import type { Env } from '~/env';
import { sentryOtlpEndpoint, startErrorTracking, stopErrorTracking } from './errors';
import { flushTraces } from './spans';
import { startTracing } from './tracing';

export type ProcessRole = 'app' | 'workers';

/**
 * Traces (OpenTelemetry) and error tracking (Sentry) for this process, as the environment says; each is off
 * without its variables. One tracer provider, OpenTelemetry's: it exports to the OTLP collector and, when
 * SENTRY_TRACES_SAMPLE_RATE > 0, to Sentry's OTLP endpoint; Sentry itself only reports errors, tagged with the
 * active span's trace id (docs/architecture.md "Traces and errors").
 *
 * Synchronous on purpose, with the SDKs imported statically: the seams check `tracingEnabled()` when their modules
 * load, and an entry's other imports load without waiting for a top-level await in this one (ES modules evaluate
 * siblings regardless), so a tracer started after an `await import()` would leave every seam without tracing.
 */
export function startTelemetry(env: Env, role: ProcessRole, opts: { exportDelayMs?: number } = {}) {
  const release = env.SENTRY_RELEASE ?? env.APP_VERSION;
  const environment = env.SENTRY_ENVIRONMENT ?? env.NODE_ENV;
  const sentryTraces = env.SENTRY_DSN && env.SENTRY_TRACES_SAMPLE_RATE > 0 ? sentryOtlpEndpoint(env.SENTRY_DSN) : undefined;
  const tracing = startTracing({
    serviceName: env.OTEL_SERVICE_NAME ?? `myinventory-${role}`,
    release,
    environment,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    otlpSampleRate: env.OTEL_TRACES_SAMPLE_RATE,
    sentry: sentryTraces ? { ...sentryTraces, sampleRate: env.SENTRY_TRACES_SAMPLE_RATE } : undefined,
    exportDelayMs: opts.exportDelayMs,
  });
  if (env.SENTRY_DSN) startErrorTracking({ dsn: env.SENTRY_DSN, environment, release, role, serverName: os.hostname() });
  return {
    tracing: tracing !== null,
    errors: Boolean(env.SENTRY_DSN),
    /** Last thing at shutdown: what was recorded is sent (bounded: a collector that does not answer is left). */
    async stop() {
      await Promise.race([Promise.allSettled([flushTraces(), tracing?.shutdown(), stopErrorTracking(2000)]), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    },
  };
}
