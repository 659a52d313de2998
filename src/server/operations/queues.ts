import type { OperatorContext, SignedInContext } from '../domain/context';
import { outboxLag } from '../events/queries';
import { queueNames, type QueueName } from '../queues/definitions';
import { lastHour, minutesOfLastHour, type QueueMinute } from '../queues/metrics';
import { orgActivityByMinute, orgBacklog } from './queries';

const MINUTE = 60_000;

/**
 * Why a queue is idle on purpose in this installation (no worker consumes it, and none should), or null: push
 * notifications without an FCM project are off, so nothing is ever put on their queue.
 */
export function queueOffReason(env: { FCM_PROJECT_ID?: string }, name: QueueName): 'push_not_configured' | null {
  return name === queueNames.fcm && !env.FCM_PROJECT_ID ? 'push_not_configured' : null;
}

/**
 * Every org's queues as BullMQ counts them, for the platform operator: per queue, job counts and, for each whole
 * minute of the last hour, completed and failed jobs (BullMQ metrics, put on the minutes they belong to); the
 * outbox lag of every org.
 */
export async function platformQueueStats(ctx: OperatorContext) {
  const { queues } = ctx.services;
  const perQueue = await Promise.all(
    Object.values(queueNames).map(async (name) => {
      const queue = queues.queue(name);
      try {
        const [counts, completed, failed] = await Promise.all([
          queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
          queue.getMetrics('completed', 0, 59).catch(() => null),
          queue.getMetrics('failed', 0, 59).catch(() => null),
        ]);
        return { name, off: queueOffReason(ctx.services.env, name), available: true, counts, perMinute: lastHour(completed, failed, Date.now()) };
      } catch (error) {
        return { name, off: queueOffReason(ctx.services.env, name), available: false, error: (error as Error).message, counts: null, perMinute: null };
      }
    }),
  );
  return { backend: queues.kind, queues: perQueue, outbox: await outboxLag(ctx.db) };
}

export type OrgQueueActivity = {
  name: QueueName;
  off: ReturnType<typeof queueOffReason>;
  /** Waiting: the org's work handed to this queue and not finished; deadLetters: its open letters from it. */
  counts: { waiting: number; completedLastHour: number; failedLastHour: number; deadLetters: number };
  perMinute: QueueMinute[];
};

/**
 * One organization's queue activity, for its admin: derived from the rows the org owns, never from BullMQ's
 * counters (they count every org's jobs). Per queue, the org's work waiting in it, what finished and what went to
 * the dead letters minute by minute over the last hour, and its open dead letters; the outbox lag of its events.
 */
export async function orgQueueActivity(ctx: SignedInContext) {
  const orgId = ctx.principal.orgId;
  const now = Date.now();
  const hourEnd = Math.floor(now / MINUTE) * MINUTE;
  const [backlog, activity] = await Promise.all([orgBacklog(ctx.db, orgId), orgActivityByMinute(ctx.db, orgId, new Date(hourEnd - 60 * MINUTE), new Date(hourEnd))]);

  const perQueue = (name: QueueName, waiting: number, done: (minute: (typeof activity.events)[number]) => number): OrgQueueActivity => {
    const completed = new Map(activity.events.map((m) => [m.at, done(m)]));
    const failed = new Map(activity.letters.filter((l) => l.source_queue === name).map((l) => [l.at, l.failed]));
    const perMinute = minutesOfLastHour(completed, failed, now);
    return {
      name,
      off: queueOffReason(ctx.services.env, name),
      counts: {
        waiting,
        completedLastHour: perMinute.reduce((sum, m) => sum + m.completed, 0),
        failedLastHour: perMinute.reduce((sum, m) => sum + m.failed, 0),
        deadLetters: backlog.openLetters[name] ?? 0,
      },
      perMinute,
    };
  };

  return {
    queues: [
      perQueue(queueNames.domainEvents, backlog.inQueue, (m) => m.events),
      perQueue(queueNames.fcm, backlog.pushes, (m) => m.pushes),
      perQueue(queueNames.images, backlog.images, (m) => m.images),
      perQueue(queueNames.complianceChecks, backlog.checks, (m) => m.checks),
    ],
    outbox: { pending: backlog.unpublished, oldestSeconds: backlog.oldestSeconds },
  };
}
