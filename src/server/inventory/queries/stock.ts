import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { decodeCursor, toPage } from '../../db/cursor';
import { textSet } from '../../db/json';
import { approvedPhotoIdOf } from '../../catalogue/queries';

export type LookupProduct = {
  id: string;
  ean: string;
  name: string;
  unit: string;
  plu: string | null;
  price: number;
  category: string | null;
  /** The approved photo's id: the counting screen shows its thumbnail beside a scan (lib/photos.ts photoUrl). */
  photoId: string | null;
  expectedQuantity?: number | null;
};

/**
 * Active products by EAN (keyset), for a device's offline lookup table. The expected quantity is joined only
 * when `expectedFrom` names a session that is not blind: a blind session's numbers never enter the statement.
 */
export async function listLookupProducts(db: Executor, orgId: string, params: { cursor?: string | null; limit: number; expectedFrom: string | null }) {
  const after = decodeCursor<[string]>(params.cursor, ['text']);
  const rows = await db.execute<LookupProduct>(sql`
    select p.id, p.ean, p.name, p.unit, p.plu, p.reference_price::float8 as price, p.category, ${approvedPhotoIdOf('p')} as "photoId"
           ${params.expectedFrom ? sql`, x.expected_quantity::float8 as "expectedQuantity"` : sql``}
      from products p
      ${params.expectedFrom ? sql`left join inventory_expected x on x.session_id = ${params.expectedFrom} and x.product_id = p.id` : sql``}
     where p.org_id = ${orgId} and p.active ${after ? sql`and p.ean > ${after[0]}` : sql``}
     order by p.ean
     limit ${params.limit + 1}`);
  return toPage([...rows], params.limit, (r) => [r.ean]);
}

// ---- store stock

export async function findProductIdsByEan(db: Executor, orgId: string, eans: string[]): Promise<Map<string, string>> {
  if (eans.length === 0) return new Map();
  const rows = await db.execute<{ id: string; ean: string }>(sql`select id, ean from products where org_id = ${orgId} and ean in ${textSet(eans)}`);
  return new Map([...rows].map((r) => [r.ean, r.id]));
}
