import { boolean, foreignKey, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { orgId } from './_columns';
import { organizations } from './organizations';
import { stores } from './stores';

/**
 * Feature flags (src/server/flags): an org's choice for a flag, or one store's (`store_id`), over the flag's default
 * in code. No row: the default (or the org's choice, for a store).
 */
export const featureFlags = pgTable(
  'feature_flags',
  {
    orgId: orgId().references(() => organizations.id, { onDelete: 'cascade' }),
    flag: text().notNull(),
    storeId: uuid(),
    enabled: boolean().notNull(),
    updatedBy: uuid(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('feature_flags_org_flag_store_unique').on(t.orgId, t.flag, t.storeId).nullsNotDistinct(),
    // A store's choice is for a store of the same org.
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }).onDelete('cascade'),
  ],
);
