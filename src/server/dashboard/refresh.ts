import { sql } from 'drizzle-orm';
import { refreshDashboardViews } from './queries';
import { organizations, stores } from '../db/schema';
import { outdateEventually } from './service';
import type { Services } from '../services';

const REFRESH_LOCK_ID = 7242002;

/**
 * Refreshes the dashboard's materialized views on a timer. With several app instances, the transaction-level
 * advisory lock lets one refresh per round; the others skip. (The events issue may move this to a BullMQ
 * repeatable job; the timer is what runs in the embedded mode.)
 */
export function startDashboardRefresher(services: Pick<Services, 'db' | 'logger' | 'env' | 'dashboardCache'>): { stop: () => void; refreshNow: () => Promise<boolean> } {
  const log = services.logger.child({ component: 'dashboard-refresh' });
  const refreshNow = async () => {
    const refreshed = await services.db.transaction(async (tx) => {
      const [lock] = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${REFRESH_LOCK_ID}) as locked`);
      if (!lock?.locked) return false;
      const started = performance.now();
      await refreshDashboardViews(tx);
      log.debug({ ms: Math.round(performance.now() - started) }, 'dashboard views refreshed');
      return true;
    });
    // Cached dashboards were built from the previous view: outdated as background work is (eventually), so no reader
    // waits for a rebuild each round; the entries someone reads are rebuilt here, one org after the other. (Outdated
    // at once, every dashboard read under load waited for its rebuild once a minute.)
    if (refreshed) {
      const scopes = await services.db.select({ orgId: stores.orgId, storeId: stores.id }).from(stores);
      const orgs = await services.db.select({ id: organizations.id }).from(organizations);
      for (const org of orgs) {
        await outdateEventually(services, org.id, [null, ...scopes.filter((s) => s.orgId === org.id).map((s) => s.storeId)]);
      }
    }
    return refreshed;
  };
  const timer = setInterval(() => {
    refreshNow().catch((error: unknown) => log.warn({ err: error }, 'dashboard view refresh failed'));
  }, services.env.DASHBOARD_REFRESH_SECONDS * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer), refreshNow };
}
