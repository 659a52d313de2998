import { DelayedError, type Job, type Processor, type Worker } from 'bullmq';
import { eq } from 'drizzle-orm';
import { notifications } from '~/server/db/schema';
import { markEventProcessed } from '~/server/operations/queries';
import { startOutboxRelay } from '~/server/events/relay';
import { startRedeliverySweep } from '~/server/events/redelivery';
import { queueNames, type QueueName } from '~/server/queues/definitions';
import type { QueueBackend } from '~/server/queues/backend';
import { createFcmSender, type PushSender } from '~/server/integrations/fcm/sender';
import type { Services } from '~/server/services';
import { isUuid } from '~/lib/uuid';
import { isFinalFailure, recordDeadLetter } from '../operations/dead-letters';
import { domainEventsProcessor, hasConsumer } from '../events/delivery';
import { fcmProcessor } from '../notifications/push-processor';
import { imagesProcessor } from '../images/processor';

/** The most a forced close may wait on a connection before shutdown goes on without it. */
const FORCED_CLOSE_MS = 3_000;
/** How long a job whose dead letter could not be written (PostgreSQL down) waits before it fails again. */
const DEAD_LETTER_RETRY_MS = 30_000;

export type WorkerRuntime = { stop(timeoutMs: number): Promise<{ forced: boolean }>; workers: Worker[]; sender: PushSender | null };

/**
 * Starts the outbox relay and one BullMQ worker per queue (the processors registered here), on whichever backend
 * `queues` uses. Used by `npm run workers` and, in the embedded mode, inside the app's process.
 */
export async function startWorkers(services: Services, queues: QueueBackend, opts: { sender?: PushSender | null; concurrency?: Partial<Record<QueueName, number>> } = {}): Promise<WorkerRuntime> {
  const logger = services.logger.child({ component: 'workers' });
  const { env } = services;
  const sender =
    opts.sender !== undefined
      ? opts.sender
      : env.FCM_PROJECT_ID
        ? await createFcmSender({ projectId: env.FCM_PROJECT_ID, serviceAccountFile: env.FCM_SERVICE_ACCOUNT_FILE, endpointOverride: env.FCM_ENDPOINT_OVERRIDE, logger })
        : null;
  const deps = { services, queues, pushEnabled: sender !== null };

  const processors = {
    [queueNames.domainEvents]: domainEventsProcessor(deps, logger),
    [queueNames.images]: imagesProcessor(services, logger),
    ...(sender ? { [queueNames.fcm]: fcmProcessor(services, sender, logger) } : {}),
  } as Partial<Record<QueueName, ReturnType<typeof domainEventsProcessor>>>;

  // A job's last failure is recorded in the dead-letter queue before BullMQ marks it failed (guarded below); the
  // `failed` event covers what never reached the processor's end (a job stalled too often).
  const recorded = new WeakSet<Job>();
  const deadLetter = (queue: QueueName, job: Job, error: Error, attempts: number) =>
    services.db.transaction(async (tx) => {
      await recordDeadLetter(tx, queue, job, error, attempts);
      if (queue === queueNames.fcm && isUuid(job.data?.notificationId)) {
        await tx.update(notifications).set({ pushStatus: 'failed' }).where(eq(notifications.id, job.data.notificationId));
      }
      // The dead-letter queue has the event now; an admin retry applies it from there.
      if (queue === queueNames.domainEvents && !job.data?.consumer && Number.isSafeInteger(job.data?.eventId)) await markEventProcessed(tx, job.data.eventId);
    });

  const workers = Object.entries(processors).map(([name, processor]) => {
    const queue = name as QueueName;
    const guarded: Processor = async (job, token) => {
      try {
        return await processor!(job, token);
      } catch (error) {
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
    const worker = queues.worker(queue, guarded, { concurrency: opts.concurrency?.[queue] });
    worker.on('failed', (job: Job | undefined, error: Error) => {
      if (!job || recorded.has(job) || !isFinalFailure(job, error, { running: false })) return;
      deadLetter(queue, job, error, job.attemptsMade).catch((err: unknown) => logger.error({ err, queue, jobId: job.id }, 'could not record a dead letter'));
    });
    void worker.run();
    return worker;
  });
  const relay = startOutboxRelay({ db: services.db, sql: services.sql, queue: queues.queue(queueNames.domainEvents), logger, wanted: hasConsumer });
  const redelivery = startRedeliverySweep({
    db: services.db,
    domainEvents: queues.queue(queueNames.domainEvents),
    fcm: sender ? queues.queue(queueNames.fcm) : null,
    logger,
    afterMs: env.REDELIVER_AFTER_MS,
  });
  logger.info({ backend: queues.kind, queues: Object.keys(processors), push: sender !== null }, 'workers started');

  return {
    workers,
    sender,
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
      const graceful = Promise.all([relay.stop(), redelivery.stop(), ...workers.map((w) => w.close())]).then(() => false);
      const forced = await within(timeoutMs, graceful, true);
      if (forced) await within(FORCED_CLOSE_MS, Promise.allSettled(workers.map((w) => w.close(true))), []);
      await within(FORCED_CLOSE_MS, sender?.close() ?? Promise.resolve(), undefined);
      return { forced };
    },
  };
}
