import { eq } from 'drizzle-orm';
import { forgetProducts } from '~/server/catalogue/cache';
import { products } from '~/server/db/schema';
import { dashboardChanged } from '~/server/dashboard/service';
import type { Consumer } from '../events/consumer';

const KIND = {
  'purchaseRequest.created': 'purchaseRequest',
  'purchaseRequest.itemDecided': 'purchaseRequest',
  'purchaseRequest.completed': 'purchaseRequest',
  'inventory.finalized': 'inventory',
  'compliance.completed': 'compliance',
} as const;

/**
 * Outdates caches and tells open screens, for every instance (the mutations also do it directly for their own
 * answer; this catches changes made by workers and instances whose direct call failed). Idempotent.
 */
export const liveAndCacheConsumer: Consumer = {
  name: 'live-and-cache',
  handles: (type) => type in KIND || type.startsWith('product.') || type === 'image.processed',
  async after(event, { services }) {
    if (!event.orgId) return;
    switch (event.type) {
      case 'product.created':
      case 'product.deleted':
        return forgetProducts(services.cache, event.orgId, [event.payload.ean]);
      case 'product.updated':
        return forgetProducts(services.cache, event.orgId, [event.payload.ean, ...(event.payload.previousEan ? [event.payload.previousEan] : [])]);
      case 'image.processed': {
        // It names the product, not its EAN.
        const [product] = await services.db.select({ ean: products.ean }).from(products).where(eq(products.id, event.payload.productId));
        return forgetProducts(services.cache, event.orgId, product ? [product.ean] : []);
      }
      case 'purchaseRequest.created':
      case 'purchaseRequest.itemDecided':
      case 'purchaseRequest.completed':
      case 'inventory.finalized':
      case 'compliance.completed':
        return dashboardChanged(services, { orgId: event.orgId, kind: KIND[event.type], storeId: event.payload.storeId });
    }
  },
};
