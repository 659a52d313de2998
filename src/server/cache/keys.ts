/**
 * Every cache key family and tag in one place (README "Cache key families" documents TTLs and invalidation).
 * Keys are relative: the cache adds REDIS_KEY_PREFIX + 'cache:'.
 */
export const cacheKeys = {
  session: (sessionId: string) => `auth:session:${sessionId}`,
  apiToken: (tokenHash: string) => `auth:token:${tokenHash}`,
  productByEan: (orgId: string, ean: string) => `product:ean:${orgId}:${ean}`,
  /**
   * The whole org's dashboard, or one store's. The version (`v3`: generations per store) changes with the answer's
   * shape or the meaning of its generation, so a deploy never serves a screen an entry cached by the previous release.
   */
  dashboard: (orgId: string, storeId: string | null) => (storeId ? `dashboard:v3:${orgId}:store:${storeId}` : `dashboard:v3:${orgId}`),
  /**
   * The generation counters a dashboard entry's generation is the sum of: the org's (bumped by a change every
   * dashboard of the org shows) and the entry's own (`scope` null: the whole org's dashboard, bumped by a change in
   * any store; a store's, by a change in that store). A change in one store leaves the other stores' entries current.
   */
  dashboardGenerations: (orgId: string, scope: string | null) => [`dashboard:gen:${orgId}`, scope ? `dashboard:gen:${orgId}:store:${scope}` : `dashboard:gen:${orgId}:org`] as const,
  /** An org's feature-flag choices (src/server/flags): deleted by `flags-cache` on each change. */
  featureFlags: (orgId: string) => `flags:${orgId}`,
  /** An event already told to open screens at its commit: the outbox's delivery of it tells nobody again. */
  liveTold: (eventId: number) => `live:told:${eventId}`,
} as const;

export const cacheTags = {
  /** Every cached credential of a user: a role, store or active change drops them all. */
  userAuth: (userId: string) => `auth:user:${userId}`,
  /** Every cached session of a platform operator. */
  operatorAuth: (operatorId: string) => `auth:operator:${operatorId}`,
  stores: (orgId: string) => `stores:${orgId}`,
  users: (orgId: string) => `users:${orgId}`,
  products: (orgId: string) => `products:${orgId}`,
} as const;

export const ENTITY_TTL_SECONDS = 300;
