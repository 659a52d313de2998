import { serviceStatus } from '../../../operations/process';
import { serviceQuality } from '../../../observability/service';
import { localHttpsSummary } from '../../../tls/status';
import { adminProcedure, createTRPCRouter } from '../../trpc';

export const adminSystemRouter = createTRPCRouter({
  /** Whether the services the org's screens rely on work; no process figure (those are the platform operator's). */
  stats: adminProcedure.query(({ ctx }) => serviceStatus(ctx.domain)),
  /** The service's quality over the last hour, every instance: latencies, error and cache hit rates, backlog, open incidents (rates, never counts). */
  quality: adminProcedure.query(({ ctx }) => serviceQuality(ctx.domain)),
  /**
   * The store's own HTTPS, when the server runs with its local certificate authority (null otherwise): the
   * authority's fingerprint and end, the server certificate's end and names, the addresses tablets open, with QR codes.
   */
  localHttps: adminProcedure.query(({ ctx }) => localHttpsSummary(ctx.services.env)),
});
