import { timeout, TimeoutStrategy } from 'cockatiel';
import { sql } from 'drizzle-orm';
import { isTimeout, type IntegrationStatus } from '../integrations/resilience';
import { outboxLag } from '../events/queries';
import { listHeartbeats } from './queries';
import { queueNames } from '../queues/definitions';
import type { Services } from '../services';

export type CheckResult = { status: 'up' | 'down' | 'disabled'; latencyMs: number; error?: string };
/** Worker instances by their heartbeats (an instance silent for HEARTBEAT_STALE_MS is stale; a stopped one left on purpose). */
export type WorkersCheck = { status: 'up' | 'down' | 'none' | 'unknown'; alive: number; stale: number; lastBeatSecondsAgo: number | null };
/** How far behind the background work is: the outbox's oldest unpublished event, and whether a queue is over its threshold (no counts: the health check is public). */
export type BacklogCheck = { status: 'up' | 'lagging' | 'unknown'; outboxLagSeconds: number | null; queueBehind: boolean | null };
export type HealthReport = {
  status: 'healthy' | 'degraded' | 'unhealthy';
  checks: { database: CheckResult; redis: CheckResult; workers: WorkersCheck; backlog: BacklogCheck };
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

async function checkWorkers(services: Pick<Services, 'db' | 'env'>): Promise<WorkersCheck> {
  try {
    const beats = (await databaseCheckTimeout.execute(() => listHeartbeats(services.db))).filter((h) => h.role === 'workers' && !h.stoppedAt);
    const staleAfter = services.env.HEARTBEAT_STALE_MS / 1000;
    const alive = beats.filter((h) => h.ageSeconds <= staleAfter).length;
    const stale = beats.length - alive;
    const lastBeatSecondsAgo = beats.length === 0 ? null : Math.round(Math.min(...beats.map((h) => h.ageSeconds)) * 10) / 10;
    return { status: beats.length === 0 ? 'none' : alive === 0 ? 'down' : 'up', alive, stale, lastBeatSecondsAgo };
  } catch {
    return { status: 'unknown', alive: 0, stale: 0, lastBeatSecondsAgo: null };
  }
}

async function checkBacklog(services: Pick<Services, 'db' | 'env' | 'queues'>): Promise<BacklogCheck> {
  try {
    const [lag, waiting] = await databaseCheckTimeout.execute(() =>
      Promise.all([
        outboxLag(services.db),
        Promise.all(Object.values(queueNames).map((q) => services.queues.queue(q).getJobCounts('waiting'))).then(
          (all) => all.reduce((sum, c) => sum + (c.waiting ?? 0), 0),
          () => null,
        ),
      ]),
    );
    const lagSeconds = lag.oldestSeconds === null ? 0 : Math.round(lag.oldestSeconds * 10) / 10;
    const queueBehind = waiting === null ? null : waiting > services.env.ALERT_QUEUE_BACKLOG;
    const lagging = lagSeconds > services.env.ALERT_OUTBOX_LAG_SECONDS || queueBehind === true;
    return { status: lagging ? 'lagging' : 'up', outboxLagSeconds: lagSeconds, queueBehind };
  } catch {
    return { status: 'unknown', outboxLagSeconds: null, queueBehind: null };
  }
}

const BACKGROUND_CACHE_MS = 2_000;
const backgroundChecks = new WeakMap<object, { at: number; checks: [Promise<WorkersCheck>, Promise<BacklogCheck>] }>();

/**
 * The workers' and the backlog's checks, shared for 2 s by every caller of this process: the health check is public
 * and polled by load balancers, and these read heartbeats, the outbox and every queue.
 */
function background(services: Pick<Services, 'db' | 'env' | 'queues'>): [Promise<WorkersCheck>, Promise<BacklogCheck>] {
  const cached = backgroundChecks.get(services);
  if (cached && Date.now() - cached.at < BACKGROUND_CACHE_MS) return cached.checks;
  const checks: [Promise<WorkersCheck>, Promise<BacklogCheck>] = [checkWorkers(services), checkBacklog(services)];
  backgroundChecks.set(services, { at: Date.now(), checks });
  return checks;
}

/**
 * PostgreSQL is required (down = unhealthy, 503); anything else wrong — Redis down, a worker silent, the outbox or
 * a queue behind — is degraded, still 200: the app answers, and a load balancer must keep sending it requests.
 */
export async function checkHealth(services: Pick<Services, 'db' | 'redis' | 'env' | 'integrations' | 'queues'>): Promise<HealthReport> {
  const [database, redis, workers, backlog] = await Promise.all([
    timedDatabaseCheck(() => services.db.execute(sql`select 1`)),
    services.redis.kind === 'none'
      ? Promise.resolve<CheckResult>({ status: 'disabled', latencyMs: 0 })
      : services.redis.ping(REDIS_TIMEOUT_MS).then((r): CheckResult => (r.ok ? { status: 'up', latencyMs: r.latencyMs } : { status: 'down', latencyMs: r.latencyMs, error: r.error })),
    ...background(services),
  ]);
  const degraded = redis.status === 'down' || workers.status === 'down' || workers.stale > 0 || backlog.status === 'lagging';
  const status = database.status !== 'up' ? 'unhealthy' : degraded ? 'degraded' : 'healthy';
  return {
    status,
    checks: { database, redis, workers, backlog },
    integrations: services.integrations.statuses(),
    version: services.env.APP_VERSION,
    timestamp: new Date().toISOString(),
    uptimeSeconds: Math.round(process.uptime()),
  };
}

/** How recent an answer from the database proves it answers, when the pool is too busy to ask it now. */
const ANSWERED_RECENTLY_MS = 2000;

/**
 * For a load balancer: ready to take requests (the database answers and this instance is not shutting down). Busy
 * is not down. The database answered one of this pool's statements in the last 2 s: it is up, and no `select 1` is
 * sent (under a peak it waits behind the others, in the pool or in PgBouncer's queue, past the check's timeout; the
 * balancer then takes a working instance out, the others get its load, and every instance goes down in turn:
 * bench:load once saw HAProxy answer half of all requests with its own 503 that way). A `select 1` that times out
 * while other statements were answered meanwhile is busy too. Down is no answer at all for 2 s.
 */
export async function checkReady(services: Pick<Services, 'db' | 'poolUsage'>, draining: boolean): Promise<{ ready: boolean; reason?: string }> {
  if (draining) return { ready: false, reason: 'shutting down' };
  const answeredRecently = () => performance.now() - services.poolUsage().lastAnsweredAt < ANSWERED_RECENTLY_MS;
  if (answeredRecently()) return { ready: true };
  const database = await timedDatabaseCheck(() => services.db.execute(sql`select 1`));
  if (database.status === 'up' || answeredRecently()) return { ready: true };
  return { ready: false, reason: `database ${database.error ?? 'down'}` };
}

export const healthHttpStatus = (report: HealthReport) => (report.status === 'unhealthy' ? 503 : 200);
