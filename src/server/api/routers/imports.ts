import { z } from 'zod';
import { getImportErrorReport } from '../../imports/reports';
import { authedProcedure, createTRPCRouter } from '../trpc';
import { id } from '../validators';

export const importsRouter = createTRPCRouter({
  /** Every bad row of a CSV import of the caller's (an admin: anyone's in the org), kept for 7 days: the full report its answer points to. */
  errorReport: authedProcedure.input(z.strictObject({ id })).query(({ ctx, input }) => getImportErrorReport(ctx.domain, input.id)),
});
