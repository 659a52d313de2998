import os from 'node:os';
import type { Env } from '~/env';
import { flushTraces } from './spans';

export type ProcessRole = 'app' | 'workers';

/**
 * Traces (OpenTelemetry) and error tracking (Sentry) for this process, as the environment says; each is off
 * without its variables. One tracer provider, OpenTelemetry's: it exports to the OTLP collector and, when
 * SENTRY_TRACES_SAMPLE_RATE > 0, to Sentry's OTLP endpoint; Sentry itself only reports errors, tagged with the
 * active span's trace id (docs/architecture.md "Traces and errors"). Their SDKs are loaded only when configured: off,
 * they would be some 30 MB of every process's heap, which each full garbage collection walks.
 */
export async function startTelemetry(env: Env, role: ProcessRole, opts: { exportDelayMs?: number } = {}) {
  const release = env.SENTRY_RELEASE ?? env.APP_VERSION;
  const environment = env.SENTRY_ENVIRONMENT ?? env.NODE_ENV;
  const errors = env.SENTRY_DSN ? await import('./errors') : null;
  const sentryTraces = env.SENTRY_DSN && env.SENTRY_TRACES_SAMPLE_RATE > 0 ? errors!.sentryOtlpEndpoint(env.SENTRY_DSN) : undefined;
  const wanted = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT) || sentryTraces !== undefined;
  const tracing = !wanted
    ? null
    : (await import('./tracing')).startTracing({
    serviceName: env.OTEL_SERVICE_NAME ?? `myinventory-${role}`,
    release,
    environment,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    otlpSampleRate: env.OTEL_TRACES_SAMPLE_RATE,
    sentry: sentryTraces ? { ...sentryTraces, sampleRate: env.SENTRY_TRACES_SAMPLE_RATE } : undefined,
    exportDelayMs: opts.exportDelayMs,
  });
  if (errors && env.SENTRY_DSN) errors.startErrorTracking({ dsn: env.SENTRY_DSN, environment, release, role, serverName: os.hostname() });
  return {
    tracing: tracing !== null,
    errors: Boolean(env.SENTRY_DSN),
    /** Last thing at shutdown: what was recorded is sent (bounded: a collector that does not answer is left). */
    async stop() {
      await Promise.race([Promise.allSettled([flushTraces(), tracing?.shutdown(), errors?.stopErrorTracking(2000)]), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    },
  };
}
