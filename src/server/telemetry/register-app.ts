import { env } from '~/env';
import { startTelemetry } from './start';

/**
 * Imported first by the app's entry (src/server/main.ts): tracing must be started before the modules it patches
 * (http, ioredis) are used, and before the logger, the database client and tRPC's procedures are built (each adds
 * its tracing only when it is on).
 */
export const telemetry = startTelemetry(env, 'app');
