import type { Actor } from '../domain/context';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';


export type AuditEntry = {
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  /** Overrides the actor's org (a login attempt learns the org only from the user row). */
  orgId?: string | null;
};

const SECRET_FIELDS = new Set(['passwordHash', 'tokenHash', 'password', 'token']);

function redact(value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== 'object' || value instanceof Date) return value ?? null;
  if (Array.isArray(value)) return value.map(redact);
  // A field left undefined is absent, as JSON has it, not null.
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => !SECRET_FIELDS.has(k) && v !== undefined).map(([k, v]) => [k, redact(v)]));
}

/**
 * The one audit mechanism: call it with the transaction that makes the change, so the audit row commits
 * or rolls back with it. Plain SQL (every mutation pays for it): drizzle's insert builder cost more CPU than
 * PostgreSQL's insert on the busiest path.
 */
export async function writeAudit(tx: Executor, actor: Actor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const rows = list.map((e) => ({
    org_id: e.orgId !== undefined ? e.orgId : actor.orgId,
    actor_id: actor.userId,
    actor_type: actor.type,
    action: e.action,
    entity_type: e.entityType,
    entity_id: e.entityId ?? null,
    before: redact(e.before),
    after: redact(e.after),
    request_id: actor.requestId ?? null,
    ip: actor.ip ?? null,
  }));
  await tx.execute(sql`
    insert into audit_log (org_id, actor_id, actor_type, action, entity_type, entity_id, before, after, request_id, ip)
    select org_id, actor_id, actor_type, action, entity_type, entity_id, before, after, request_id, ip
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as a(org_id uuid, actor_id uuid, actor_type text, action text, entity_type text, entity_id text, before jsonb, after jsonb, request_id text, ip text)`);
}
