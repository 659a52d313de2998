import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, orgId, updatedAt } from './_columns';
import { organizations } from './organizations';

export const stores = pgTable(
  'stores',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId().references(() => organizations.id, { onDelete: 'cascade' }),
    code: text().notNull(),
    name: text().notNull(),
    city: text(),
    active: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('stores_org_code_unique').on(t.orgId, t.code),
    // Composite target for foreign keys that must stay inside one org.
    unique('stores_org_id_unique').on(t.orgId, t.id),
    index('stores_org_name_idx').on(t.orgId, t.name, t.id).where(sql`${t.active}`),
  ],
);
