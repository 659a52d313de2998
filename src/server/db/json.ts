import { sql } from 'drizzle-orm';

/** A JSON array parameter, read set-based on the server (never one parameter per element). */
export const jsonArray = (values: unknown[]) => sql`${JSON.stringify(values)}::jsonb`;
export const textSet = (values: string[]) => sql`(select jsonb_array_elements_text(${jsonArray(values)}))`;
/**
 * `= ${anyOf(values, 'uuid')}`: any element of the array, computed once before the scan (an InitPlan), so an index on
 * the column is used even inside an OR, where `in ${textSet(...)}` makes PostgreSQL test every row of the table.
 */
export const anyOf = (values: string[], type: 'text' | 'uuid') =>
  sql`any(array(select jsonb_array_elements_text(${jsonArray(values)})::${sql.raw(type)}))`;
