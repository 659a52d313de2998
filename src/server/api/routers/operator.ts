import { z } from 'zod';
import { getOperatorMe } from '../../accounts/operators';
import { listSystemDeadLetters, resolveSystemDeadLetter, retrySystemDeadLetter } from '../../operations/dead-letters';
import { processStats } from '../../operations/process';
import { platformQueueStats } from '../../operations/queues';
import { clusterOverview } from '../../observability/service';
import { createTRPCRouter, operatorProcedure } from '../trpc';
import { deadLetterListInput, id, text } from '../validators';

/** The platform operator's procedures: what every organization shares. No org member may call them. */
export const operatorRouter = createTRPCRouter({
  me: operatorProcedure.query(({ ctx }) => getOperatorMe(ctx.domain)),

  /** The system's dead letters (jobs of no org); an org's letters stay its admin's. */
  dlq: createTRPCRouter({
    list: operatorProcedure.input(deadLetterListInput).query(({ ctx, input }) => listSystemDeadLetters(ctx.domain, input)),
    retry: operatorProcedure.input(z.strictObject({ id })).mutation(({ ctx, input }) => retrySystemDeadLetter(ctx.domain, input.id)),
    resolve: operatorProcedure.input(z.strictObject({ id, note: text(1000) })).mutation(({ ctx, input }) => resolveSystemDeadLetter(ctx.domain, input.id, input.note)),
  }),

  queues: createTRPCRouter({
    /** Every org's queues as BullMQ counts them, per queue: job counts, completed/failed per minute over the last hour; every org's outbox lag. */
    stats: operatorProcedure.query(({ ctx }) => platformQueueStats(ctx.domain)),
  }),

  system: createTRPCRouter({
    /** This process's figures: cache hit rates, backends, memory and uptime. */
    stats: operatorProcedure.query(({ ctx }) => processStats(ctx.domain)),
    /** The whole cluster's last hour (every instance): latency per procedure, errors, cache hits, queues, outbox, heartbeats, incidents. */
    cluster: operatorProcedure.query(({ ctx }) => clusterOverview(ctx.domain)),
  }),
});
