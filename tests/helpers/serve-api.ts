import { env } from '~/env';
import { createAppServer } from '~/server/http/server';
import { logger } from '~/server/logger';
import { createServices } from '~/server/services';

/**
 * Our API server alone in its own process, for tests that must measure it from outside (its memory after a
 * hostile run). Asked `rss` over IPC, it collects garbage (started with --expose-gc) and answers its resident memory.
 */
if (!env.DATABASE_URL) throw new Error('tests/helpers/serve-api.ts needs DATABASE_URL');
const services = createServices(env, { logger, databaseUrl: env.DATABASE_URL });
const app = createAppServer({ services });
await app.listen(env.PORT, env.HOST);
process.send?.('listening');
process.on('message', async (message) => {
  if (message !== 'rss') return;
  // Collected three times with pauses: V8 gives committed pages back to the system some time after a collection.
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const m = process.memoryUsage();
  process.send?.({ rssMb: m.rss / 1024 / 1024, heapTotalMb: m.heapTotal / 1024 / 1024, externalMb: m.external / 1024 / 1024 });
});
process.on('SIGTERM', async () => {
  await app.shutdown(2000);
  await services.close();
  process.exit(0);
});
