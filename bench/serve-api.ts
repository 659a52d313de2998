// First: tracing, when configured, patches modules the others load (src/server/telemetry/register-app.ts).
import '~/server/telemetry/register-app';
import { env } from '~/env';
import { startDashboardRefresher } from '~/server/dashboard/refresh';
import { createAppServer } from '~/server/http/server';
import { logger } from '~/server/logger';
import { createServices } from '~/server/services';
import { createBenchRouter } from './dashboard/router';

/**
 * The API half of `npm start` (no Next.js pages) for benchmarks: same server, same middleware chain, plus the
 * bench-only procedures (bench/dashboard/router.ts).
 */
if (!env.DATABASE_URL) throw new Error('bench/serve-api.ts needs DATABASE_URL');
const services = createServices(env, { logger, databaseUrl: env.DATABASE_URL });
const refresher = startDashboardRefresher(services);
const app = createAppServer({ services, router: createBenchRouter(services) });
await app.listen(env.PORT, env.HOST);
process.on('SIGTERM', async () => {
  refresher.stop();
  await app.shutdown(2000);
  await services.close();
  process.exit(0);
});
