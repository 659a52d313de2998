import * as Sentry from '@sentry/node';
import { setErrorReporter, type ErrorTags } from './report';

export type ErrorTrackingConfig = { dsn: string; environment: string; release: string; serverName: string; role: 'app' | 'workers' };
let enabled = false;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const SECRET_HEADERS = /^(authorization|cookie|set-cookie|x-api-key|proxy-authorization)$/i;
const withoutEmails = (text: string | undefined) => text?.replace(EMAIL, '[email]');

/**
 * The last word on what leaves for Sentry: no request body, cookie, credential header, query string, client IP or
 * email (in messages, exception values and breadcrumbs), whatever an integration or a caller attached.
 */
export function scrubEvent<E extends Sentry.ErrorEvent>(event: E): E {
  if (event.request) {
    delete event.request.data;
    delete event.request.cookies;
    delete event.request.query_string;
    if (event.request.headers) {
      event.request.headers = Object.fromEntries(Object.entries(event.request.headers).filter(([name]) => !SECRET_HEADERS.test(name)));
    }
    if (event.request.url) event.request.url = event.request.url.replace(/\?.*$/, '');
  }
  if (event.user) event.user = event.user.id === undefined ? {} : { id: event.user.id };
  event.message = withoutEmails(event.message);
  for (const exception of event.exception?.values ?? []) {
    exception.value = withoutEmails(exception.value);
    // Source lines around each frame travel too: a literal in the code is no more welcome there than in a message.
    for (const frame of exception.stacktrace?.frames ?? []) {
      frame.context_line = withoutEmails(frame.context_line);
      frame.pre_context = frame.pre_context?.map((line) => withoutEmails(line) ?? '');
      frame.post_context = frame.post_context?.map((line) => withoutEmails(line) ?? '');
      delete frame.vars;
    }
  }
  for (const crumb of event.breadcrumbs ?? []) {
    crumb.message = withoutEmails(crumb.message);
    delete crumb.data;
  }
  delete event.extra;
  return event;
}

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
    // Sentry 11's successor of `sendDefaultPii: false`, spelled out: no user fields, cookies, bodies, query strings,
    // bound values, queue payloads or local variables (a frame's `input` holds what the user typed).
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: { request: { deny: ['authorization', 'cookie', 'x-api-key'] }, response: false },
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
      genAI: { inputs: false, outputs: false },
      graphQL: { document: false, variables: false },
    },
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
