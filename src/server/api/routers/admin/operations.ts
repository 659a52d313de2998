import { z } from 'zod';
import { writeAudit } from '../../../audit/audit';
import { appendRetry, clearProcessedMarks, findDeadLetter, findOrgEvents, listDeadLetters, listEvents, outboxLag, resolveDeadLetter } from '../../../operations/queries';
import { AppError, notFound } from '../../../domain/errors';
import { queueNames, type QueueName } from '../../../queues/definitions';
import { lastHour } from '../../../queues/metrics';
import { consumerNames } from '../../../runtime/consumers';
import { retriedJobId } from '../../../operations/dead-letters';
import { adminProcedure, createTRPCRouter } from '../../trpc';
import { id, pageInput, text } from '../../validators';

const queueName = z.enum(Object.values(queueNames) as [QueueName, ...QueueName[]]);

export const adminDlqRouter = createTRPCRouter({
  list: adminProcedure
    .input(z.strictObject({ ...pageInput, queue: queueName.nullish(), resolved: z.boolean().nullish() }))
    .query(({ ctx, input }) => listDeadLetters(ctx.services.db, ctx.orgId, input)),

  /**
   * Puts the job back on its queue under a new id; the dead letter stays (with this retry in its history) until
   * resolved. While the last retry's job has not run yet, asking again (a double click, a retry whose answer was
   * lost) answers that job instead of queueing a second one; two at once queue one (the letter is locked). The
   * history and the job go together: if the queue refuses the job, no retry is recorded.
   */
  retry: adminProcedure.input(z.strictObject({ id })).mutation(({ ctx, input }) =>
    ctx.services.db.transaction(async (tx) => {
      const letter = await findDeadLetter(tx, ctx.orgId, input.id, { lock: true });
      if (!letter) throw notFound('Dead letter');
      if (letter.resolvedAt) throw new AppError('CONFLICT', 'This dead letter is already resolved');
      const queue = ctx.services.queues.queue(letter.sourceQueue as QueueName);
      const last = letter.retryHistory.at(-1)?.newJobId;
      if (last && ['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'].includes(await queue.getJobState(last))) return { id: letter.id, jobId: last };
      const jobId = retriedJobId(letter.id, letter.retryHistory.length + 1);
      await appendRetry(tx, letter.id, { at: new Date().toISOString(), by: ctx.principal.userId, newJobId: jobId });
      await writeAudit(tx, ctx.actor, { action: 'deadLetter.retried', entityType: 'dead_letter', entityId: letter.id, after: { jobId } });
      await queue.add(letter.jobName ?? 'retry', letter.payload, { jobId });
      return { id: letter.id, jobId };
    }),
  ),

  resolve: adminProcedure.input(z.strictObject({ id, note: text(1000) })).mutation(async ({ ctx, input }) => {
    return ctx.services.db.transaction(async (tx) => {
      const letter = await findDeadLetter(tx, ctx.orgId, input.id);
      if (!letter) throw notFound('Dead letter');
      const resolved = (await resolveDeadLetter(tx, input.id, ctx.principal.userId, input.note)) ?? letter;
      await writeAudit(tx, ctx.actor, { action: 'deadLetter.resolved', entityType: 'dead_letter', entityId: input.id, after: { note: input.note } });
      return resolved;
    });
  }),
});

export const adminQueuesRouter = createTRPCRouter({
  /**
   * Per queue: job counts and, for each whole minute of the last hour, completed and failed jobs (BullMQ metrics,
   * put on the minutes they belong to); the outbox lag.
   */
  stats: adminProcedure.query(async ({ ctx }) => {
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
          return { name, available: true, counts, perMinute: lastHour(completed, failed, Date.now()) };
        } catch (error) {
          return { name, available: false, error: (error as Error).message, counts: null, perMinute: null };
        }
      }),
    );
    return { backend: queues.kind, queues: perQueue, outbox: await outboxLag(ctx.services.db) };
  }),
});

export const adminEventsRouter = createTRPCRouter({
  list: adminProcedure
    .input(z.strictObject({ ...pageInput, type: z.string().max(80).nullish(), aggregateId: z.string().max(200).nullish() }))
    .query(({ ctx, input }) => listEvents(ctx.services.db, ctx.orgId, input)),

  /** Delivers chosen events again to one consumer (after a fix, or to a new consumer). */
  replay: adminProcedure
    .input(z.strictObject({ eventIds: z.array(z.number().int().positive()).min(1).max(1000), consumer: z.enum(consumerNames as [string, ...string[]]) }))
    .mutation(async ({ ctx, input }) => {
      const events = await findOrgEvents(ctx.services.db, ctx.orgId, input.eventIds);
      if (events.length === 0) throw notFound('Events');
      const ids = events.map((e) => e.id);
      await clearProcessedMarks(ctx.services.db, input.consumer, ids);
      const stamp = Date.now();
      try {
        await ctx.services.queues
          .queue(queueNames.domainEvents)
          .addBulk(events.map((e) => ({ name: e.type, data: { eventId: e.id, orgId: ctx.orgId, consumer: input.consumer }, opts: { jobId: `replay-${input.consumer}-${e.id}-${stamp}` } })));
      } catch (error) {
        // The marks are gone and nothing was queued: the same replay asked again, once the queue is back, does what
        // this one could not.
        ctx.logger.warn({ err: error }, 'replay could not be queued');
        throw new AppError('UNAVAILABLE', 'The event queue is unreachable, so nothing was replayed; try again once it is back');
      }
      await writeAudit(ctx.services.db, ctx.actor, { action: 'events.replayed', entityType: 'event_log', after: { consumer: input.consumer, eventIds: ids } });
      return { replayed: ids.length, skipped: input.eventIds.length - ids.length };
    }),
});
