import { timeout, TimeoutStrategy } from 'cockatiel';
import { sql } from 'drizzle-orm';
import { isTimeout, type IntegrationStatus } from '../integrations/resilience';
import type { Services } from '../services';

export type CheckResult = { status: 'up' | 'down' | 'disabled'; latencyMs: number; error?: string };
export type HealthReport = {
  status: 'healthy' | 'degraded' | 'unhealthy';
  checks: { database: CheckResult; redis: CheckResult };
  /** The configured external services and their circuit breakers: optional, so never what makes the app unhealthy. */
  integrations: IntegrationStatus[];
  version: string;
  timestamp: string;
  uptimeSeconds: number;
};

const DATABASE_TIMEOUT_MS = 2_000;
const REDIS_TIMEOUT_MS = 1_000;

const databaseCheckTimeout = timeout(DATABASE_TIMEOUT_MS, TimeoutStrategy.Aggressive);

async function timedDatabaseCheck(fn: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  try {
    await databaseCheckTimeout.execute(() => fn());
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = isTimeout(error) ? `timed out after ${DATABASE_TIMEOUT_MS} ms` : (error as Error).message;
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: message };
  }
}

/** PostgreSQL is required (down = unhealthy, 503); Redis is an accelerator (down = degraded, still 200). */
export async function checkHealth(services: Pick<Services, 'db' | 'redis' | 'env' | 'integrations'>): Promise<HealthReport> {
  const [database, redis] = await Promise.all([
    timedDatabaseCheck(() => services.db.execute(sql`select 1`)),
    services.redis.kind === 'none'
      ? Promise.resolve<CheckResult>({ status: 'disabled', latencyMs: 0 })
      : services.redis.ping(REDIS_TIMEOUT_MS).then((r): CheckResult => (r.ok ? { status: 'up', latencyMs: r.latencyMs } : { status: 'down', latencyMs: r.latencyMs, error: r.error })),
  ]);
  const status = database.status !== 'up' ? 'unhealthy' : redis.status === 'down' ? 'degraded' : 'healthy';
  return { status, checks: { database, redis }, integrations: services.integrations.statuses(), version: services.env.APP_VERSION, timestamp: new Date().toISOString(), uptimeSeconds: Math.round(process.uptime()) };
}

export const healthHttpStatus = (report: HealthReport) => (report.status === 'unhealthy' ? 503 : 200);
