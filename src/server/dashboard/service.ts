import type { Principal } from '../auth/principal';
import { cacheKeys } from '../cache/keys';
import { loadDashboardAggregates, type DashboardAggregates } from '../db/queries/dashboard';
import { listRequests } from '../db/queries/purchase-requests';
import { AppError } from '../errors';
import type { LiveEvent } from '../live/bus';
import type { Services } from '../services';

export const RECENT_PAGE_SIZE = 20;
const RECENT_STATUSES = ['pending', 'partially_approved', 'approved', 'rejected', 'closed'] as const;

/**
 * Whose dashboard: managers and admins see the org or any one store; clerks only a store they work at.
 * Returns the store to scope to (null = the whole org).
 */
export function dashboardScope(principal: Principal, storeId: string | null | undefined): string | null {
  if (principal.role === 'manager' || principal.role === 'admin') return storeId ?? null;
  if (storeId) {
    if (!principal.storeIds.includes(storeId)) throw new AppError('NOT_FOUND', 'Store not found');
    return storeId;
  }
  if (principal.storeIds.length === 1) return principal.storeIds[0]!;
  throw new AppError('INVALID', 'Choose one of your stores', { field: 'storeId' });
}

export type DashboardSummary = DashboardAggregates & {
  recent: Awaited<ReturnType<typeof listRequests>>;
  builtAt: Date;
  scope: { storeId: string | null };
};

/** On a cache miss: two statements (aggregates; the first page of recent requests with their items), in parallel. */
export async function buildDashboard(services: Pick<Services, 'db'>, orgId: string, storeId: string | null): Promise<DashboardSummary> {
  const storeIds = storeId ? [storeId] : null;
  const [aggregates, recent] = await Promise.all([
    loadDashboardAggregates(services.db, orgId, storeIds),
    listRequests(services.db, orgId, { limit: RECENT_PAGE_SIZE, scopeStoreIds: storeIds, status: [...RECENT_STATUSES], withItems: true }),
  ]);
  if (storeId && !aggregates.stores.some((s) => s.storeId === storeId)) throw new AppError('NOT_FOUND', 'Store not found');
  return { ...aggregates, recent, builtAt: new Date(), scope: { storeId } };
}

export async function getDashboard(services: Pick<Services, 'db' | 'dashboardCache'>, principal: Principal, storeId?: string | null) {
  const scope = dashboardScope(principal, storeId);
  const { data, source } = await services.dashboardCache.get(cacheKeys.dashboard(principal.orgId, scope), cacheKeys.dashboardGeneration(principal.orgId), () =>
    buildDashboard(services, principal.orgId, scope),
  );
  return { ...data, cache: source };
}

/** After a committed change that shows on the dashboard: outdate the org's entries, then tell open screens. */
export async function dashboardChanged(services: Pick<Services, 'dashboardCache' | 'live'>, event: Omit<LiveEvent, 'at'>): Promise<void> {
  await services.dashboardCache.invalidate(cacheKeys.dashboardGeneration(event.orgId));
  await services.live.publish({ ...event, at: Date.now() });
}

export { RECENT_STATUSES };
