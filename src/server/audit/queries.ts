import { and, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { auditLog, users } from '../db/schema';
import { decodeCursor, toPage } from '../db/cursor';
import { newestFirst } from '../db/order';

export type AuditFilters = {
  actorId?: string | null;
  action?: string | null;
  entityType?: string | null;
  entityId?: string | null;
  from?: Date | null;
  to?: Date | null;
};

/** The trail's filters on `audit_log` (the audit export applies the same). */
export function auditFilters(orgId: string, params: AuditFilters): (SQL | undefined)[] {
  return [
    eq(auditLog.orgId, orgId),
    params.actorId ? eq(auditLog.actorId, params.actorId) : undefined,
    params.action ? eq(auditLog.action, params.action) : undefined,
    params.entityType ? eq(auditLog.entityType, params.entityType) : undefined,
    params.entityId ? eq(auditLog.entityId, params.entityId) : undefined,
    params.from ? gte(auditLog.createdAt, params.from) : undefined,
    params.to ? lte(auditLog.createdAt, params.to) : undefined,
  ];
}

export async function listAudit(db: Executor, orgId: string, params: AuditFilters & { cursor?: string | null; limit: number }) {
  const after = decodeCursor<[number]>(params.cursor, ['int']);
  const rows = await db
    .select({
      id: auditLog.id,
      createdAt: auditLog.createdAt,
      actorId: auditLog.actorId,
      actorType: auditLog.actorType,
      actorName: users.name,
      action: auditLog.action,
      entityType: auditLog.entityType,
      entityId: auditLog.entityId,
      before: auditLog.before,
      after: auditLog.after,
      requestId: auditLog.requestId,
      ip: auditLog.ip,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(...auditFilters(orgId, params), after ? lt(auditLog.id, after[0]) : undefined))
    .orderBy(newestFirst(auditLog.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => [r.id]);
}
