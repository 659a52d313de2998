import { cacheKeys } from '~/server/cache/keys';
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
  handles: (type) => type in KIND || type.startsWith('product.'),
  async after(event, { services }) {
    if (!event.orgId) return;
    if (event.type.startsWith('product.')) {
      await services.cache.del(cacheKeys.productByEan(event.orgId, String(event.payload.ean)));
      return;
    }
    await dashboardChanged(services, {
      orgId: event.orgId,
      kind: KIND[event.type as keyof typeof KIND],
      storeId: typeof event.payload.storeId === 'string' ? event.payload.storeId : null,
    });
  },
};
