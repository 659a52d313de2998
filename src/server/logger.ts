import pino, { type Logger } from 'pino';
import { env } from '~/env';

export type { Logger };

/** JSON lines on stdout; each request gets `logger.child({ requestId, userId, orgId, path })`. */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name ?? 'myinventory',
    level: opts.level ?? env.LOG_LEVEL,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['password', '*.password', 'token', '*.token', 'req.headers.cookie', 'req.headers.authorization'], remove: true },
    serializers: { err: pino.stdSerializers.err },
  });
}

export const logger = createLogger();
