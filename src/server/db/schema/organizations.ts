import { jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
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
