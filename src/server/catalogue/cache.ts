import type { Cache } from '../cache/cache';
import { cacheKeys, cacheTags } from '../cache/keys';

/** Drops what the cache holds of an org's products after a change: the EAN lookups given and every cached list. */
export async function forgetProducts(cache: Cache, orgId: string, eans: readonly string[]): Promise<void> {
  const keys = [...new Set(eans)].map((ean) => cacheKeys.productByEan(orgId, ean));
  await Promise.all([keys.length > 0 ? cache.del(...keys) : undefined, cache.invalidateTags(cacheTags.products(orgId))]);
}
