import { env } from '~/env';
import { createAppServer } from '~/server/http/server';
import { logger } from '~/server/logger';
import { createServices } from '~/server/services';

/** The API half of `npm start` (no Next.js pages), for benchmarks: same server, same middleware chain. */
if (!env.DATABASE_URL) throw new Error('bench/serve-api.ts needs DATABASE_URL');
const services = createServices(env, { logger, databaseUrl: env.DATABASE_URL });
const app = createAppServer({ services });
await app.listen(env.PORT, env.HOST);
process.on('SIGTERM', async () => {
  await app.shutdown(2000);
  await services.close();
  process.exit(0);
});
