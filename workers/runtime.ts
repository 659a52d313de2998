import type { Job, Worker } from 'bullmq';
import { eq } from 'drizzle-orm';
import { notifications } from '~/server/db/schema';
import { startOutboxRelay } from '~/server/events/relay';
import { queueNames, type QueueName } from '~/server/queues/definitions';
import type { QueueBackend } from '~/server/queues/backend';
import { createFcmSender, type PushSender } from '~/server/services/fcm/sender';
import type { Services } from '~/server/services';
import { isFinalFailure, recordDeadLetter } from './dead-letter';
import { domainEventsProcessor, hasConsumer } from './processors/domain-events';
import { fcmProcessor } from './processors/fcm';
import { imagesProcessor } from './processors/images';

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

  const workers = Object.entries(processors).map(([name, processor]) => {
    const queue = name as QueueName;
    const worker = queues.worker(queue, processor!, { concurrency: opts.concurrency?.[queue] });
    worker.on('failed', (job: Job | undefined, error: Error) => {
      if (!job || !isFinalFailure(job, error)) return;
      void (async () => {
        await recordDeadLetter(services.db, queue, job, error);
        if (queue === queueNames.fcm) await services.db.update(notifications).set({ pushStatus: 'failed' }).where(eq(notifications.id, String(job.data.notificationId)));
      })().catch((err: unknown) => logger.error({ err, queue, jobId: job.id }, 'could not record a dead letter'));
    });
    void worker.run();
    return worker;
  });
  const relay = startOutboxRelay({ db: services.db, sql: services.sql, queue: queues.queue(queueNames.domainEvents), logger, wanted: hasConsumer });
  logger.info({ backend: queues.kind, queues: Object.keys(processors), push: sender !== null }, 'workers started');

  return {
    workers,
    sender,
    /** Stop taking jobs; let active ones finish (BullMQ returns unfinished ones to the queue when their lock lapses). */
    async stop(timeoutMs) {
      await relay.stop();
      let timer: NodeJS.Timeout | undefined;
      const forced = await Promise.race([
        Promise.all(workers.map((w) => w.close())).then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (forced) await Promise.allSettled(workers.map((w) => w.close(true)));
      await sender?.close();
      return { forced };
    },
  };
}
