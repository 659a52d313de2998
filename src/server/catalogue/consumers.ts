import { inArray } from 'drizzle-orm';
import { products } from '../db/schema';
import type { CommittedEvent, Consumer, ConsumerDeps, StoredEvent } from '../events/consumer';
import type { DomainEventType } from '../events/types';
import { forgetProducts } from './cache';

const AFFECTS_PRODUCTS = new Set<DomainEventType>(['product.created', 'product.updated', 'product.deleted', 'image.processed', 'user.updated']);

/**
 * Drops what the cache holds of changed products, for a set of events at once: their EAN lookups (an updated
 * EAN's old one too) and every cached product list of their orgs. A user change drops the lists too: they show
 * buyer names.
 */
async function forgetChangedProducts(events: (StoredEvent | CommittedEvent)[], { services }: ConsumerDeps): Promise<void> {
  const eansByOrg = new Map<string, string[]>();
  const productIdsByOrg = new Map<string, string[]>();
  for (const event of events) {
    if (!event.orgId) continue;
    const eans = eansByOrg.get(event.orgId) ?? [];
    eansByOrg.set(event.orgId, eans);
    switch (event.type) {
      case 'product.created':
      case 'product.deleted':
        eans.push(event.payload.ean);
        break;
      case 'product.updated':
        eans.push(event.payload.ean, ...(event.payload.previousEan ? [event.payload.previousEan] : []));
        break;
      case 'image.processed':
        // It names the product, not its EAN.
        productIdsByOrg.set(event.orgId, [...(productIdsByOrg.get(event.orgId) ?? []), event.payload.productId]);
        break;
    }
  }
  const ids = [...productIdsByOrg.values()].flat();
  if (ids.length > 0) {
    for (const p of await services.db.select({ orgId: products.orgId, ean: products.ean }).from(products).where(inArray(products.id, ids))) eansByOrg.get(p.orgId)?.push(p.ean);
  }
  await Promise.all([...eansByOrg].map(([orgId, eans]) => forgetProducts(services.cache, orgId, eans)));
}

/**
 * Keeps cached product lists and lookups true: right after the caller's commit, and again from the outbox for
 * changes made by workers (an image processed) and for a caller that died before it got there. Idempotent.
 */
export const productCacheConsumer: Consumer = {
  name: 'product-cache',
  handles: (type) => AFFECTS_PRODUCTS.has(type),
  after: (event, deps) => forgetChangedProducts([event], deps),
  onCommit: { handles: (type) => AFFECTS_PRODUCTS.has(type), run: forgetChangedProducts },
};
