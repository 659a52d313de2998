import { bigint, date, integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { orgId } from './_columns';
import { organizations } from './organizations';

/**
 * OpenAI's tokens per organization and UTC day (the scoring of product photos): what the daily budget is checked
 * against, and what the admin system page shows. One row per org and day, incremented after each call.
 */
export const openaiUsage = pgTable(
  'openai_usage',
  {
    orgId: orgId().references(() => organizations.id, { onDelete: 'cascade' }),
    day: date({ mode: 'string' }).notNull(),
    calls: integer().notNull().default(0),
    promptTokens: bigint({ mode: 'number' }).notNull().default(0),
    completionTokens: bigint({ mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day] })],
);
