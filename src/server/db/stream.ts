import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Sql } from 'postgres';

// The database's own casing (db/client.ts): schema columns such as `storeId` are `store_id`.
const dialect = new PgDialect({ casing: 'snake_case' });

export type StreamOptions = {
  /** Rows fetched from the portal at a time (what memory holds of the result at once). */
  batchSize: number;
  /**
   * The statement's timeout. PostgreSQL counts a cursor's whole life as one statement, so the pool's own
   * (`DATABASE_STATEMENT_TIMEOUT_MS`, 15 s) would cut a long read, or one whose reader is slow.
   */
  timeoutMs: number;
};

/**
 * Runs one statement (a drizzle `sql` fragment, so it can reuse the domains' SQL) and hands its rows to `consume`
 * in batches as PostgreSQL produces them: a postgres.js cursor reads the portal `batchSize` rows at a time, never
 * the whole result. Its own read-only transaction holds one connection of the pool until `consume` returns; when
 * `consume` throws or stops iterating, the cursor is closed and the transaction rolled back.
 */
export async function streamRows<Row, Result>(client: Sql, query: SQL, opts: StreamOptions, consume: (batches: AsyncIterable<Row[]>) => Promise<Result>): Promise<Result> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  const result = await client.begin('read only', async (tx) => {
    await tx.unsafe(`set local statement_timeout = ${Math.max(1, Math.floor(opts.timeoutMs))}`);
    return { value: await consume(tx.unsafe(text, params as never[]).cursor(opts.batchSize) as AsyncIterable<Row[]>) };
  });
  return (result as { value: Result }).value;
}
