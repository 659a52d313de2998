import { eq } from 'drizzle-orm';
import { forgetProducts } from '~/server/catalogue/cache';
import { products } from '~/server/db/schema';
import { dashboardChanged } from '~/server/dashboard/service';
import type { Consumer } from './types';

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
    if (event.type.startsWith('product.') || event.type === 'image.processed') {
      const eans = [event.payload.ean, event.payload.previousEan].filter((e): e is string => typeof e === 'string');
      // image.processed names the product, not its EAN.
      if (event.type === 'image.processed' && typeof event.payload.productId === 'string') {
        const [product] = await services.db.select({ ean: products.ean }).from(products).where(eq(products.id, event.payload.productId));
        if (product) eans.push(product.ean);
      }
      await forgetProducts(services.cache, event.orgId, eans);
      return;
    }
    await dashboardChanged(services, {
      orgId: event.orgId,
      kind: KIND[event.type as keyof typeof KIND],
      storeId: typeof event.payload.storeId === 'string' ? event.payload.storeId : null,
    });
  },
};
