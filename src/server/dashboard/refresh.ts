import { sql } from 'drizzle-orm';
import { refreshDashboardViews } from '../db/queries/dashboard';
import type { Services } from '../services';

const REFRESH_LOCK_ID = 7242002;

/**
 * Refreshes the dashboard's materialized views on a timer. With several app instances, the transaction-level
 * advisory lock lets one refresh per round; the others skip. (The events issue may move this to a BullMQ
 * repeatable job; the timer is what runs in the embedded mode.)
 */
export function startDashboardRefresher(services: Pick<Services, 'db' | 'logger' | 'env'>): { stop: () => void; refreshNow: () => Promise<boolean> } {
  const log = services.logger.child({ component: 'dashboard-refresh' });
  const refreshNow = () =>
    services.db.transaction(async (tx) => {
      const [lock] = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${REFRESH_LOCK_ID}) as locked`);
      if (!lock?.locked) return false;
      const started = performance.now();
      await refreshDashboardViews(tx);
      log.debug({ ms: Math.round(performance.now() - started) }, 'dashboard views refreshed');
      return true;
    });
  const timer = setInterval(() => {
    refreshNow().catch((error: unknown) => log.warn({ err: error }, 'dashboard view refresh failed'));
  }, services.env.DASHBOARD_REFRESH_SECONDS * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer), refreshNow };
}
