import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

/**
 * Newest first, the way the indexes are declared: drizzle's `.desc()` in an index is `DESC NULLS LAST`, and
 * `desc(column)` in a query is `DESC` (nulls first), which no scan of such an index gives. PostgreSQL then reads every
 * matching row and sorts them for each page (an org's whole request history, a user's notifications). On NOT NULL
 * columns the order is the same.
 */
export const newestFirst = (column: AnyColumn | SQL): SQL => sql`${column} desc nulls last`;
