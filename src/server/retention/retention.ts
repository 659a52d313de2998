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

/** One advisory lock per table: two worker processes never delete from the same table at once (the second skips). */
const LOCK_BASE = 0x6d69_7200; // 'mir\0'
/** The most batches of one table per round: a first round over years of rows spreads over several rounds. */
const MAX_BATCHES_PER_TABLE = 400;

type Kind = Exclude<keyof RetentionRound, 'batches' | 'ms'>;

/**
 * One retention round: each table's rows past their retention, deleted in batches of `policy.batch` rows, each batch
 * a short transaction of its own with a pause after it, so writers never wait on it (it takes no lock a writer
 * takes, skips rows anyone holds, and gives up on a lock after a second). Dead letters are never deleted, nor what a
 * consumer has not processed (queries.ts says what each table keeps).
 */
export async function runRetention(services: Pick<Services, 'db' | 'logger'>, policy: RetentionPolicy, opts: { consumers: string[]; pauseMs?: number; now?: Date; signal?: AbortSignal }): Promise<RetentionRound> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const cutoff = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const round: RetentionRound = { events: 0, audit: 0, notifications: 0, scans: 0, batches: 0, ms: 0 };
  const tables: { kind: Kind; days: number; batch: (tx: Parameters<typeof deleteOldAudit>[0], after: number) => Promise<Batch> }[] = [
    { kind: 'events', days: policy.eventDays, batch: (tx, after) => deleteOldEvents(tx, { cutoff: cutoff(policy.eventDays), after, limit: policy.batch, consumers: opts.consumers }) },
    { kind: 'audit', days: policy.auditDays, batch: (tx, after) => deleteOldAudit(tx, { cutoff: cutoff(policy.auditDays), after, limit: policy.batch }) },
    { kind: 'notifications', days: policy.notificationDays, batch: (tx) => deleteOldNotifications(tx, { cutoff: cutoff(policy.notificationDays), limit: policy.batch }) },
    { kind: 'scans', days: policy.scanDays, batch: (tx) => deleteOldScans(tx, { cutoff: cutoff(policy.scanDays), limit: policy.batch }) },
  ];
  for (const [i, table] of tables.entries()) {
    if (table.days <= 0) continue;
    let after = 0;
    for (let n = 0; n < MAX_BATCHES_PER_TABLE && !opts.signal?.aborted; n++) {
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
  }
  round.ms = Math.round(performance.now() - started);
  return round;
}

/**
 * The workers' retention job: a round a minute after start, then every `intervalMs`. A failed round is logged and
 * the next one carries on (each batch it finished stays done).
 */
export function startRetention(services: Pick<Services, 'db' | 'logger'>, opts: { intervalMs: number; policy: RetentionPolicy; consumers: string[]; firstAfterMs?: number }) {
  const logger = services.logger.child({ component: 'retention' });
  let running: Promise<RetentionRound | null> | null = null;
  const stopping = new AbortController();
  const run = () => {
    running ??= runRetention(services, opts.policy, { consumers: opts.consumers, signal: stopping.signal })
      .then((round) => {
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
