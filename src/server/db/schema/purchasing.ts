import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, money, orgId, quantity, updatedAt } from './_columns';
import { products } from './catalogue';
import { stores } from './stores';
import { users } from './users';

export const purchaseRequestStatuses = ['draft', 'pending', 'partially_approved', 'approved', 'rejected', 'closed'] as const;
export const purchaseRequestStatus = pgEnum('purchase_request_status', purchaseRequestStatuses);
export const itemDecisions = ['pending', 'approved', 'rejected'] as const;
export const itemDecision = pgEnum('purchase_request_item_status', itemDecisions);

export const purchaseRequests = pgTable(
  'purchase_requests',
  {
    /** Client-generated, so a retried create is recognised. */
    id: uuid().primaryKey(),
    orgId: orgId(),
    /**
     * The org's human number, `PC-<year>-<000123>`: given by the database on insert (trigger
     * assign_document_number, counter in document_numbers), so every way of inserting gets one.
     */
    number: text().notNull().default(''),
    storeId: uuid().notNull(),
    createdBy: uuid().notNull(),
    status: purchaseRequestStatus().notNull().default('draft'),
    note: text(),
    totalValue: money().notNull().default(0),
    itemCount: integer().notNull().default(0),
    version: integer().notNull().default(1),
    submittedAt: timestamp({ withTimezone: true }),
    completedAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    closedBy: uuid(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }),
    foreignKey({ columns: [t.orgId, t.createdBy], foreignColumns: [users.orgId, users.id] }),
    // Seed Sprint 5.2 idx_solicitacoes_status_created, per org.
    index('purchase_requests_org_status_created_idx')
      .on(t.orgId, t.status, t.createdAt.desc())
      .where(sql`${t.status} <> 'draft'`),
    index('purchase_requests_org_created_idx').on(t.orgId, t.createdAt.desc(), t.id.desc()),
    index('purchase_requests_store_created_idx').on(t.storeId, t.createdAt.desc()),
    uniqueIndex('purchase_requests_org_number_idx').on(t.orgId, t.number),
    check('purchase_requests_total_non_negative', sql`${t.totalValue} >= 0`),
  ],
);

export const purchaseRequestItems = pgTable(
  'purchase_request_items',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId(),
    requestId: uuid()
      .notNull()
      .references(() => purchaseRequests.id, { onDelete: 'cascade' }),
    productId: uuid().notNull(),
    /** Order of the items as the requester entered them. */
    position: integer().notNull().default(0),
    /** Assigned from the product (or its category) when the request is submitted. */
    buyerId: uuid(),
    quantity: quantity().notNull(),
    unitPrice: money().notNull(),
    note: text(),
    status: itemDecision().notNull().default('pending'),
    approvedQuantity: quantity(),
    decisionReason: text(),
    decidedBy: uuid(),
    decidedAt: timestamp({ withTimezone: true }),
    /** How much of the approved quantity has arrived at the store (receipts closed); more than approved is excess. */
    receivedQuantity: quantity().notNull().default(0),
    version: integer().notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.productId], foreignColumns: [products.orgId, products.id] }),
    foreignKey({ columns: [t.orgId, t.buyerId], foreignColumns: [users.orgId, users.id] }),
    // Seed Sprint 5.2 idx_solicitacao_itens_solicitacao.
    index('purchase_request_items_request_idx').on(t.requestId),
    index('purchase_request_items_product_idx').on(t.productId),
    index('purchase_request_items_buyer_pending_idx').on(t.orgId, t.buyerId, t.createdAt).where(sql`${t.status} = 'pending'`),
    check('purchase_request_items_quantity_positive', sql`${t.quantity} > 0`),
    check('purchase_request_items_unit_price_non_negative', sql`${t.unitPrice} >= 0`),
    check(
      'purchase_request_items_approved_quantity_range',
      sql`${t.approvedQuantity} is null or (${t.approvedQuantity} > 0 and ${t.approvedQuantity} <= ${t.quantity})`,
    ),
    check('purchase_request_items_rejection_reason', sql`${t.status} <> 'rejected' or ${t.decisionReason} is not null`),
  ],
);
