import { env } from '~/env';
import { startTelemetry } from './start';

/** Imported first by the worker process's entry (workers/main.ts); see register-app.ts. */
export const telemetry = startTelemetry(env, 'workers');
