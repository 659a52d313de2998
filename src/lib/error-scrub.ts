/**
 * What leaves for Sentry, server and browser alike: no request body, cookie, credential header, query string,
 * client IP or email (in messages, exception values, source lines and breadcrumbs), whatever an integration or a
 * caller attached. Typed by the fields it touches, so the browser and the server SDK's events both fit.
 */
type Frame = { context_line?: string; pre_context?: string[]; post_context?: string[]; vars?: unknown };
type ScrubbableEvent = {
  message?: string;
  request?: { data?: unknown; cookies?: unknown; query_string?: unknown; headers?: Record<string, string>; url?: string };
  user?: { id?: string | number; [key: string]: unknown };
  exception?: { values?: { value?: string; stacktrace?: { frames?: Frame[] } }[] };
  breadcrumbs?: { message?: string; data?: unknown }[];
  extra?: unknown;
};

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const SECRET_HEADERS = /^(authorization|cookie|set-cookie|x-api-key|proxy-authorization)$/i;
const withoutEmails = (text: string | undefined) => text?.replace(EMAIL, '[email]');

export function scrubEvent<E extends ScrubbableEvent>(event: E): E {
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

/** Sentry 11's `dataCollection`, the successor of `sendDefaultPii: false`, spelled out: nothing personal collected. */
export const privateDataCollection = () => ({
  userInfo: false,
  cookies: false,
  httpHeaders: { request: { deny: ['authorization', 'cookie', 'x-api-key'] }, response: false },
  httpBodies: [] as never[],
  urlQueryParams: false,
  databaseQueryData: false,
  queues: false,
  stackFrameVariables: false,
  genAI: { inputs: false, outputs: false },
  graphQL: { document: false, variables: false },
});

/** What the root layout hands the browser (`<meta name="mi-monitoring">`): the public DSN, environment, release. */
export type BrowserMonitoring = { dsn: string; environment: string; release: string };
export const MONITORING_META = 'mi-monitoring';
