import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

export const MIGRATIONS_FOLDER = path.resolve(process.cwd(), 'drizzle');
const MIGRATION_LOCK_ID = 7242001;

/**
 * Applies the committed drizzle-kit migrations; applied ones are skipped, so it runs on every start.
 * Drizzle takes no lock, so one connection holds an advisory lock while another migrates: instances starting
 * at once apply them one after the other instead of racing.
 */
export async function runMigrations(databaseUrl: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  try {
    const lock = await sql.reserve();
    try {
      await lock`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
      try {
        await migrate(drizzle({ client: sql }), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await lock`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
      }
    } finally {
      lock.release();
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
