import { z } from 'zod';
import { listDeadLetters, resolveDeadLetter, retryDeadLetter } from '../../../operations/dead-letters';
import { listEvents, replayEvents } from '../../../operations/events';
import { queueStats } from '../../../operations/queues';
import { queueNames, type QueueName } from '../../../queues/definitions';
import { eventDelivery } from '../../../runtime/consumers';
import { adminProcedure, createTRPCRouter } from '../../trpc';
import { id, pageInput, text } from '../../validators';

const queueName = z.enum(Object.values(queueNames) as [QueueName, ...QueueName[]]);

export const adminDlqRouter = createTRPCRouter({
  list: adminProcedure
    .input(z.strictObject({ ...pageInput, queue: queueName.nullish(), resolved: z.boolean().nullish() }))
    .query(({ ctx, input }) => listDeadLetters(ctx.domain, input)),

  /** Puts the job back on its queue; asked again while that job waits, it answers the same job. */
  retry: adminProcedure.input(z.strictObject({ id })).mutation(({ ctx, input }) => retryDeadLetter(ctx.domain, input.id)),

  resolve: adminProcedure.input(z.strictObject({ id, note: text(1000) })).mutation(({ ctx, input }) => resolveDeadLetter(ctx.domain, input.id, input.note)),
});

export const adminQueuesRouter = createTRPCRouter({
  /** Per queue: job counts and completed/failed per minute over the last hour; the outbox lag. */
  stats: adminProcedure.query(({ ctx }) => queueStats(ctx.domain)),
});

export const adminEventsRouter = createTRPCRouter({
  list: adminProcedure
    .input(z.strictObject({ ...pageInput, type: z.string().max(80).nullish(), aggregateId: z.string().max(200).nullish() }))
    .query(({ ctx, input }) => listEvents(ctx.domain, input)),

  /** Delivers chosen events again to one consumer (after a fix, or to a new consumer). */
  replay: adminProcedure
    .input(
      z.strictObject({
        eventIds: z.array(z.number().int().positive()).min(1).max(1000),
        consumer: z.enum(eventDelivery.consumerNames as [string, ...string[]]),
      }),
    )
    .mutation(({ ctx, input }) => replayEvents(ctx.domain, input)),
});
