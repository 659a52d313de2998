import postgres from 'postgres';
import type { Env } from '~/env';
import type { Logger } from '../logger';
import { embeddedUrl } from './embedded';
import { resolveDatabaseUrl } from './resolve';

/**
 * The database a maintenance script (backup, restore) works on: PostgreSQL itself (DATABASE_DIRECT_URL: pg_dump and
 * psql set session settings, which behind PgBouncer's transaction pooling would stay on a connection the app then
 * gets), else DATABASE_URL; in the embedded default, the embedded server the app has running, or else one the
 * script starts (and stops).
 */
export async function databaseForScript(env: Env, logger: Logger): Promise<{ url: string; stop: () => Promise<void> }> {
  if (env.DATABASE_DIRECT_URL) return { url: env.DATABASE_DIRECT_URL, stop: async () => {} };
  if (!env.DATABASE_URL) {
    const running = embeddedUrl(env.EMBEDDED_PG_PORT);
    const sql = postgres(running, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return { url: running, stop: async () => {} };
    } catch {
      // Not running: started below.
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  const database = await resolveDatabaseUrl(env, logger);
  return { url: database.url, stop: database.stop };
}
