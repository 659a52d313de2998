import { env } from '~/env';
import { runMigrations } from '~/server/db/migrate';
import { resolveDatabaseUrl } from '~/server/db/resolve';
import { logger } from '~/server/logger';

/** `npm run db:migrate`: applies drizzle/ to DATABASE_URL (or the embedded server). */
const database = await resolveDatabaseUrl(env, logger);
try {
  await runMigrations(env.DATABASE_DIRECT_URL ?? database.url);
  logger.info({ embedded: database.embedded }, 'migrations applied');
} finally {
  await database.stop();
}
