// First: tracing patches modules the others load (src/server/telemetry/register-workers.ts).
import { telemetry } from '~/server/telemetry/register-workers';
import { env } from '~/env';
import { logger } from '~/server/logger';
import { createServices } from '~/server/services';
import { startMetricsServer } from '../src/server/http/metrics-route';
import { startWatchdog } from '../src/server/observability/watchdog';
import { startWorkers } from '../src/server/runtime/workers';
import { lowerPriority } from '../src/server/runtime/priority';
import { checkConnectionBudget } from '../src/server/db/connection-budget';

/**
 * `npm run workers`: the worker process (outbox relay + queue processors). It needs DATABASE_URL: with the
 * embedded database, `npm start` runs the workers inside the app instead.
 */
if (!env.DATABASE_URL) {
  logger.fatal('DATABASE_URL is required for a separate worker process (with the embedded database, npm start runs the workers itself)');
  process.exit(1);
}
// Background work yields to the people using the app on the same machine (an upload burst's thumbnails, photos).
if (env.WORKER_NICE > 0) {
  try {
    lowerPriority(env.WORKER_NICE);
  } catch (error) {
    logger.warn({ err: error, nice: env.WORKER_NICE }, 'could not lower the worker process priority');
  }
}
const services = createServices(env, { logger, databaseUrl: env.DATABASE_URL, applicationName: 'myinventory-workers', role: 'workers' });
await checkConnectionBudget(services.sql, env, { inProcessWorkers: false, logger }).catch((error: unknown) => logger.warn({ err: error }, 'connection budget not checked'));
const runtime = await startWorkers(services);
const watchdog = startWatchdog(services, { pushEnabled: runtime.sender !== null });
// Prometheus scrapes each worker process on a port of its own, with the app's bearer token; neither set: none.
const metricsServer =
  env.WORKER_METRICS_PORT && env.METRICS_TOKEN ? await startMetricsServer(services, { port: env.WORKER_METRICS_PORT, host: env.WORKER_METRICS_HOST }) : null;
if (env.WORKER_METRICS_PORT && !env.METRICS_TOKEN) logger.warn('WORKER_METRICS_PORT is set without METRICS_TOKEN: metrics are served only with a token, so none are');
if (metricsServer) logger.info({ port: metricsServer.port, host: env.WORKER_METRICS_HOST }, 'worker metrics served on /metrics');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'workers shutting down');
  await watchdog.stop();
  const { forced } = await runtime.stop(env.SHUTDOWN_TIMEOUT_MS);
  await metricsServer?.close();
  // Bounded too: a server that stopped answering must not keep the process from exiting.
  await Promise.race([services.close(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  logger.info({ forced }, 'workers stopped');
  await telemetry.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
