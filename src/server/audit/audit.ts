import { auditLog } from '../db/schema';
import type { Executor } from '../db/client';

/** Who is acting: a user through a session, a script through an API token, or the system. */
export type Actor = { type: 'user' | 'token' | 'system' | 'anonymous'; userId: string | null; orgId: string | null; requestId?: string; ip?: string | null };

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
  return Object.fromEntries(Object.entries(value).filter(([k]) => !SECRET_FIELDS.has(k)).map(([k, v]) => [k, redact(v)]));
}

/**
 * The one audit mechanism: call it with the transaction that makes the change, so the audit row commits
 * or rolls back with it.
 */
export async function writeAudit(tx: Executor, actor: Actor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await tx.insert(auditLog).values(
    list.map((e) => ({
      orgId: e.orgId !== undefined ? e.orgId : actor.orgId,
      actorId: actor.userId,
      actorType: actor.type,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId ?? null,
      before: redact(e.before) as object | null,
      after: redact(e.after) as object | null,
      requestId: actor.requestId ?? null,
      ip: actor.ip ?? null,
    })),
  );
}
