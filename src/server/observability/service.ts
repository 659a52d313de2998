import type { OperatorContext, SignedInContext } from '../domain/context';
import { outboxLag } from '../events/queries';
import { checkHealth } from './health';
import { queueNames } from '../queues/definitions';
import type { Services } from '../services';
import { listHeartbeats, listOpenIncidents, listRecentIncidents, type IncidentRow } from './queries';
import type { Component } from './watchdog';

const HOUR_MINUTES = 60;
/** An org admin sees a procedure's figures once it was called this often in the hour (fewer would be anecdotes, and tell who called). */
const MIN_CALLS_SHOWN = 20;

async function queueBacklog(services: Pick<Services, 'queues'>) {
  return Promise.all(
    Object.values(queueNames).map(async (name) => {
      try {
        const counts = await services.queues.queue(name).getJobCounts('waiting', 'active', 'delayed');
        return { name, waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0 };
      } catch {
        return { name, waiting: null, active: null, delayed: null };
      }
    }),
  );
}

/**
 * The whole cluster's last hour, for the platform operator: per procedure calls, p50/p99 and server errors; per
 * minute the same with the cache hit rate; queue depth, outbox lag, every instance's heartbeat, open incidents.
 * Read from the figures every instance writes (Redis or PostgreSQL): no Prometheus needed.
 */
export async function clusterOverview(ctx: OperatorContext) {
  const { services } = ctx;
  const staleAfter = services.env.HEARTBEAT_STALE_MS / 1000;
  const [figures, queues, outbox, heartbeats, incidents] = await Promise.all([
    services.figures.read(HOUR_MINUTES),
    queueBacklog(services),
    outboxLag(ctx.db),
    listHeartbeats(ctx.db),
    listOpenIncidents(ctx.db),
  ]);
  return {
    figures,
    figureStore: services.figures.storeKind,
    queues,
    outbox,
    instances: heartbeats.map((h) => ({
      instance: h.instance,
      role: h.role,
      version: h.version,
      startedAt: h.startedAt,
      beatAt: h.beatAt,
      state: h.stoppedAt ? ('stopped' as const) : h.ageSeconds > staleAfter ? ('silent' as const) : ('alive' as const),
    })),
    incidents,
  };
}

/**
 * The service's quality over the last hour, for an org's admin: latencies, error and cache hit rates, how far
 * behind the background work is, and what is wrong now. Rates and times only — never a count: those would tell
 * how much every other org works.
 */
export async function serviceQuality(ctx: SignedInContext) {
  const { services } = ctx;
  const [figures, queues, outbox, incidents] = await Promise.all([services.figures.read(HOUR_MINUTES), queueBacklog(services), outboxLag(ctx.db), listOpenIncidents(ctx.db)]);
  const waiting = queues.every((q) => q.waiting !== null) ? queues.reduce((sum, q) => sum + (q.waiting ?? 0), 0) : null;
  // Rates rounded to 0.1 % and procedures in name order, rare ones left out: exact rates and an order by calls would
  // tell how much other orgs work.
  const rate = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 1000);
  return {
    totals: { p50Ms: figures.totals.p50Ms, p99Ms: figures.totals.p99Ms, errorRate: rate(figures.totals.errorRate), cacheHitRate: rate(figures.totals.cacheHitRate) },
    procedures: figures.procedures
      .filter((p) => p.calls >= MIN_CALLS_SHOWN && !p.procedure.startsWith('operator.'))
      .map(({ procedure, p50Ms, p99Ms, errorRate }) => ({ procedure, p50Ms, p99Ms, errorRate: rate(errorRate) }))
      .sort((a, b) => a.procedure.localeCompare(b.procedure)),
    minutes: figures.minutes.map(({ at, p50Ms, p99Ms, errorRate, cacheHitRate }) => ({ at, p50Ms, p99Ms, errorRate: rate(errorRate), cacheHitRate: rate(cacheHitRate) })),
    outboxLagSeconds: outbox.oldestSeconds === null ? 0 : Math.round(outbox.oldestSeconds),
    backlog: waiting === null ? ('unknown' as const) : waiting > services.env.ALERT_QUEUE_BACKLOG ? ('behind' as const) : ('normal' as const),
    incidents: incidents.filter((i) => i.component !== 'internal').map(publicIncident),
  };
}

export type ComponentStatus = 'operational' | 'degraded' | 'down';
export type PublicIncident = ReturnType<typeof publicIncident>;

/** What the public may know of an incident: what was affected, how badly, when — never which machine or why. */
function publicIncident(i: IncidentRow) {
  return {
    id: i.id,
    component: i.component as Component,
    severity: i.severity,
    title: i.title,
    startedAt: i.startedAt,
    resolvedAt: i.resolvedAt,
    durationSeconds: Math.round(((i.resolvedAt ?? new Date()).getTime() - i.startedAt.getTime()) / 1000),
  };
}

const STATUS_DAYS = 30;
const STATUS_CACHE_MS = 5_000;
const statusCache = new WeakMap<object, { at: number; value: Promise<PublicStatus> }>();

export type PublicStatus = Awaited<ReturnType<typeof readPublicStatus>>;

/**
 * The public status page (no sign-in): each component operational, degraded or down — from the live checks and the
 * watchdog's open incidents — its availability over 30 days, and the incidents of those days with their duration.
 * Shared by every caller for a few seconds: a status page is opened most when many people wonder at once.
 */
export function publicStatus(services: Services): Promise<PublicStatus> {
  const cached = statusCache.get(services);
  if (cached && Date.now() - cached.at < STATUS_CACHE_MS) return cached.value;
  const value = readPublicStatus(services);
  statusCache.set(services, { at: Date.now(), value });
  value.catch(() => statusCache.delete(services));
  return value;
}

async function readPublicStatus(services: Services) {
  const [health, incidents] = await Promise.all([checkHealth(services), listRecentIncidents(services.db, STATUS_DAYS)]);
  const visible = incidents.filter((i) => i.component !== 'internal');
  const open = visible.filter((i) => !i.resolvedAt);
  const env = services.env;
  const components: { id: Component | 'database'; name: string; live?: ComponentStatus }[] = [
    { id: 'api', name: 'Aplicativo e API' },
    { id: 'database', name: 'Banco de dados', live: health.checks.database.status === 'up' ? 'operational' : 'down' },
    ...(services.redis.kind === 'none' ? [] : [{ id: 'cache' as const, name: 'Cache', live: health.checks.redis.status === 'down' ? ('degraded' as const) : ('operational' as const) }]),
    {
      id: 'workers',
      name: 'Processamento em segundo plano (notificações, fotos, atualizações)',
      live: health.checks.workers.status === 'down' ? 'down' : health.checks.backlog.status === 'lagging' ? 'degraded' : undefined,
    },
    ...(env.FCM_PROJECT_ID ? [{ id: 'notifications' as const, name: 'Notificações push' }] : []),
    // Photos are always stored (products' and compliance's): storage's outages show here even without the image pipeline.
    { id: 'photos' as const, name: env.OPENAI_API_KEY || env.OPENFOODFACTS_URL ? 'Fotos dos produtos' : 'Fotos (armazenamento)' },
    ...(env.GOOGLE_APPLICATION_CREDENTIALS ? [{ id: 'compliance' as const, name: 'Conferência automática das fotos de conformidade' }] : []),
  ];
  const since = Date.now() - STATUS_DAYS * 86_400_000;
  const rank: Record<ComponentStatus, number> = { operational: 0, degraded: 1, down: 2 };
  const worst = (a: ComponentStatus, b: ComponentStatus) => (rank[b] > rank[a] ? b : a);
  const shown = components.map((c) => {
    const mine = open.filter((i) => i.component === c.id);
    const status = mine.reduce<ComponentStatus>((s, i) => worst(s, i.severity === 'down' ? 'down' : 'degraded'), c.live ?? 'operational');
    // Time down over the window (incidents that made it `down`, overlaps counted once), as a share of it.
    const downMs = mergedLength(
      visible.filter((i) => i.component === c.id && i.severity === 'down').map((i) => [Math.max(i.startedAt.getTime(), since), i.resolvedAt?.getTime() ?? Date.now()] as const),
    );
    return { id: c.id, name: c.name, status, availability: 1 - downMs / (STATUS_DAYS * 86_400_000) };
  });
  const overall = shown.reduce<ComponentStatus>((s, c) => worst(s, c.status), 'operational');
  return { status: overall, checkedAt: new Date(), components: shown, incidents: visible.map(publicIncident), days: STATUS_DAYS };
}

/** The length of a union of intervals [from, to] (ms): overlapping incidents count once. */
function mergedLength(intervals: (readonly [number, number])[]): number {
  const sorted = intervals.filter(([from, to]) => to > from).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of sorted) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}
