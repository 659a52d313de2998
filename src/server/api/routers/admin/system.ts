import { serviceStatus } from '../../../operations/process';
import { adminProcedure, createTRPCRouter } from '../../trpc';

export const adminSystemRouter = createTRPCRouter({
  /** Whether the services the org's screens rely on work; no process figure (those are the platform operator's). */
  stats: adminProcedure.query(({ ctx }) => serviceStatus(ctx.domain)),
});
