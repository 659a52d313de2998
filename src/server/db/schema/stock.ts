import { sql } from 'drizzle-orm';
import { bigserial, check, customType, foreignKey, index, pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, orgId, quantity, updatedAt } from './_columns';
import { products } from './catalogue';
import { stores } from './stores';

/**
 * Why a store's stock moved. `opening`: the balance a store had before the ledger existed (migration 0017);
 * `import`: a stock CSV setting quantities (the difference); `count_adjustment`: a finalized count's variance.
 */
export const stockMovementKinds = ['opening', 'import', 'receipt', 'count_adjustment', 'manual_adjustment', 'transfer_out', 'transfer_in', 'loss'] as const;
export type StockMovementKind = (typeof stockMovementKinds)[number];
export const stockMovementKind = pgEnum('stock_movement_kind', stockMovementKinds);

/** PostgreSQL's 64-bit transaction id (`pg_current_xact_id()`), read as text. */
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

/**
 * The stock ledger, append-only: every change of a store's quantity of a product is a row here, written in the same
 * transaction as `store_stock` (its balance). Corrections are new movements, never updates.
 */
export const stockMovements = pgTable(
  'stock_movements',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    orgId: orgId(),
    storeId: uuid().notNull(),
    productId: uuid().notNull(),
    /** Signed: what it added to the store's quantity. */
    quantity: quantity().notNull(),
    kind: stockMovementKind().notNull(),
    /** The person's words (manual adjustments, losses, transfers). */
    reason: text(),
    /**
     * What caused it, once per store and product and kind: a client-made id for a manual adjustment or a transfer, the
     * session for a count, the import, the receipt. A retried operation finds its movements by it and writes nothing.
     */
    operationId: uuid().notNull(),
    /** What it refers to beside the operation (e.g. `inventory_session`, `stock_import`, `purchase_request_item`). */
    referenceType: text(),
    referenceId: uuid(),
    /** The store's quantity of the product right after this movement. */
    balanceAfter: quantity().notNull(),
    /** Null for the system (migration, imports run by a job). */
    userId: uuid(),
    createdAt: createdAt(),
    /** The writing transaction: a count knows exactly which movements its opening snapshot saw (pg_visible_in_snapshot). */
    txid: xid8()
      .notNull()
      .default(sql`pg_current_xact_id()`),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.orgId, t.productId], foreignColumns: [products.orgId, products.id] }),
    uniqueIndex('stock_movements_operation_unique').on(t.operationId, t.storeId, t.productId, t.kind),
    // A product's history, newest first (keyset on id: the order its balances were written in).
    index('stock_movements_history_idx').on(t.storeId, t.productId, t.id.desc()),
    // A count's movements since its snapshot: only transactions from the snapshot's xmin on can be unseen.
    index('stock_movements_store_txid_idx').on(t.storeId, t.txid),
    check('stock_movements_quantity_nonzero', sql`${t.quantity} <> 0`),
  ],
);

/** A store's minimum and reorder quantity of a product, set by managers: below the minimum, it is suggested. */
export const reorderRules = pgTable(
  'reorder_rules',
  {
    orgId: orgId(),
    storeId: uuid().notNull(),
    productId: uuid().notNull(),
    minQuantity: quantity().notNull(),
    reorderQuantity: quantity().notNull(),
    updatedBy: uuid(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.productId] }),
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.orgId, t.productId], foreignColumns: [products.orgId, products.id] }),
    check('reorder_rules_min_non_negative', sql`${t.minQuantity} >= 0`),
    check('reorder_rules_reorder_positive', sql`${t.reorderQuantity} > 0`),
  ],
);
