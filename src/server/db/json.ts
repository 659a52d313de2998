import { sql } from 'drizzle-orm';

/** A JSON array parameter, read set-based on the server (never one parameter per element). */
export const jsonArray = (values: unknown[]) => sql`${JSON.stringify(values)}::jsonb`;
export const textSet = (values: string[]) => sql`(select jsonb_array_elements_text(${jsonArray(values)}))`;
