import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { onDriverQuery } from './query-count';
import * as schema from './schema';

export type Database = PostgresJsDatabase<typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Query functions take either, so they compose inside a caller's transaction. */
export type Executor = Database | Transaction;

export type DatabaseOptions = {
  url: string;
  poolMax: number;
  /** false behind PgBouncer in transaction mode. */
  prepare: boolean;
  statementTimeoutMs: number;
  applicationName?: string;
};

export function createDatabase(opts: DatabaseOptions) {
  const sql = postgres(opts.url, {
    max: opts.poolMax,
    prepare: opts.prepare,
    idle_timeout: 30,
    connect_timeout: 5,
    max_lifetime: 60 * 30,
    onnotice: () => {},
    connection: {
      application_name: opts.applicationName ?? 'myinventory',
      statement_timeout: opts.statementTimeoutMs,
    },
    debug: (_connection, query) => onDriverQuery(query),
  });
  const db = drizzle({ client: sql, schema, casing: 'snake_case' });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

export type DatabaseHandle = ReturnType<typeof createDatabase>;
export { schema };
