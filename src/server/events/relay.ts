import type { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import { jobOf } from '../queues/definitions';
import type { TraceCarrier } from '../telemetry/spans';
import { OUTBOX_CHANNEL } from './outbox';
import { eventTypes } from './types';

type Sql = { listen: (channel: string, fn: (payload: string) => void) => Promise<{ unlisten: () => Promise<void> }> };

export type RelayOptions = {
  db: Database;
  /** postgres.js client for LISTEN (its own connection). */
  sql: Sql;
  queue: Queue;
  logger: Logger;
  batchSize?: number;
  /** Safety net when a NOTIFY is missed (a relay restarting, a dropped LISTEN connection). */
  pollMs?: number;
  /**
   * Whether any consumer wants events of this type. Those nobody consumes (e.g. `notification.sent`, a record
   * for the log) are marked published without a job: a third of the queue's traffic on the push path.
   */
  wanted?: (type: string) => boolean;
  /** Events of one org in one job (`jobOf.events`); 1: a job each. */
  eventsPerJob?: number;
};

/**
 * Hands outbox rows to the `domain-events` queue and marks them published, in one transaction per batch; the rows
 * of one org taken together may share jobs (`eventsPerJob` events a job: `jobOf.events`).
 * `FOR UPDATE SKIP LOCKED`: two relays never take the same row. If the queue is unreachable (Redis down), the
 * transaction rolls back and the rows wait for the next round; a row published twice (a commit lost after the
 * enqueue) carries the same job id, and consumers are idempotent anyway.
 */
export function startOutboxRelay(opts: RelayOptions) {
  const batchSize = opts.batchSize ?? 500;
  const pollMs = opts.pollMs ?? 1000;
  const log = opts.logger.child({ component: 'outbox-relay' });
  let running = true;
  let wake: (() => void) | undefined;
  // A NOTIFY that lands while a batch is being published must not wait for the poll.
  let notified = false;
  let failures = 0;
  let published = 0;

  // Types no consumer wants are done once published: the redelivery sweep looks for the others until applied.
  const unwanted = JSON.stringify(opts.wanted ? eventTypes.filter((t) => !opts.wanted!(t)) : []);

  // One statement takes and marks the rows; the enqueue happens before the commit, so a failed enqueue (Redis
  // down) rolls the marks back.
  const relayOnce = () =>
    opts.db.transaction(async (tx) => {
      const rows = await tx.execute<{ id: number; type: string; org_id: string | null; trace: TraceCarrier | null }>(sql`
        update event_log set published_at = now(), processed_at = case when ${unwanted}::jsonb ? type then now() end
        where id in (select id from event_log where published_at is null order by id limit ${batchSize} for update skip locked)
        returning id, type, org_id, metadata -> 'trace' as trace`);
      const batch = [...rows].map((r) => ({ id: Number(r.id), type: r.type, orgId: r.org_id, trace: r.trace })).sort((a, b) => a.id - b.id);
      const jobs = opts.wanted ? batch.filter((e) => opts.wanted!(e.type)) : batch;
      if (jobs.length > 0) await opts.queue.addBulk(jobOf.events(jobs, opts.eventsPerJob ?? 1));
      return batch.length;
    });

  const listening = opts.sql
    .listen(OUTBOX_CHANNEL, () => {
      notified = true;
      wake?.();
    })
    .catch((error: unknown) => {
    log.warn({ err: error }, 'LISTEN failed; relying on the poll');
    return { unlisten: async () => {} };
  });

  const done = (async () => {
    while (running) {
      let count = 0;
      notified = false;
      try {
        count = await relayOnce();
        published += count;
        if (failures > 0) log.info({ afterFailures: failures }, 'relay publishing again');
        failures = 0;
      } catch (error) {
        if (failures === 0) log.warn({ err: error }, 'relay cannot publish; events wait in the outbox');
        failures++;
      }
      if (!running) break;
      if (count === batchSize || (notified && failures === 0)) continue;
      const delay = failures > 0 ? Math.min(5000, 100 * 2 ** Math.min(failures, 6)) : pollMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();

  return {
    published: () => published,
    async stop() {
      running = false;
      wake?.();
      await done;
      await (await listening).unlisten().catch(() => {});
    },
  };
}
