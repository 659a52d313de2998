import { z } from 'zod';
import { listDeadLetters, resolveDeadLetter, retryDeadLetter } from '../../../operations/dead-letters';
import { listEvents, replayEvents } from '../../../operations/events';
import { orgQueueActivity } from '../../../operations/queues';
import { eventDelivery } from '../../../runtime/consumers';
import { adminProcedure, createTRPCRouter } from '../../trpc';
import { deadLetterListInput, id, pageInput, text } from '../../validators';

/** The org's own dead letters; the system's (no org) are the platform operator's (`operator.dlq`). */
export const adminDlqRouter = createTRPCRouter({
  list: adminProcedure
    .input(deadLetterListInput)
    .query(({ ctx, input }) => listDeadLetters(ctx.domain, input)),

  /** Puts the job back on its queue; asked again while that job waits, it answers the same job. */
  retry: adminProcedure.input(z.strictObject({ id })).mutation(({ ctx, input }) => retryDeadLetter(ctx.domain, input.id)),

  resolve: adminProcedure.input(z.strictObject({ id, note: text(1000) })).mutation(({ ctx, input }) => resolveDeadLetter(ctx.domain, input.id, input.note)),
});

export const adminQueuesRouter = createTRPCRouter({
  /** The org's own queue activity, from its rows: per queue, its work waiting, finished and failed per minute over the last hour, its open dead letters; its outbox lag. */
  stats: adminProcedure.query(({ ctx }) => orgQueueActivity(ctx.domain)),
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
