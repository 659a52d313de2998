import type { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import { jobOf } from '../queues/definitions';

export type RedeliveryOptions = {
  db: Database;
  domainEvents: Queue;
  /** The push queue, when this process sends pushes. */
  fcm: Queue | null;
  logger: Logger;
  /** Age after which unfinished work is queued again. */
  afterMs: number;
  batchSize?: number;
};

/** Between the relay's clock (a job's timestamp) and PostgreSQL's (`published_at`). */
const CLOCK_SLACK_MS = 1000;

/** When the oldest job of the queue still waiting, delayed or running was added (null: none). */
async function oldestQueued(queue: Queue): Promise<number | null> {
  const found = await Promise.all([queue.getJobs(['waiting', 'prioritized'], 0, 0, true), queue.getJobs(['delayed', 'active'], 0, 199, true)]);
  const times = found.flat().flatMap((job) => (job?.timestamp ? [job.timestamp] : []));
  return times.length > 0 ? Math.min(...times) : null;
}

/**
 * The safety net under "never lose a job" when Redis loses queued jobs: every `afterMs / 2`, events published
 * `afterMs` ago (and before the oldest job still queued) and not processed, and pushes still `queued` or `sending`,
 * are queued again under their usual job ids (a no-op where the job still exists; docs/architecture.md "The
 * redelivery sweep").
 */
export function startRedeliverySweep(opts: RedeliveryOptions) {
  const log = opts.logger.child({ component: 'redelivery' });
  const limit = opts.batchSize ?? 500;
  const seconds = opts.afterMs / 1000;
  let running: Promise<void> | null = null;

  // Each round goes on from where the last one stopped, and starts over once it reaches the end: an event whose
  // job still exists but never stamps it (processed by a worker of an older version, say) is looked at once per
  // pass instead of holding the head of every round.
  let after = 0;
  const sweep = async () => {
    // Events published since the oldest job still queued was added may be in it, and a relay batch's job has an id
    // of its own: queuing them again alone would not be a no-op but a second run. Jobs Redis lost are not queued.
    const queuedSince = await oldestQueued(opts.domainEvents);
    const before = queuedSince === null ? sql`now() - make_interval(secs => ${seconds})` : sql`least(now() - make_interval(secs => ${seconds}), to_timestamp(${(queuedSince - CLOCK_SLACK_MS) / 1000}))`;
    const events = await opts.db.execute<{ id: string; org_id: string | null; type: string; trace: { traceparent: string } | null }>(sql`
      select id, org_id, type, metadata -> 'trace' as trace from event_log
      where processed_at is null and published_at < ${before} and id > ${after}
      order by id limit ${limit}`);
    after = events.length < limit ? 0 : Number(events[events.length - 1]!.id);
    if (events.length > 0) {
      await opts.domainEvents.addBulk([...events].map((e) => jobOf.event({ id: e.id, type: e.type, orgId: e.org_id, trace: e.trace })));
      log.info({ events: events.length }, 'events not yet applied queued again (no-op where their jobs still exist)');
    }
    if (!opts.fcm) return;
    const pushes = await opts.db.execute<{ id: string; org_id: string }>(sql`
      select id, org_id from notifications
      where push_status in ('queued', 'sending') and created_at < now() - make_interval(secs => ${seconds})
      limit ${limit}`);
    if (pushes.length > 0) {
      await opts.fcm.addBulk([...pushes].map((n) => jobOf.push({ id: n.id, orgId: n.org_id })));
      log.info({ notifications: pushes.length }, 'pushes not yet sent queued again (no-op where their jobs still exist)');
    }
  };

  const timer = setInterval(() => {
    if (running) return;
    running = sweep()
      .catch((error: unknown) => log.warn({ err: error }, 'redelivery sweep failed; next round will try again'))
      .finally(() => {
        running = null;
      });
  }, Math.max(500, Math.round(opts.afterMs / 2)));
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
