import { inArray, sql } from 'drizzle-orm';
import { refreshDashboardViews } from './queries';
import { stores } from '../db/schema';
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
    const changed = await services.db.transaction(async (tx) => {
      const [lock] = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${REFRESH_LOCK_ID}) as locked`);
      if (!lock?.locked) return null;
      const started = performance.now();
      const orgs = await refreshDashboardViews(tx);
      log.debug({ ms: Math.round(performance.now() - started), orgsChanged: orgs.length }, 'dashboard views refreshed');
      return orgs;
    });
    // Cached dashboards of the orgs whose rows changed were built from the previous view: outdated as background work
    // is (eventually), so no reader waits for a rebuild; the entries someone reads are rebuilt here, one org after the
    // other. (Every org outdated at once each round made every dashboard read under load wait for a rebuild once a
    // minute, and changed every dashboard's ETag when nothing had changed.)
    if (changed?.length) {
      const scopes = await services.db.select({ orgId: stores.orgId, storeId: stores.id }).from(stores).where(inArray(stores.orgId, changed));
      for (const orgId of changed) {
        await outdateEventually(services, orgId, null, [null, ...scopes.filter((s) => s.orgId === orgId).map((s) => s.storeId)]);
      }
    }
    return changed !== null;
  };
  const timer = setInterval(() => {
    refreshNow().catch((error: unknown) => log.warn({ err: error }, 'dashboard view refresh failed'));
  }, services.env.DASHBOARD_REFRESH_SECONDS * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer), refreshNow };
}
