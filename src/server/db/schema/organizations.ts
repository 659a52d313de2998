import { integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './_columns';

export type ScaleBarcodeLayout = { pluLength: 4 | 5 | 6; value: 'weight_grams' | 'price_cents' };

export const organizations = pgTable('organizations', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  slug: text().notNull().unique(),
  settings: jsonb()
    .$type<{ scaleBarcode?: ScaleBarcodeLayout }>()
    .notNull()
    .default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Per-org, per-kind, per-year counters behind human document numbers (`PC-2026-000123`, `INV-2026-000045`). The
 * trigger assign_document_number (migration 0009) takes the next one on insert; a retried create that ends in
 * ON CONFLICT DO NOTHING has already taken one, so a number can be skipped, never repeated.
 */
export const documentNumbers = pgTable(
  'document_numbers',
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** The number's prefix: PC (purchase request), INV (inventory count). */
    kind: text().notNull(),
    /** The year in America/Sao_Paulo when the document was made. */
    year: integer().notNull(),
    lastNumber: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.kind, t.year] })],
);
