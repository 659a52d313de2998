import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { Sql } from 'postgres';

export const MIGRATIONS_FOLDER = path.resolve(process.cwd(), 'drizzle');
const MIGRATION_LOCK_ID = 7242001;

/**
 * Applies the committed drizzle-kit migrations; applied ones are skipped, so it runs on every start.
 * Drizzle takes no lock, so one reserved connection holds an advisory lock: instances starting at once
 * apply them one after the other instead of racing.
 */
export async function runMigrations(sql: Sql): Promise<void> {
  const conn = await sql.reserve();
  try {
    await conn`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    try {
      await migrate(drizzle({ client: conn }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await conn`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
    }
  } finally {
    conn.release();
  }
}
