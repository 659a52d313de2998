import * as Sentry from '@sentry/node';
import { privateDataCollection, scrubEvent } from '~/lib/error-scrub';
import { setErrorReporter, type ErrorTags } from './report';

export type ErrorTrackingConfig = { dsn: string; environment: string; release: string; serverName: string; role: 'app' | 'workers' };
let enabled = false;

/**
 * Sentry for this process's errors. Tracing is OpenTelemetry's (telemetry/tracing.ts): Sentry registers no tracer
 * provider of its own (`enableOpenTelemetrySetup: false`, no `tracesSampleRate`), and `openTelemetryIntegration`
 * puts the active OTel span's trace id on every error, so an error links to the trace the collector has.
 */
export function startErrorTracking(config: ErrorTrackingConfig) {
  Sentry.init({
    dsn: config.dsn,
    environment: config.environment,
    release: config.release,
    serverName: config.serverName,
    // Sentry 11's successor of `sendDefaultPii: false`; a frame's local variables hold what the user typed.
    dataCollection: privateDataCollection(),
    enableOpenTelemetrySetup: false,
    integrations: [Sentry.openTelemetryIntegration()],
    initialScope: { tags: { role: config.role } },
    // No `tracesSampleRate`: Sentry makes no spans of its own; traces reach it over OTLP (SENTRY_TRACES_SAMPLE_RATE).
    beforeSend: (event) => scrubEvent(event),
  });
  enabled = true;
  setErrorReporter({ report: capture, flush: async (ms) => void (await Sentry.flush(ms)) });
}

/** An unexpected failure with the ids that find its request or job (never an email, a token or a body). */
function capture(error: unknown, tags: ErrorTags): void {
  Sentry.withScope((scope) => {
    const { requestId, orgId, userId, ...rest } = tags;
    if (requestId) scope.setTag('request_id', requestId);
    if (orgId) scope.setTag('org_id', orgId);
    if (userId) {
      scope.setTag('user_id', userId);
      scope.setUser({ id: userId });
    }
    for (const [name, value] of Object.entries(rest)) if (value !== undefined && value !== null) scope.setTag(name, value);
    Sentry.captureException(error);
  });
}

export async function stopErrorTracking(timeoutMs = 2000): Promise<void> {
  if (!enabled) return;
  setErrorReporter(null);
  await Sentry.close(timeoutMs);
  enabled = false;
}

/** The DSN's OTLP traces endpoint, for the tracer provider to export to Sentry as well. */
export const sentryOtlpEndpoint = (dsn: string) => Sentry.getOtlpTracesEndpoint(dsn);
