import type { SignedInContext } from '../domain/context';
import { listAudit as listAuditRows, type AuditFilters } from './queries';

/** The org's audit trail, newest first, filtered. */
export const listAudit = (ctx: SignedInContext, params: AuditFilters & { cursor?: string | null; limit: number }) => listAuditRows(ctx.db, ctx.principal.orgId, params);
