// First: tracing patches modules the others load (src/server/telemetry/register-app.ts).
import { telemetry } from './telemetry/register-app';
import { env } from '~/env';
import { seedDemo } from './seed/demo';
import { EmbeddedPostgresRefusal } from './db/embedded';
import { runMigrations } from './db/migrate';
import { resolveDatabaseUrl } from './db/resolve';
import { startDashboardRefresher } from './dashboard/refresh';
import { createAppServer } from './http/server';
import { localHttpsSummary } from './tls/status';
import { loadTls, startCertificateRenewal } from './tls/tls';
import { logger } from './logger';
import { createServices } from './services';
import { startWorkers } from './runtime/workers';
import { tuneHeapGrowth } from './runtime/heap';
import { checkConnectionBudget } from './db/connection-budget';
import { instanceName, startHeartbeat } from './observability/heartbeat';
import { startWatchdog } from './observability/watchdog';

/** A signal, or the process that started us gone: whatever has started is stopped, then the process exits. */
let stopping: Promise<void> | null = null;

/**
 * `npm start` (scripts/start.ts), the e2e server and deployments: one process serving the API (tRPC's Node
 * adapter) and the pages (Next.js), shut down gracefully on SIGTERM, SIGINT (Ctrl+C) and SIGHUP (its terminal
 * closed), and when the process that started it dies (npm killed with SIGKILL): requests and jobs are drained,
 * then PostgreSQL is stopped, last.
 */
async function main() {
  const started = performance.now();
  // Fewer full collections under load (a photo burst's buffers): src/server/runtime/heap.ts.
  tuneHeapGrowth(env.HEAP_GROWING_PERCENT);
  // Until the app is up, a stop only stops what has started (the embedded PostgreSQL server, if any).
  let stopStarted = async () => {};
  const stop = (why: { signal: NodeJS.Signals } | { reason: string }) => {
    // Ctrl+C reaches the whole process group: npm passes its own SIGINT on too, so one key press is two signals.
    if (stopping) return logger.info(why, 'already shutting down');
    logger.info(why, 'shutting down');
    clearInterval(orphanWatch);
    stopping = stopStarted().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop({ signal }));
  // Nobody would be left to stop us: a supervisor that kills npm with SIGKILL, a closed terminal npm died with.
  const parent = process.ppid;
  const orphanWatch = setInterval(() => {
    if (process.ppid !== parent) stop({ reason: `the process that started this one (${parent}) exited` });
  }, 1000).unref();

  const aborter = new AbortController();
  const databaseStarting = resolveDatabaseUrl(env, logger, aborter.signal);
  stopStarted = async () => {
    aborter.abort();
    await databaseStarting.then((database) => database.stop(), () => {});
  };
  const database = await databaseStarting;
  stopStarted = () => database.stop();
  const services = createServices(env, { logger, databaseUrl: database.url, embeddedDatabase: database.embedded });
  await runMigrations(env.DATABASE_DIRECT_URL ?? database.url);
  if (env.DEMO_SEED) {
    const demo = await seedDemo(services.db, services.sql);
    if (demo.seeded) {
      logger.info('demo organization created');
      process.stderr.write(`\nDemo logins (password for all: ${demo.logins[0]?.password ?? ''}):\n${demo.logins.map((l) => `  ${l.role.padEnd(8)} ${l.email}`).join('\n')}\n\n`);
    }
  }

  const { default: next } = await import('next');
  const nextApp = next({ dev: false, dir: process.cwd(), hostname: env.HOST, port: env.PORT });
  await nextApp.prepare();
  const nextHandler = nextApp.getRequestHandler();

  // Stopped while starting: nothing more is started; the stop ends the process once PostgreSQL has stopped.
  if (stopping) return;
  const refresher = startDashboardRefresher(services);
  await refresher.refreshNow().catch((error: unknown) => logger.warn({ err: error }, 'first dashboard view refresh failed'));
  // One process in the embedded mode: the workers must share the app's in-process cache to invalidate it.
  const inProcessWorkers = env.WORKERS_IN_PROCESS === 'true' || (env.WORKERS_IN_PROCESS === 'auto' && database.embedded);
  await checkConnectionBudget(services.sql, env, { inProcessWorkers, logger }).catch((error: unknown) => logger.warn({ err: error }, 'connection budget not checked'));
  const workers = inProcessWorkers ? await startWorkers(services) : null;
  const tls = await loadTls(env, logger);
  const app = createAppServer({ services, nextHandler: (req, res) => nextHandler(req, res), tls });
  const port = await app.listen(env.PORT, env.HOST);
  // The store's own authority re-signs the server's certificate when the machine's addresses change or it nears its end.
  const renewal = startCertificateRenewal(env, logger, tls, (next) => app.setCertificate(next));
  const heartbeat = startHeartbeat(services, { instance: instanceName(env, 'app', port), role: 'app' });
  const watchdog = startWatchdog(services, { pushEnabled: Boolean(env.FCM_PROJECT_ID) });
  const url = env.PUBLIC_URL ?? `${app.protocol}://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${port}`;
  logger.info({ url, port, embeddedDatabase: database.embedded, redis: services.redis.kind, startupMs: Math.round(performance.now() - started) }, 'MyInventory is ready');
  process.stderr.write(`MyInventory ready on ${url}\n`);
  const local = await localHttpsSummary(env).catch(() => null);
  if (local?.addresses[0]) process.stderr.write(`Tablets on the store's network: open ${local.addresses[0].installUrl} once to trust this server\n`);

  stopStarted = async () => {
    refresher.stop();
    renewal.stop();
    await watchdog.stop();
    if (env.SHUTDOWN_DRAIN_DELAY_MS > 0) {
      // Behind a load balancer: not ready, still serving, until its health checks have taken this instance out.
      app.beginDrain();
      await new Promise((resolve) => setTimeout(resolve, env.SHUTDOWN_DRAIN_DELAY_MS));
    }
    const { forced } = await app.shutdown(env.SHUTDOWN_TIMEOUT_MS);
    await heartbeat.stop();
    await workers?.stop(env.SHUTDOWN_TIMEOUT_MS);
    await nextApp.close().catch(() => {});
    await services.close();
    await database.stop();
    logger.info({ forced }, 'stopped');
    await telemetry.stop();
  };
}

main().catch((error: unknown) => {
  // Stopped while starting: the step that was cut short fails; the stop itself ends the process.
  if (stopping) return;
  if (error instanceof EmbeddedPostgresRefusal) {
    // Something the operator fixes: the one line that says what to do, no stack.
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  logger.fatal({ err: error }, 'failed to start');
  process.exit(1);
});
