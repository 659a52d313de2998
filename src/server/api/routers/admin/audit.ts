import { z } from 'zod';
import { listAudit } from '../../../audit/service';
import { adminProcedure, createTRPCRouter } from '../../trpc';
import { date, id, pageInput } from '../../validators';

export const adminAuditRouter = createTRPCRouter({
  list: adminProcedure
    .input(
      z.strictObject({
        ...pageInput,
        actorId: id.nullish(),
        action: z.string().trim().max(80).nullish(),
        entityType: z.string().trim().max(80).nullish(),
        entityId: z.string().trim().max(200).nullish(),
        from: date.nullish(),
        to: date.nullish(),
      }),
    )
    .query(({ ctx, input }) => listAudit(ctx.domain, input)),
});
