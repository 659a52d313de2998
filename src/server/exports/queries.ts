import { and, sql, type SQL } from 'drizzle-orm';
import { BUSINESS_TIME_ZONE } from '~/lib/business-time';
import { auditFilters, type AuditFilters } from '../audit/queries';
import { productListFilters, productNameOrder, productWordMatch, type ProductListParams } from '../catalogue/queries';
import { auditLog, products, purchaseRequests } from '../db/schema';
import type { UncountedResolution } from '../db/schema';
import { flaggedLine, sessionLinesCte } from '../inventory/queries/lines';
import type { LineScope } from '../inventory/queries/sessions';
import { requestListFilters, type RequestListParams } from '../purchasing/queries';

/**
 * One statement per export kind, streamed by db/stream.ts (never run whole into memory). Each reuses its domain's
 * own filters (and, for a count, its lines), so an export holds exactly what the screen's list or review holds.
 * Numbers come as float8 (numeric(14,3) and (14,2) fit exactly), instants as `wallClock`.
 */

/** Where the stores are: every date of an export is the wall clock there. */
export const EXPORT_TIME_ZONE = BUSINESS_TIME_ZONE;

/**
 * An instant as the wall clock in São Paulo, in epoch milliseconds read as UTC: PostgreSQL's time zone rules (DST
 * of past years included) do the conversion, the writers only print or store the fields.
 */
const wallClock = (at: SQL) => sql`(extract(epoch from (${at} at time zone ${EXPORT_TIME_ZONE}::text)) * 1000)::float8`;

// ---- a count's result

export type SessionLineRow = {
  ean: string;
  name: string | null;
  category: string | null;
  unit: string | null;
  counted: number;
  expected: number;
  varianceQuantity: number;
  unitPrice: number;
  varianceValue: number;
  flagged: boolean;
  zones: { zone: string; quantity: number }[];
  recounted: boolean;
  neverCounted: boolean;
  uncounted: UncountedResolution | null;
  inScope: boolean;
};

/**
 * Every line of a session by EAN, as the review computes it (`sessionLinesCte`: an open or cancelled session from
 * its count log, a finalized one from its stored totals, with what finalize did with the lines nobody counted).
 */
export function sessionLines(session: LineScope & { varianceThreshold: number }): SQL {
  return sql`
    with ${sessionLinesCte(session)}
    select l.ean, p.name, p.category, p.unit,
           l.counted::float8 as counted, l.expected::float8 as expected, (l.counted - l.expected)::float8 as "varianceQuantity",
           l.unit_price::float8 as "unitPrice", round((l.counted - l.expected) * l.unit_price, 2)::float8 as "varianceValue",
           ${flaggedLine(session.varianceThreshold)} as flagged,
           l.zones, l.recounted, l.entry_count = 0 as "neverCounted", l.uncounted, l.in_scope as "inScope"
      from lines l
      left join products p on p.id = l.product_id
     order by l.ean`;
}

// ---- purchase requests, one row per line

export type RequestLineRow = {
  requestNumber: string;
  storeName: string;
  createdByName: string;
  createdAt: number;
  status: string;
  productName: string;
  ean: string;
  unit: string;
  quantity: number;
  approvedQuantity: number | null;
  decision: string;
  decisionReason: string | null;
  buyerName: string | null;
  decidedAt: number | null;
  unitPrice: number;
  requestedValue: number;
  approvedValue: number | null;
};

/** The lines of the requests the list would show (same filters and scope), newest request first, lines in order. */
export function requestLines(orgId: string, params: Omit<RequestListParams, 'cursor' | 'limit' | 'withItems'>): SQL {
  return sql`
    select ${purchaseRequests.number} as "requestNumber", s.name as "storeName", creator.name as "createdByName",
           ${wallClock(sql`${purchaseRequests.createdAt}`)} as "createdAt", ${purchaseRequests.status} as status,
           p.name as "productName", p.ean, p.unit, i.quantity::float8 as quantity, i.approved_quantity::float8 as "approvedQuantity",
           i.status as decision, i.decision_reason as "decisionReason", buyer.name as "buyerName", ${wallClock(sql`i.decided_at`)} as "decidedAt",
           i.unit_price::float8 as "unitPrice", round(i.quantity * i.unit_price, 2)::float8 as "requestedValue",
           case when i.status = 'approved' then round(coalesce(i.approved_quantity, i.quantity) * i.unit_price, 2)::float8 end as "approvedValue"
      from ${purchaseRequests}
      join purchase_request_items i on i.request_id = ${purchaseRequests.id}
      join stores s on s.id = ${purchaseRequests.storeId}
      join users creator on creator.id = ${purchaseRequests.createdBy}
      join products p on p.id = i.product_id
      left join users buyer on buyer.id = i.buyer_id
     where ${and(...requestListFilters(orgId, params))}
     order by ${purchaseRequests.createdAt} desc, ${purchaseRequests.id} desc, i.position, i.id`;
}

// ---- the catalogue

export type ProductRow = {
  ean: string;
  name: string;
  brand: string | null;
  category: string | null;
  unit: string;
  plu: string | null;
  referencePrice: number;
  active: boolean;
  buyerName: string | null;
  categoryBuyerName: string | null;
  updatedAt: number;
};

/**
 * The products the catalogue's list would show (same filters and search), in its order: by EAN for a digits search;
 * for words, the names that start with them first, then the other matches; by name otherwise.
 */
export function catalogueProducts(orgId: string, params: Omit<ProductListParams, 'cursor' | 'limit'>): SQL {
  const { filters, search, byEan } = productListFilters(orgId, params);
  const match = !byEan && search ? productWordMatch(search) : null;
  const order = byEan ? sql`${products.ean}` : match ? sql`(case when ${match.startsWith} then 0 else 1 end), ${productNameOrder}` : productNameOrder;
  return sql`
    select ${products.ean} as ean, ${products.name} as name, ${products.brand} as brand, ${products.category} as category,
           ${products.unit} as unit, ${products.plu} as plu, ${products.referencePrice}::float8 as "referencePrice",
           ${products.active} as active, buyer.name as "buyerName", category_buyer.name as "categoryBuyerName",
           ${wallClock(sql`${products.updatedAt}`)} as "updatedAt"
      from ${products}
      left join users buyer on buyer.id = ${products.buyerId}
      left join category_buyers cb on cb.org_id = ${products.orgId} and cb.category = ${products.category}
      left join users category_buyer on category_buyer.id = cb.buyer_id
     where ${and(...filters, match ? sql`(${match.startsWith} or ${match.words})` : undefined)}
     order by ${order}`;
}

// ---- store stock

export type StockRow = {
  storeName: string;
  ean: string;
  productName: string;
  category: string | null;
  unit: string;
  quantity: number;
  referencePrice: number;
  value: number;
  updatedAt: number;
};

/** The stock of one store of the org, or of all of them (`storeId` null), by store and EAN. */
export function storeStockRows(orgId: string, storeId: string | null): SQL {
  return sql`
    select s.name as "storeName", p.ean, p.name as "productName", p.category, p.unit,
           st.quantity::float8 as quantity, p.reference_price::float8 as "referencePrice",
           round(st.quantity * p.reference_price, 2)::float8 as value, ${wallClock(sql`st.updated_at`)} as "updatedAt"
      from store_stock st
      join stores s on s.id = st.store_id
      join products p on p.id = st.product_id
     where st.org_id = ${orgId} ${storeId ? sql`and st.store_id = ${storeId}` : sql``}
     order by s.name, s.id, p.ean`;
}

// ---- the audit trail

export type AuditRow = {
  id: string;
  createdAt: number;
  actorName: string | null;
  actorType: string;
  action: string;
  entityType: string;
  entityId: string | null;
  ip: string | null;
  requestId: string | null;
  before: string | null;
  after: string | null;
};

/** The org's audit rows the trail would show (same filters), newest first; before/after as their JSON text. */
export function auditRows(orgId: string, params: AuditFilters): SQL {
  return sql`
    select ${auditLog.id}::text as id, ${wallClock(sql`${auditLog.createdAt}`)} as "createdAt", u.name as "actorName",
           ${auditLog.actorType} as "actorType", ${auditLog.action} as action, ${auditLog.entityType} as "entityType",
           ${auditLog.entityId} as "entityId", ${auditLog.ip} as ip, ${auditLog.requestId} as "requestId",
           ${auditLog.before}::text as before, ${auditLog.after}::text as after
      from ${auditLog}
      left join users u on u.id = ${auditLog.actorId}
     where ${and(...auditFilters(orgId, params))}
     order by ${auditLog.id} desc`;
}
