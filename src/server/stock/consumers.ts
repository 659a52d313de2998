import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import type { Consumer } from '../events/consumer';

/**
 * A renamed product (name, brand or category: its search words; or a new EAN) has its stock rows in every store
 * follow, so the stock pages order and search it as it now is (`store_stock.name_key` / `search_words` / `ean`, 0022). After the
 * catalogue's commit, in a transaction of its own: the rows are locked in (store, product) order, the order every
 * ledger writer takes them in, and only rows whose copy differs are written. Idempotent; it also mends a row made by a
 * ledger transaction that read the old name while the rename was in flight, when the rename's event comes by.
 */
export async function copyProductNames(db: Executor, productIds: string[]) {
  if (productIds.length === 0) return;
  await db.execute(sql`
    with stale as (
      select s.store_id, s.product_id, p.name_key, p.search_words, p.ean
        from store_stock s join products p on p.id = s.product_id
       where s.product_id in (select x::uuid from jsonb_array_elements_text(${JSON.stringify(productIds)}::jsonb) as t(x))
         and (s.name_key is distinct from p.name_key or s.search_words is distinct from p.search_words or s.ean is distinct from p.ean)
       order by s.store_id, s.product_id
         for update of s
    )
    update store_stock s set name_key = stale.name_key, search_words = stale.search_words, ean = stale.ean
      from stale where s.store_id = stale.store_id and s.product_id = stale.product_id`);
}

export const stockNamesConsumer: Consumer = {
  name: 'stock-names',
  handles: (type) => type === 'product.updated',
  apply: (tx, event) => copyProductNames(tx, event.type === 'product.updated' ? [event.payload.productId] : []),
};
