import type { Principal } from '../auth/principal';
import { cacheKeys } from '../cache/keys';
import { loadDashboard, type DashboardAggregates } from './queries';
import { AppError } from '../domain/errors';
import type { LiveEvent } from '../live/bus';
import type { Services } from '../services';

export const RECENT_PAGE_SIZE = 10;

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

export type DashboardSummary = DashboardAggregates & { builtAt: string; scope: { storeId: string | null } };

/** A cache miss costs one SQL statement (see loadDashboard). */
export async function buildDashboard(services: Pick<Services, 'db'>, orgId: string, storeId: string | null): Promise<DashboardSummary> {
  const aggregates = await loadDashboard(services.db, orgId, storeId ? [storeId] : null, RECENT_PAGE_SIZE);
  if (storeId && !aggregates.stores.some((s) => s.storeId === storeId)) throw new AppError('NOT_FOUND', 'Store not found');
  return { ...aggregates, builtAt: new Date().toISOString(), scope: { storeId } };
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
