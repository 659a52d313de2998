import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { Env } from '~/env';
import type { Services } from '../services';
import { deleteOldAudit, deleteOldEvents, deleteOldNotifications, deleteOldScans, type Batch } from './queries';

/** Days each kind of row is kept (0: forever), from env (README "Retention"). */
export type RetentionPolicy = { eventDays: number; auditDays: number; notificationDays: number; scanDays: number; batch: number };

export const retentionPolicy = (env: Pick<Env, 'RETENTION_EVENT_DAYS' | 'RETENTION_AUDIT_DAYS' | 'RETENTION_NOTIFICATION_DAYS' | 'RETENTION_SCAN_DAYS' | 'RETENTION_BATCH'>): RetentionPolicy => ({
  eventDays: env.RETENTION_EVENT_DAYS,
  auditDays: env.RETENTION_AUDIT_DAYS,
  notificationDays: env.RETENTION_NOTIFICATION_DAYS,
  scanDays: env.RETENTION_SCAN_DAYS,
  batch: env.RETENTION_BATCH,
});

export type RetentionRound = { events: number; audit: number; notifications: number; scans: number; batches: number; ms: number };

/** One advisory lock per table and batch: two worker processes never delete from the same table in the same moment. */
const LOCK_BASE = 0x6d69_7200; // 'mir\0'
/** The longest one round works (the next round goes on from where it stopped). */
const ROUND_MS = 10 * 60_000;

type Kind = Exclude<keyof RetentionRound, 'batches' | 'ms'>;
/** Where the walks by id (events, audit) go on from, between rounds. */
export type RetentionCursors = Partial<Record<'events' | 'audit', number>>;

/**
 * One retention round: each table's rows past their retention, deleted in batches of `policy.batch` rows, each batch
 * a short transaction of its own (`lock_timeout` 1 s: a lock it would wait for longer ends the round, and the next
 * round tries again) with a pause after it. Dead letters are never deleted, nor what a consumer has not processed
 * (queries.ts says what each table keeps). The walks by id start at `cursors` (they are left where they stopped:
 * the first rows too young, or where the round's time ran out), so a round does not rescan the rows kept before.
 */
export async function runRetention(
  services: Pick<Services, 'db' | 'logger'>,
  policy: RetentionPolicy,
  opts: { consumers: string[]; pauseMs?: number; now?: Date; signal?: AbortSignal; cursors?: RetentionCursors; roundMs?: number },
): Promise<RetentionRound & { cursors: RetentionCursors }> {
  const started = performance.now();
  const deadline = started + (opts.roundMs ?? ROUND_MS);
  const now = opts.now ?? new Date();
  const cutoff = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const round: RetentionRound = { events: 0, audit: 0, notifications: 0, scans: 0, batches: 0, ms: 0 };
  const cursors: RetentionCursors = { ...opts.cursors };
  const tables: { kind: Kind; days: number; walk?: 'events' | 'audit'; batch: (tx: Parameters<typeof deleteOldAudit>[0], after: number) => Promise<Batch> }[] = [
    { kind: 'events', walk: 'events', days: policy.eventDays, batch: (tx, after) => deleteOldEvents(tx, { cutoff: cutoff(policy.eventDays), after, limit: policy.batch, consumers: opts.consumers }) },
    { kind: 'audit', walk: 'audit', days: policy.auditDays, batch: (tx, after) => deleteOldAudit(tx, { cutoff: cutoff(policy.auditDays), after, limit: policy.batch }) },
    { kind: 'notifications', days: policy.notificationDays, batch: (tx) => deleteOldNotifications(tx, { cutoff: cutoff(policy.notificationDays), limit: policy.batch }) },
    { kind: 'scans', days: policy.scanDays, batch: (tx) => deleteOldScans(tx, { cutoff: cutoff(policy.scanDays), limit: policy.batch }) },
  ];
  for (const [i, table] of tables.entries()) {
    if (table.days <= 0) continue;
    let after = table.walk ? (cursors[table.walk] ?? 0) : 0;
    while (!opts.signal?.aborted && performance.now() < deadline) {
      const batch = await services.db.transaction(async (tx) => {
        await tx.execute(sql`set local lock_timeout = '1s'`);
        const [lock] = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${LOCK_BASE + i}) as locked`);
        if (!lock!.locked) return null; // another worker process is at this table now
        return table.batch(tx, after);
      });
      if (!batch) break;
      round.batches++;
      round[table.kind] += batch.deleted;
      if (batch.next === null) break;
      after = batch.next;
      if (opts.pauseMs !== 0) await sleep(opts.pauseMs ?? 50);
    }
    if (table.walk) cursors[table.walk] = after;
  }
  round.ms = Math.round(performance.now() - started);
  return { ...round, cursors };
}

/**
 * The workers' retention job: a round a minute after start, then every `intervalMs`. The walks by id go on from
 * where the last round left them; once a day they start again from the first row, so rows kept until then (an event
 * processed late, an aggregate's newest event that a newer one replaced) are found. A failed round is logged and the
 * next one carries on (each batch it finished stays done).
 */
export function startRetention(services: Pick<Services, 'db' | 'logger'>, opts: { intervalMs: number; policy: RetentionPolicy; consumers: string[]; firstAfterMs?: number }) {
  const logger = services.logger.child({ component: 'retention' });
  let running: Promise<RetentionRound | null> | null = null;
  const stopping = new AbortController();
  let cursors: RetentionCursors = {};
  let fullWalkAt = 0;
  const run = () => {
    if (Date.now() - fullWalkAt > 86_400_000) {
      cursors = {};
      fullWalkAt = Date.now();
    }
    running ??= runRetention(services, opts.policy, { consumers: opts.consumers, signal: stopping.signal, cursors })
      .then((round) => {
        cursors = round.cursors;
        if (round.batches > 0) logger.info(round, 'retention round');
        return round;
      })
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'retention round failed; the next one carries on');
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const first = setTimeout(() => void run(), opts.firstAfterMs ?? 60_000);
  const timer = setInterval(() => void run(), opts.intervalMs);
  first.unref();
  timer.unref();
  return {
    runNow: run,
    /** Ends the round under way after its current batch. */
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}
