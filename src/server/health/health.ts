import { sql } from 'drizzle-orm';
import type { Services } from '../services';

export type CheckResult = { status: 'up' | 'down' | 'disabled'; latencyMs: number; error?: string };
export type HealthReport = {
  status: 'healthy' | 'degraded' | 'unhealthy';
  checks: { database: CheckResult; redis: CheckResult };
  version: string;
  timestamp: string;
  uptimeSeconds: number;
};

const DATABASE_TIMEOUT_MS = 2_000;
const REDIS_TIMEOUT_MS = 1_000;

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** PostgreSQL is required (down = unhealthy, 503); Redis is an accelerator (down = degraded, still 200). */
export async function checkHealth(services: Pick<Services, 'db' | 'redis' | 'env'>): Promise<HealthReport> {
  const [database, redis] = await Promise.all([
    timed(() => services.db.execute(sql`select 1`), DATABASE_TIMEOUT_MS),
    services.redis.kind === 'none'
      ? Promise.resolve<CheckResult>({ status: 'disabled', latencyMs: 0 })
      : services.redis.ping(REDIS_TIMEOUT_MS).then((r): CheckResult => (r.ok ? { status: 'up', latencyMs: r.latencyMs } : { status: 'down', latencyMs: r.latencyMs, error: r.error })),
  ]);
  const status = database.status !== 'up' ? 'unhealthy' : redis.status === 'down' ? 'degraded' : 'healthy';
  return { status, checks: { database, redis }, version: services.env.APP_VERSION, timestamp: new Date().toISOString(), uptimeSeconds: Math.round(process.uptime()) };
}

export const healthHttpStatus = (report: HealthReport) => (report.status === 'unhealthy' ? 503 : 200);
