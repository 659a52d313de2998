import { env } from '~/env';
import { seedDemo } from './seed/demo';
import { runMigrations } from './db/migrate';
import { resolveDatabaseUrl } from './db/resolve';
import { startDashboardRefresher } from './dashboard/refresh';
import { createAppServer } from './http/server';
import { loadTls } from './http/tls';
import { logger } from './logger';
import { createServices } from './services';
import { startWorkers } from './runtime/workers';

/** `npm start`: one process serving the API (tRPC's Node adapter) and the pages (Next.js), shut down gracefully. */
async function main() {
  const started = performance.now();
  // Until the app is up, a signal only stops what has started (the embedded PostgreSQL server, if any).
  let stopStarted = async () => {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await stopStarted();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const database = await resolveDatabaseUrl(env, logger);
  stopStarted = () => database.stop();
  const services = createServices(env, { logger, databaseUrl: database.url, embeddedDatabase: database.embedded });
  await runMigrations(database.url);
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

  const refresher = startDashboardRefresher(services);
  await refresher.refreshNow().catch((error: unknown) => logger.warn({ err: error }, 'first dashboard view refresh failed'));
  // One process in the embedded mode: the workers must share the app's in-process cache to invalidate it.
  const inProcessWorkers = env.WORKERS_IN_PROCESS === 'true' || (env.WORKERS_IN_PROCESS === 'auto' && database.embedded);
  const workers = inProcessWorkers ? await startWorkers(services) : null;
  const tls = await loadTls(env, logger);
  const app = createAppServer({ services, nextHandler: (req, res) => nextHandler(req, res), tls });
  const port = await app.listen(env.PORT, env.HOST);
  const url = env.PUBLIC_URL ?? `${app.protocol}://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${port}`;
  logger.info({ url, port, embeddedDatabase: database.embedded, redis: services.redis.kind, startupMs: Math.round(performance.now() - started) }, 'MyInventory is ready');
  process.stderr.write(`MyInventory ready on ${url}\n`);

  stopStarted = async () => {
    refresher.stop();
    const { forced } = await app.shutdown(env.SHUTDOWN_TIMEOUT_MS);
    await workers?.stop(env.SHUTDOWN_TIMEOUT_MS);
    await nextApp.close().catch(() => {});
    await services.close();
    await database.stop();
    logger.info({ forced }, 'stopped');
  };
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'failed to start');
  process.exit(1);
});
