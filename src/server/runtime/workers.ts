import { DelayedError, type Job, type Processor, type Worker } from 'bullmq';
import { systemContext, type JobContext } from '../domain/context';
import { startOutboxRelay } from '../events/relay';
import { startRedeliverySweep } from '../events/redelivery';
import { complianceProcessor } from '../compliance/processor';
import { startComplianceScheduler } from '../compliance/scheduler';
import { imagesProcessor } from '../images/processor';
import { createFcmSender, type PushSender } from '../integrations/fcm/sender';
import { pushProcessor } from '../notifications/push-processor';
import { isFinalFailure, recordDeadLetter } from '../operations/dead-letters';
import { EVENTS_PER_JOB, queueNames, type QueueName } from '../queues/definitions';
import type { QueueProcessor } from '../queues/processor';
import type { Services } from '../services';
import { instanceName, startHeartbeat } from '../observability/heartbeat';
import { reportError } from '../telemetry/report';
import { isTransientDatabaseError } from '../errors';
import { featureEnabled } from '../flags/flags';
import { startRetention, retentionPolicy, type RetentionRound } from '../retention/retention';
import { commitEffects, consumerNames, eventDelivery } from './consumers';

/** The most a forced close may wait on a connection before shutdown goes on without it. */
const FORCED_CLOSE_MS = 3_000;
/** How long a job whose dead letter could not be written (PostgreSQL down) waits before it fails again. */
const DEAD_LETTER_RETRY_MS = 30_000;
/** Runs of a job that a transient database error may put back without spending an attempt (runtime/workers.ts). */
const TRANSIENT_RETRIES = 10;

export type WorkerRuntime = {
  stop(timeoutMs: number): Promise<{ forced: boolean }>;
  workers: Worker[];
  sender: PushSender | null;
  instance: string;
  beatNow(): Promise<void>;
  /** A compliance scheduling round now. */
  scheduleNow(): Promise<void>;
  /** A retention round now (null: it failed, and was logged). */
  retentionNow(): Promise<RetentionRound | null>;
};

/**
 * Starts the outbox relay, the redelivery sweep and one BullMQ worker per queue (each queue's processor comes
 * from the domain that owns the work), on whichever backend `services.queues` uses. Used by `npm run workers`
 * and, in the embedded mode, inside the app's process.
 */
export async function startWorkers(
  services: Services,
  opts: {
    sender?: PushSender | null;
    concurrency?: Partial<Record<QueueName, number>>;
    /** This runtime's name in the heartbeats (default: instanceName(env, 'workers', WORKER_METRICS_PORT)). */
    instance?: string;
  } = {},
): Promise<WorkerRuntime> {
  const logger = services.logger.child({ component: 'workers' });
  const { env, queues } = services;
  const sender =
    opts.sender !== undefined
      ? opts.sender
      : env.FCM_PROJECT_ID
        ? await createFcmSender({
            projectId: env.FCM_PROJECT_ID,
            serviceAccountFile: env.FCM_SERVICE_ACCOUNT_FILE,
            endpointOverride: env.FCM_ENDPOINT_OVERRIDE,
            logger,
            integration: services.integrations.get('fcm'),
          })
        : null;
  const afterCommit = commitEffects(services);
  const contextOf: JobContext = (job, orgId) => systemContext(services, { requestId: `job:${job.queueName}:${job.id}`, orgId, logger, afterCommit });

  const processors: Partial<Record<QueueName, QueueProcessor>> = {
    [queueNames.domainEvents]: eventDelivery.processor({ services, pushEnabled: sender !== null }, logger),
    [queueNames.images]: imagesProcessor(contextOf, logger, env.IMAGE_MAX_WAIT_MS),
    [queueNames.complianceChecks]: complianceProcessor(contextOf, logger, services.annotator),
    ...(sender
      ? {
          [queueNames.fcm]: pushProcessor({
            db: services.db,
            sender,
            logger,
            rateLimitDelayMs: env.FCM_RATE_LIMIT_DELAY_MS,
            maxWaitMs: env.FCM_MAX_WAIT_MS,
            // Nobody consumes notification.sent today: the relay's poll publishes it, no wake-up per delivery.
            wakeRelay: eventDelivery.hasConsumer('notification.sent'),
            countPush: (result) => services.metrics.pushes.inc({ result }),
            pushAllowed: (orgId) => featureEnabled(services, orgId, 'pushDelivery'),
          }),
        }
      : {}),
  };

  // A job's last failure is recorded in the dead-letter queue before BullMQ marks it failed (guarded below); the
  // `failed` event covers what never reached the processor's end (a job stalled too often).
  const recorded = new WeakSet<Job>();
  const deadLetter = async (queue: QueueName, job: Job, error: Error, attempts: number) => {
    await services.db.transaction(async (tx) => {
      await recordDeadLetter(tx, queue, job, error, attempts);
      await processors[queue]?.deadLettered?.(tx, job);
    });
    const { orgId } = job.data as { orgId?: string | null };
    reportError(error, { requestId: `job:${job.queueName}:${job.id}`, orgId, queue, job_name: job.name, attempts });
  };

  const workers = Object.entries(processors).map(([name, processor]) => {
    const queue = name as QueueName;
    const guarded: Processor = async (job, token) => {
      const started = performance.now();
      const took = (outcome: string) => services.metrics.jobDuration.observe({ queue, outcome }, (performance.now() - started) / 1000);
      try {
        const result = await processor!.process(job, token);
        took('completed');
        return result;
      } catch (error) {
        const transient = Boolean(token) && isTransientDatabaseError(error) && job.attemptsStarted <= TRANSIENT_RETRIES;
        took(error instanceof DelayedError || transient ? 'delayed' : 'failed');
        // A deadlock, a dropped connection, a failover: the database says "again", so the job waits and runs again
        // without spending one of its attempts (bounded: past TRANSIENT_RETRIES starts it counts like any failure).
        if (token && transient) {
          const waitMs = Math.min(30_000, 250 * 2 ** Math.min(job.attemptsStarted, 7)) * (0.5 + Math.random());
          logger.warn({ err: error, queue, jobId: job.id, waitMs: Math.round(waitMs) }, 'transient database error; the job runs again');
          await job.moveToDelayed(Date.now() + waitMs, token);
          throw new DelayedError();
        }
        if (!(error instanceof Error) || error instanceof DelayedError || !isFinalFailure(job, error, { running: true })) throw error;
        try {
          await deadLetter(queue, job, error, job.attemptsMade + 1);
          recorded.add(job);
        } catch (recordError) {
          // Not failed without its dead letter: the job comes back later and fails again, until it is recorded.
          logger.error({ err: recordError, queue, jobId: job.id }, 'could not record a dead letter; the job will fail again later');
          if (token) {
            await job.moveToDelayed(Date.now() + DEAD_LETTER_RETRY_MS, token);
            throw new DelayedError();
          }
        }
        throw error;
      }
    };
    const worker = queues.worker(queue, guarded, { concurrency: opts.concurrency?.[queue] ?? (queue === queueNames.images ? env.IMAGE_CONCURRENCY : undefined) });
    worker.on('failed', (job: Job | undefined, error: Error) => {
      if (!job || recorded.has(job) || !isFinalFailure(job, error, { running: false })) return;
      deadLetter(queue, job, error, job.attemptsMade).catch((err: unknown) => logger.error({ err, queue, jobId: job.id }, 'could not record a dead letter'));
    });
    void worker.run();
    return worker;
  });
  const relay = startOutboxRelay({
    db: services.db,
    sql: services.listenSql,
    queue: queues.queue(queueNames.domainEvents),
    logger,
    wanted: eventDelivery.hasConsumer,
    eventsPerJob: env.RELAY_EVENTS_PER_JOB ?? (queues.kind === 'postgres' ? EVENTS_PER_JOB : 1),
  });
  const redelivery = startRedeliverySweep({
    db: services.db,
    domainEvents: queues.queue(queueNames.domainEvents),
    fcm: sender ? queues.queue(queueNames.fcm) : null,
    logger,
    afterMs: env.REDELIVER_AFTER_MS,
  });
  const scheduler = startComplianceScheduler(services, { intervalMs: env.COMPLIANCE_SCHEDULE_INTERVAL_MS, afterCommit });
  const retention = startRetention(services, { intervalMs: env.RETENTION_INTERVAL_MS, policy: retentionPolicy(env), consumers: consumerNames });
  const heartbeat = startHeartbeat(services, { instance: opts.instance ?? instanceName(env, 'workers', env.WORKER_METRICS_PORT), role: 'workers' });
  logger.info({ backend: queues.kind, queues: Object.keys(processors), push: sender !== null, instance: heartbeat.instance }, 'workers started');

  return {
    workers,
    sender,
    instance: heartbeat.instance,
    beatNow: heartbeat.beatNow,
    scheduleNow: scheduler.runNow,
    retentionNow: retention.runNow,
    /**
     * Stop taking jobs and let active ones finish, within `timeoutMs` in all: past it, the workers close without
     * waiting (BullMQ returns their unfinished jobs to the queue when the locks lapse), and nothing waits on a
     * connection that does not answer for more than a few seconds more.
     */
    async stop(timeoutMs) {
      const within = <T>(ms: number, work: Promise<T>, late: T) => {
        let timer: NodeJS.Timeout | undefined;
        return Promise.race([work, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(late), ms)))]).finally(() => clearTimeout(timer));
      };
      // All at once: no worker takes a new job from the moment shutdown starts, even one the relay is publishing.
      const graceful = Promise.all([relay.stop(), redelivery.stop(), scheduler.stop(), retention.stop(), ...workers.map((w) => w.close())]).then(() => false);
      const forced = await within(timeoutMs, graceful, true);
      if (forced) await within(FORCED_CLOSE_MS, Promise.allSettled(workers.map((w) => w.close(true))), []);
      await within(FORCED_CLOSE_MS, sender?.close() ?? Promise.resolve(), undefined);
      await within(FORCED_CLOSE_MS, heartbeat.stop(), undefined);
      return { forced };
    },
  };
}
