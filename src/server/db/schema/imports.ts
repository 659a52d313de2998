import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import type { CsvRowError } from '../../csv/read';
import { createdAt } from './_columns';
import { organizations } from './organizations';
import { users } from './users';

/**
 * Every bad row of a CSV import, kept for a week so the whole list can be downloaded: the import's answer lists
 * only the first 1,000 (an answer listing 70,000 would be tens of megabytes).
 */
export const importReports = pgTable(
  'import_reports',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    /** What was imported: `products` (the catalogue) or `stock` (a store's quantities). */
    kind: text().$type<'products' | 'stock'>().notNull(),
    errors: jsonb().$type<CsvRowError[]>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('import_reports_org_created_idx').on(t.orgId, t.createdAt)],
);
