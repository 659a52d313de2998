import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import { tracingEnabled } from '../telemetry/spans';
import { trackPoolUsage } from './pool-usage';
import { onDriverQuery } from './query-count';
import { statementTarget, withStatementSpans } from './statement-spans';
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
  /**
   * Feed `countQueries` (tests, benchmarks). Off in the app and workers: postgres.js's `debug` hook also makes it
   * capture a stack trace (`new Error()`) for every query, about 4 % of the app's CPU on the notification path.
   */
  countQueries?: boolean;
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
    debug: opts.countQueries ? (_connection, query) => onDriverQuery(query) : undefined,
  });
  // Behind PgBouncer in transaction mode (prepare false), one statement at a time per connection (pool-usage.ts).
  const pool = trackPoolUsage(sql, opts.poolMax, { onePerConnection: !opts.prepare });
  const client = opts.prepare ? preparing(pool.sql) : pool.sql;
  // A span per statement only when tracing is on: off, drizzle gets the client without that wrapper.
  const db = drizzle({ client: tracingEnabled() ? withStatementSpans(client, statementTarget(opts.url)) : client, schema, casing: 'snake_case' });
  // `sql` is the tracked client too: a statement or transaction begun on it (an export's stream) waits for its slot like
  // drizzle's, never pipelined onto a busy connection behind PgBouncer.
  return { db, sql: pool.sql, poolUsage: pool.usage, close: () => sql.end({ timeout: 5 }) };
}

export type DatabaseHandle = ReturnType<typeof createDatabase>;
export { schema };

/**
 * The postgres.js client with every statement prepared, which drizzle's driver otherwise never does
 * (drizzle-orm#6096; docs/architecture.md "Prepared statements"). Transactions and savepoints hand drizzle a new
 * client, so those are wrapped too. Only with `DATABASE_PREPARE` on (off behind PgBouncer in transaction mode).
 */
function preparing(sql: Sql): Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      switch (property) {
        case 'unsafe':
          return (query: string, args?: unknown[], options?: { prepare?: boolean }) =>
            target.unsafe(query, args as never, { ...options, prepare: true });
        case 'begin':
        case 'savepoint':
          return (...args: unknown[]) => {
            const body = args.pop() as (client: Sql) => unknown;
            return (Reflect.get(target, property) as (...a: unknown[]) => unknown)(...args, (client: Sql) => body(preparing(client)));
          };
        default:
          return Reflect.get(target, property, receiver);
      }
    },
  });
}
