import { systemStats } from '../../../operations/queues';
import { adminProcedure, createTRPCRouter } from '../../trpc';

export const adminSystemRouter = createTRPCRouter({
  /** This process's cache counters (hit rates) and which backends it runs on. */
  stats: adminProcedure.query(({ ctx }) => systemStats(ctx.domain)),
});
