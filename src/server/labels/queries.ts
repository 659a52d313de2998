import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { products } from '../db/schema';
import type { ShelfLabel } from './pdf';

/** What a shelf label prints of a product, and the product's id. */
export type LabelProductRow = ShelfLabel & { id: string };

/** The org's products among `ids` (another org's ids, or unknown ones, are simply not found). */
export function findLabelProducts(db: Executor, orgId: string, ids: string[]): Promise<LabelProductRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select({ id: products.id, ean: products.ean, name: products.name, brand: products.brand, plu: products.plu, unit: products.unit, referencePrice: products.referencePrice })
    .from(products)
    .where(and(eq(products.orgId, orgId), inArray(products.id, ids)));
}
