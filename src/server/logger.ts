import pino, { type DestinationStream, type Logger } from 'pino';
import { env } from '~/env';
import { activeTraceIds, tracingEnabled } from './telemetry/spans';

export type { Logger };

/** Keys whose values never reach a log line, at any depth of a logged object or error. */
const SECRET_KEYS = new Set(['password', 'passwordhash', 'password_hash', 'token', 'tokenhash', 'token_hash', 'secret', 'cookie', 'authorization', 'set-cookie']);
/** What a failed statement carries besides its text: the bound values (a new user's password hash, say). */
const STATEMENT_VALUES = new Set(['params', 'parameters', 'args', 'values']);

/**
 * Values a statement's error repeats in its text: drizzle's "params: …" line, and PostgreSQL quoting the input it
 * refused (`invalid input syntax for type uuid: "…"`) or the key it found (`Key (email)=(…)`).
 */
const withoutValues = (text: string) =>
  text
    .replace(/^params: .*$/gm, 'params: [redacted]')
    .replace(/(invalid input (?:syntax|value) for [^:]*: )"(?:[^"\\]|\\.)*"/g, '$1"[redacted]"')
    .replace(/(Key \([^)]*\)=)\((?:[^()]|\([^()]*\))*\)/g, '$1([redacted])');

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return withoutValues(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, seen));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k.toLowerCase()) || STATEMENT_VALUES.has(k) ? '[redacted]' : scrub(v, depth + 1, seen)]),
  );
}

/**
 * Errors are logged with their message, stack and cause chain, but never the values bound to a failed statement
 * (drivers attach them) nor any secret-named field: a log is read by more people than the database.
 */
function errorSerializer(error: unknown) {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  return scrub(serialized, 0, new WeakSet());
}

/** JSON lines on stdout (or `destination`); each request gets `logger.child({ requestId, userId, orgId, path })`. */
export function createLogger(opts: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: opts.name ?? 'myinventory',
      level: opts.level ?? env.LOG_LEVEL,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['password', '*.password', 'passwordHash', '*.passwordHash', 'token', '*.token', 'secret', '*.secret', 'req.headers.cookie', 'req.headers.authorization', 'headers.cookie', 'headers.authorization'],
        censor: '[redacted]',
      },
      serializers: { err: errorSerializer, error: errorSerializer },
      // A line logged inside a request's or a job's span carries its trace (traceId, spanId); nothing when tracing is off.
      mixin: tracingEnabled() ? () => activeTraceIds() ?? {} : undefined,
    },
    opts.destination,
  );
}

export const logger = createLogger();
