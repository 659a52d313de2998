import { env } from '~/env';
import { createDatabase } from '~/server/db/client';
import { runMigrations } from '~/server/db/migrate';
import { resolveDatabaseUrl } from '~/server/db/resolve';
import { logger } from '~/server/logger';

/** `npm run db:migrate`: applies drizzle/ to DATABASE_URL (or the embedded server). */
const database = await resolveDatabaseUrl(env, logger);
const { sql, close } = createDatabase({ url: database.url, poolMax: 1, prepare: true, statementTimeoutMs: 0 });
try {
  await runMigrations(sql);
  logger.info({ embedded: database.embedded }, 'migrations applied');
} finally {
  await close();
  await database.stop();
}
