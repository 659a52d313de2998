import { sql } from 'drizzle-orm';
import { outboxLag } from '../events/queries';
import type { IntegrationName } from '../integrations/resilience';
import { insertAdminNotices } from '../notifications/queries';
import { jobOf, queueNames } from '../queues/definitions';
import type { Services } from '../services';
import { claimDueNotice, countUnresolvedDeadLetters, databaseNow, listDueNotices, listHeartbeats, markNoticeSent, openIncident, resolveIncidentsExcept, type IncidentRow } from './queries';

/**
 * The watchdog without Prometheus: every instance (app and workers) looks every WATCHDOG_INTERVAL_MS at the
 * cluster's shared state — heartbeats (with each instance's breakers), the outbox, dead letters, queue depth, the
 * cluster's figures, Redis — and keeps `incidents` in step: a condition that starts firing opens one, one that
 * stops resolves it. One instance judges at a time (an advisory lock), and opening is idempotent (one open
 * incident per key), so two instances never open or tell the same incident twice. Admins are told in the app, by
 * push and at ALERT_WEBHOOK_URL, once when it opens and once when it resolves; a notice that could not be sent is
 * tried again next round.
 */

export type Component = 'api' | 'cache' | 'workers' | 'notifications' | 'photos' | 'compliance' | 'internal';
export type Condition = { key: string; kind: string; component: Component; severity: 'degraded' | 'down'; title: string; detail: Record<string, unknown> };

/** Why each kind exists and what it watches: docs/operations.md "Alerts". */
export const conditionKinds = ['instance_down', 'outbox_lag', 'breaker_open', 'dead_letters', 'queue_backlog', 'api_latency', 'api_errors', 'redis_down'] as const;

const WATCHDOG_LOCK = 0x6d69_7764; // 'miwd'
const MIN_CALLS_FOR_LATENCY = 20;
const MIN_CALLS_FOR_ERRORS = 100;
const WEBHOOK_TIMEOUT_MS = 5_000;
const MAX_NOTICES_PER_ROUND = 100;

const integrationLabels: Record<IntegrationName, string> = {
  fcm: 'Firebase Cloud Messaging (notificações push)',
  openai: 'OpenAI (avaliação de fotos)',
  openfoodfacts: 'Open Food Facts (fotos e dados de produtos)',
  storage: 'armazenamento de arquivos',
  vision: 'Google Vision',
};
/** Where an integration's outage shows on the status page: push, the compliance photos' checking, or photos (storage, catalogue). */
const componentOfIntegration = (name: string): Component => (name === 'fcm' ? 'notifications' : name === 'vision' ? 'compliance' : 'photos');

/**
 * What is wrong now, the kinds this round could not judge (their source did not answer), and when it started
 * looking by the database's clock (a judgment older than another instance's must not undo it).
 */
export async function judge(services: Pick<Services, 'db' | 'env' | 'redis' | 'queues' | 'figures'>): Promise<{ firing: Condition[]; unjudged: string[]; judgedAt: Date }> {
  const { env, db } = services;
  const judgedAt = await databaseNow(db);
  const firing: Condition[] = [];
  const unjudged: string[] = [];
  const attempt = async (kind: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch {
      unjudged.push(kind);
    }
  };

  const heartbeats = await listHeartbeats(db);
  const staleAfter = env.HEARTBEAT_STALE_MS / 1000;
  const alive = heartbeats.filter((h) => !h.stoppedAt && h.ageSeconds <= staleAfter);
  for (const h of heartbeats.filter((h) => !h.stoppedAt && h.ageSeconds > staleAfter)) {
    const othersAlive = alive.some((a) => a.role === h.role);
    firing.push(
      h.role === 'workers'
        ? {
            key: `instance_down:${h.instance}`,
            kind: 'instance_down',
            component: 'workers',
            severity: othersAlive ? 'degraded' : 'down',
            title: othersAlive ? 'Uma instância do processamento em segundo plano parou' : 'Processamento em segundo plano parado: notificações, fotos e atualizações não andam',
            detail: { instance: h.instance, role: h.role, lastBeatAt: h.beatAt.toISOString() },
          }
        : {
            key: `instance_down:${h.instance}`,
            kind: 'instance_down',
            component: 'api',
            severity: othersAlive ? 'degraded' : 'down',
            title: 'Uma instância do servidor parou de responder',
            detail: { instance: h.instance, role: h.role, lastBeatAt: h.beatAt.toISOString() },
          },
    );
  }
  const open = new Map<string, string[]>();
  for (const h of alive) for (const i of h.integrations) if (i.state === 'open') open.set(i.name, [...(open.get(i.name) ?? []), h.instance]);
  for (const [name, instances] of open) {
    firing.push({
      key: `breaker_open:${name}`,
      kind: 'breaker_open',
      component: componentOfIntegration(name),
      severity: 'degraded',
      title: `Serviço externo indisponível: ${integrationLabels[name as IntegrationName] ?? name}`,
      detail: { integration: name, instances },
    });
  }

  await Promise.all([
    attempt('outbox_lag', async () => {
      const lag = await outboxLag(db);
      if ((lag.oldestSeconds ?? 0) > env.ALERT_OUTBOX_LAG_SECONDS) {
        firing.push({
          key: 'outbox_lag',
          kind: 'outbox_lag',
          component: 'workers',
          severity: 'degraded',
          title: 'Atualizações e notificações atrasadas',
          detail: { pending: lag.pending, oldestSeconds: Math.round(lag.oldestSeconds ?? 0) },
        });
      }
    }),
    attempt('dead_letters', async () => {
      const letters = await countUnresolvedDeadLetters(db);
      if (letters.lastQuarterHour > 0) {
        firing.push({
          key: 'dead_letters',
          kind: 'dead_letters',
          component: 'internal',
          severity: 'degraded',
          title: 'Tarefas falharam de vez e estão na fila de mensagens mortas',
          detail: { unresolved: letters.unresolved, lastQuarterHour: letters.lastQuarterHour },
        });
      }
    }),
    attempt('queue_backlog', async () => {
      for (const name of Object.values(queueNames)) {
        const counts = await services.queues.queue(name).getJobCounts('waiting');
        if ((counts.waiting ?? 0) > env.ALERT_QUEUE_BACKLOG) {
          firing.push({
            key: `queue_backlog:${name}`,
            kind: 'queue_backlog',
            component: 'workers',
            severity: 'degraded',
            title: 'Fila de trabalho acumulada: tarefas em segundo plano atrasadas',
            detail: { queue: name, waiting: counts.waiting },
          });
        }
      }
    }),
    attempt('api_latency', async () => {
      const figures = await services.figures.read(5);
      const { calls, p99Ms, errorRate } = figures.totals;
      if (calls >= MIN_CALLS_FOR_LATENCY && (p99Ms ?? 0) > env.ALERT_API_P99_MS) {
        firing.push({ key: 'api_latency', kind: 'api_latency', component: 'api', severity: 'degraded', title: 'Sistema lento: respostas demorando mais que o normal', detail: { p99Ms, calls } });
      }
      if (calls >= MIN_CALLS_FOR_ERRORS && (errorRate ?? 0) > env.ALERT_ERROR_RATE) {
        firing.push({ key: 'api_errors', kind: 'api_errors', component: 'api', severity: 'degraded', title: 'Erros acima do normal nas respostas do sistema', detail: { errorRate, calls } });
      }
    }).then(() => {
      if (unjudged.includes('api_latency')) unjudged.push('api_errors');
    }),
    attempt('redis_down', async () => {
      if (services.redis.kind === 'none') return;
      const ping = await services.redis.ping(1_000);
      if (!ping.ok) {
        firing.push({ key: 'redis_down', kind: 'redis_down', component: 'cache', severity: 'degraded', title: 'Cache indisponível: o sistema funciona, mais devagar', detail: { error: ping.error ?? null } });
      }
    }),
  ]);
  return { firing, unjudged, judgedAt };
}

/** The text of a notice, in Portuguese, for the webhook and the in-app notification. */
export function noticeText(incident: IncidentRow, notice: 'opened' | 'resolved') {
  const minutes = incident.resolvedAt ? Math.max(1, Math.round((incident.resolvedAt.getTime() - incident.startedAt.getTime()) / 60_000)) : null;
  const resolved = notice === 'resolved' || incident.resolvedAt !== null;
  return resolved
    ? { title: `Resolvido: ${incident.title}`, body: `Voltou ao normal depois de ${minutes} min.` }
    : { title: incident.title, body: incident.severity === 'down' ? 'Fora do ar. A equipe de operação foi avisada.' : 'Funcionando com problemas. A equipe de operação foi avisada.' };
}

export type Watchdog = { runOnce(): Promise<{ judged: boolean; opened: number; resolved: number; told: number }>; stop(): Promise<void> };

export function startWatchdog(services: Services, opts: { pushEnabled: boolean; intervalMs?: number }): Watchdog {
  const log = services.logger.child({ component: 'watchdog' });
  const webhook = services.env.ALERT_WEBHOOK_URL;
  let running: Promise<unknown> = Promise.resolve();
  let failing = false;

  const postWebhook = async (incident: IncidentRow, notice: 'opened' | 'resolved') => {
    if (!webhook) return;
    const text = noticeText(incident, notice);
    const resolved = notice === 'resolved' || incident.resolvedAt !== null;
    const response = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      // Slack's incoming webhook format: `text` is what every compatible receiver shows; the fields are for machines.
      body: JSON.stringify({
        text: `${resolved ? ':white_check_mark:' : ':rotating_light:'} MyInventory — ${text.title}. ${text.body}`,
        incident: { id: incident.id, key: incident.key, kind: incident.kind, component: incident.component, severity: incident.severity, status: resolved ? 'resolved' : 'firing', startedAt: incident.startedAt, resolvedAt: incident.resolvedAt, detail: incident.detail },
      }),
    });
    if (!response.ok) throw new Error(`alert webhook answered ${response.status}`);
  };

  /**
   * Tells every due notice, each in a transaction of its own that holds its row only while its webhook is posted
   * (at most WEBHOOK_TIMEOUT_MS): a failure leaves the others' marks alone, and another instance skips it meanwhile.
   * A webhook that fails is not marked told (sent again next round) and is not tried again this round; the in-app
   * notices are written anyway, once per admin (their source id is unique), so a webhook down starves nobody.
   */
  const tell = async (): Promise<number> => {
    const queued: { id: string; orgId: string }[] = [];
    let told = 0;
    let webhookDown = false;
    for (const id of await listDueNotices(services.db, MAX_NOTICES_PER_ROUND)) {
      const marked = await services.db.transaction(async (tx) => {
        const incident = await claimDueNotice(tx, id);
        if (!incident) return false;
        const resolved = incident.resolvedAt !== null;
        let webhookSent = !webhookDown;
        if (!webhookDown) {
          try {
            await postWebhook(incident, incident.notice);
          } catch (error) {
            log.warn({ err: error, incident: incident.key }, 'alert webhook failed; tried again next round');
            webhookDown = true;
            webhookSent = false;
          }
        }
        // What only operators act on (dead letters) goes to the webhook, not to every org's admins.
        if (incident.component !== 'internal') {
          const text = noticeText(incident, incident.notice);
          queued.push(
            ...(await insertAdminNotices(
              tx,
              { sourceId: `incident:${incident.id}:${resolved ? 'resolved' : 'opened'}`, kind: resolved ? 'system.incidentResolved' : 'system.incidentOpened', title: text.title, body: text.body, data: { incidentId: incident.id, url: '/status' } },
              opts.pushEnabled,
            )),
          );
        }
        if (!webhookSent) return false;
        await markNoticeSent(tx, incident.id, incident.notice);
        log[resolved ? 'info' : 'error']({ incident: incident.key, severity: incident.severity, detail: incident.detail }, `incident ${resolved ? 'resolved' : 'opened'}: ${incident.title}`);
        return true;
      });
      if (marked) told++;
    }
    if (queued.length > 0) await services.queues.queue(queueNames.fcm).addBulk(queued.map(jobOf.push)).catch((error: unknown) => log.warn({ err: error }, 'incident pushes not queued'));
    return told;
  };

  const runOnce = async () => {
    const { firing, unjudged, judgedAt } = await judge(services);
    const changed = await services.db.transaction(async (tx) => {
      const [lock] = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${WATCHDOG_LOCK}) as locked`);
      if (!lock?.locked) return null;
      let opened = 0;
      for (const condition of firing) if (await openIncident(tx, condition, judgedAt)) opened++;
      const resolved = await resolveIncidentsExcept(
        tx,
        firing.map((c) => c.key),
        unjudged,
        judgedAt,
      );
      return { opened, resolved: resolved.length };
    });
    const told = await tell();
    return { judged: changed !== null, opened: changed?.opened ?? 0, resolved: changed?.resolved ?? 0, told };
  };

  let busy = false;
  const round = () => {
    // A round still telling a slow webhook: this one is skipped, not queued behind it.
    if (busy) return;
    busy = true;
    running = runOnce().then(
      () => {
        if (failing) log.info('watchdog running again');
        failing = false;
      },
      (error: unknown) => {
        if (!failing) log.warn({ err: error }, 'watchdog round failed; next round in a moment');
        failing = true;
      },
    ).finally(() => {
      busy = false;
    });
  };
  const timer = setInterval(() => void round(), opts.intervalMs ?? services.env.WATCHDOG_INTERVAL_MS);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
