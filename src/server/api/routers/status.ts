import { publicStatus } from '../../observability/service';
import { createTRPCRouter, publicProcedure } from '../trpc';

export const statusRouter = createTRPCRouter({
  /** The public status page: each component's state, 30 days of availability and incidents. No sign-in, no internals. */
  get: publicProcedure.query(({ ctx }) => publicStatus(ctx.services)),
});
