import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, orgId, quantity } from './_columns';
import { products } from './catalogue';
import { stores } from './stores';
import { users } from './users';

export const receiptStatuses = ['open', 'closed', 'cancelled'] as const;
export type ReceiptStatus = (typeof receiptStatuses)[number];
export const receiptStatus = pgEnum('receipt_status', receiptStatuses);

/**
 * One delivery received at a store: opened on the tablet (its id made there), scanned, closed. Closing writes the
 * `receipt` movements of the stock ledger and the received quantities of the request items it fills.
 */
export const receipts = pgTable(
  'receipts',
  {
    id: uuid().primaryKey(),
    orgId: orgId(),
    storeId: uuid().notNull(),
    status: receiptStatus().notNull().default('open'),
    /** The supplier's document, as typed (optional). */
    note: text(),
    openedBy: uuid().notNull(),
    openedAt: createdAt(),
    closedBy: uuid(),
    closedAt: timestamp({ withTimezone: true }),
    /**
     * What the close found, for the list of closed deliveries: products put in stock, products beyond what the
     * requests expected (accepted by a manager), codes the catalogue did not know (kept aside), request items that
     * came in part. Null while open.
     */
    products: integer(),
    excessProducts: integer(),
    unknownCodes: integer(),
    partialItems: integer(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.orgId, t.openedBy], foreignColumns: [users.orgId, users.id] }),
    index('receipts_store_status_idx').on(t.orgId, t.storeId, t.status, t.openedAt.desc()),
    // The store's closed deliveries, newest first (receiving.closed).
    index('receipts_store_closed_idx').on(t.storeId, t.closedAt, t.id).where(sql`${t.status} = 'closed'`),
  ],
);

/**
 * What arrived, as scanned: one row per scan (its id made on the device, so a resent batch adds nothing). A code
 * the catalogue does not know is kept with no product, aside from the stock. A correction is a new entry that
 * `replaces` an earlier one (its quantity stands instead; 0 undoes it), as in counting: the log is never edited.
 */
export const receiptEntries = pgTable(
  'receipt_entries',
  {
    id: uuid().primaryKey(),
    orgId: orgId(),
    receiptId: uuid()
      .notNull()
      .references(() => receipts.id, { onDelete: 'cascade' }),
    ean: text().notNull(),
    productId: uuid(),
    quantity: quantity().notNull(),
    /** The entry this one corrects: that one no longer counts. One correction per entry (correct the correction). */
    replaces: uuid(),
    scannedBy: uuid().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.productId], foreignColumns: [products.orgId, products.id] }),
    index('receipt_entries_receipt_idx').on(t.receiptId),
    uniqueIndex('receipt_entries_replaces_idx').on(t.replaces),
    check('receipt_entries_quantity_nonzero', sql`${t.quantity} <> 0 or ${t.replaces} is not null`),
  ],
);

/**
 * What each tablet receiving a delivery last said it still holds unsent (its sync's `pendingCount`): closing waits
 * for them, as a count's finalize waits for its devices, unless a manager closes without them.
 */
export const receiptDevices = pgTable(
  'receipt_devices',
  {
    receiptId: uuid()
      .notNull()
      .references(() => receipts.id, { onDelete: 'cascade' }),
    deviceId: text().notNull(),
    userId: uuid().notNull(),
    pendingCount: integer().notNull().default(0),
    lastSyncAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.receiptId, t.deviceId] })],
);
