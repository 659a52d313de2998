import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, money, orgId, quantity, updatedAt } from './_columns';
import { products, textC } from './catalogue';
import { stores } from './stores';
import { users } from './users';

/** Current quantity per store and product: the balance of the stock ledger (stock_movements), kept with each movement. */
export const storeStock = pgTable(
  'store_stock',
  {
    orgId: orgId(),
    storeId: uuid().notNull(),
    productId: uuid().notNull(),
    quantity: quantity().notNull().default(0),
    updatedAt: updatedAt(),
    /**
     * The product's `name_key`, `search_words` and `ean`, copied on a new row (trigger, migration 0022) and by the
     * workers when the product changes (stock/consumers.ts), so a store's stock pages in name order and searches words
     * and EAN prefixes from its own indexes, never sorting every product the store holds.
     */
    nameKey: textC(),
    searchWords: text(),
    ean: textC(),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.productId] }),
    index('store_stock_product_idx').on(t.productId),
    // Migration 0022 adds INCLUDE (search_words), which drizzle's builder cannot say: a store's search reads index entries only.
    index('store_stock_store_name_idx').on(t.storeId, t.nameKey, t.productId),
    index('store_stock_store_ean_idx').on(t.storeId, t.ean, t.productId),
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.orgId, t.productId], foreignColumns: [products.orgId, products.id] }),
  ],
);

/** What finalize did with a line nobody counted that expected stock (the manager's choice). */
export const uncountedResolutions = ['zeroed', 'kept'] as const;
export type UncountedResolution = (typeof uncountedResolutions)[number];

export const inventorySessionStatuses = ['open', 'finalized', 'cancelled'] as const;
export const inventorySessionStatus = pgEnum('inventory_session_status', inventorySessionStatuses);
export const inventoryScopes = ['full', 'partial'] as const;
export const inventoryScope = pgEnum('inventory_scope', inventoryScopes);

export const inventorySessions = pgTable(
  'inventory_sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId(),
    /** The org's human number, `INV-<year>-<000045>`, given by the database on insert (as purchase requests'). */
    number: text().notNull().default(''),
    storeId: uuid().notNull(),
    scope: inventoryScope().notNull().default('full'),
    /** For partial sessions: the categories or zones counted. */
    filter: jsonb().$type<{ categories?: string[]; zones?: string[] }>().notNull().default({}),
    blind: boolean().notNull().default(false),
    status: inventorySessionStatus().notNull().default('open'),
    /** Share of the expected quantity (0.1 = 10%) above which a line is flagged for recount. */
    varianceThreshold: quantity().notNull().default(0.1),
    note: text(),
    openedBy: uuid().notNull(),
    finalizedBy: uuid(),
    openedAt: createdAt(),
    finalizedAt: timestamp({ withTimezone: true }),
    cancelledBy: uuid(),
    cancelledAt: timestamp({ withTimezone: true }),
    /** Why the manager cancelled it (required from the screen). */
    cancelReason: text(),
    /**
     * `pg_current_snapshot()` of the statement that took the expected quantities: stock movements it did not see
     * (a delivery received mid-count) are added to the expected quantity of their line, so they are no variance.
     */
    stockSnapshot: text(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }),
    foreignKey({ columns: [t.orgId, t.openedBy], foreignColumns: [users.orgId, users.id] }),
    index('inventory_sessions_org_store_idx').on(t.orgId, t.storeId, t.openedAt.desc()),
    index('inventory_sessions_org_opened_idx').on(t.orgId, t.openedAt.desc(), t.id.desc()),
    // One open session per store: two managers opening at once get one session and one CONFLICT.
    uniqueIndex('inventory_sessions_one_open_per_store').on(t.storeId).where(sql`${t.status} = 'open'`),
    uniqueIndex('inventory_sessions_org_number_idx').on(t.orgId, t.number),
  ],
);

export const inventoryAssignments = pgTable(
  'inventory_assignments',
  {
    sessionId: uuid()
      .notNull()
      .references(() => inventorySessions.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    zone: text().notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId, t.zone] }), index('inventory_assignments_user_idx').on(t.userId)],
);

/** Expected quantity per product, snapshotted from store_stock when the session opens. */
export const inventoryExpected = pgTable(
  'inventory_expected',
  {
    sessionId: uuid()
      .notNull()
      .references(() => inventorySessions.id, { onDelete: 'cascade' }),
    productId: uuid()
      .notNull()
      .references(() => products.id),
    expectedQuantity: quantity().notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.productId] })],
);

/** The append-only scan log. Ids are made by the device, which makes sync idempotent. */
export const countEntries = pgTable(
  'count_entries',
  {
    id: uuid().primaryKey(),
    orgId: orgId(),
    sessionId: uuid()
      .notNull()
      .references(() => inventorySessions.id, { onDelete: 'cascade' }),
    /** Null when the EAN matched no product (the "unmatched" list). */
    productId: uuid().references(() => products.id),
    ean: text().notNull(),
    /** Negative quantities are corrections. */
    quantity: quantity().notNull(),
    zone: text().notNull().default(''),
    countedBy: uuid()
      .notNull()
      .references(() => users.id),
    deviceId: text().notNull(),
    seq: integer().notNull(),
    replaces: uuid(),
    /** A recount replaces this product's earlier count for the session. */
    recount: boolean().notNull().default(false),
    countedAt: timestamp({ withTimezone: true }).notNull(),
    receivedAt: createdAt(),
  },
  (t) => [
    index('count_entries_session_product_idx').on(t.sessionId, t.productId),
    index('count_entries_session_device_idx').on(t.sessionId, t.deviceId, t.seq),
    // An entry is replaced at most once (a second correction replaces the first correction), so no count doubles.
    uniqueIndex('count_entries_session_replaces_unique').on(t.sessionId, t.replaces).where(sql`${t.replaces} is not null`),
    check('count_entries_ean_digits', sql`${t.ean} ~ '^[0-9]{8,14}$'`),
    check('count_entries_seq_non_negative', sql`${t.seq} >= 0`),
  ],
);

/** What each device reported at its last sync: used to refuse finalize while entries are still on a tablet. */
export const inventoryDevices = pgTable(
  'inventory_devices',
  {
    sessionId: uuid()
      .notNull()
      .references(() => inventorySessions.id, { onDelete: 'cascade' }),
    deviceId: text().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    pendingCount: integer().notNull().default(0),
    lastSeq: integer().notNull().default(0),
    lastSyncAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.deviceId] }), check('inventory_devices_pending_non_negative', sql`${t.pendingCount} >= 0`)],
);

/** Lines a manager asked to count again; devices see them through byId and progress. */
export const inventoryRecounts = pgTable(
  'inventory_recounts',
  {
    sessionId: uuid()
      .notNull()
      .references(() => inventorySessions.id, { onDelete: 'cascade' }),
    /** The line's EAN (the product's, or the scanned code of an unmatched line). */
    ean: text().notNull(),
    productId: uuid().references(() => products.id),
    requestedBy: uuid()
      .notNull()
      .references(() => users.id),
    requestedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.ean] })],
);

/** Totals per EAN written at finalize, with the variance against the snapshot. */
export const inventoryTotals = pgTable(
  'inventory_totals',
  {
    sessionId: uuid()
      .notNull()
      .references(() => inventorySessions.id, { onDelete: 'cascade' }),
    ean: text().notNull(),
    productId: uuid().references(() => products.id),
    countedQuantity: quantity().notNull(),
    expectedQuantity: quantity().notNull(),
    varianceQuantity: quantity().notNull(),
    varianceValue: money().notNull(),
    /** Reference price the variance value was computed with. */
    unitPrice: money().notNull().default(0),
    /** Entries that made up the count (after corrections and recounts). */
    entryCount: integer().notNull().default(0),
    /** Whether a recount replaced the first count. */
    recounted: boolean().notNull().default(false),
    /** The counted quantity per zone: [{ zone, quantity }]. */
    zones: jsonb().$type<{ zone: string; quantity: number }[]>().notNull().default([]),
    /**
     * For a line nobody counted that expected stock: what the manager chose at finalize. `zeroed`: the stock became
     * 0 (counted 0); `kept`: the expected quantity was kept (recorded as counted, no variance, the stock untouched).
     * Null for counted lines.
     */
    uncounted: text().$type<UncountedResolution>(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.ean] }),
    check('inventory_totals_uncounted', sql`${t.uncounted} is null or ${t.uncounted} in ('zeroed', 'kept')`),
  ],
);
