import { z } from 'zod';
import { featureFlagNames } from '../../../flags/definitions';
import { listFlags, setFlag } from '../../../flags/flags';
import { adminProcedure, createTRPCRouter } from '../../trpc';
import { id } from '../../validators';

/** Feature flags: the risky paths an admin switches off (and on) for the org or one store, audited. */
export const adminFlagsRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listFlags(ctx.domain)),

  /** `enabled` null removes the choice (the default, or the org's for a store, applies again). Idempotent. */
  set: adminProcedure
    .input(z.strictObject({ flag: z.enum(featureFlagNames), storeId: id.nullable(), enabled: z.boolean().nullable() }))
    .mutation(({ ctx, input }) => setFlag(ctx.domain, input)),
});
