import type { Actor } from '../audit/audit';
import type { Principal } from '../auth/principal';
import type { Database, Executor } from '../db/client';
import { findSessionForAccess, type SessionAccessRow } from './queries/sessions';
import { AppError, notFound } from '../domain/errors';
import type { EventMetadata } from '../events/outbox';

export type InventoryCaller = { db: Database; principal: Principal; actor: Actor; requestId: string };

export const isManager = (principal: Principal) => principal.role === 'manager' || principal.role === 'admin';

export const eventMeta = (c: InventoryCaller): EventMetadata => ({ correlationId: c.requestId, userId: c.principal.userId });

/**
 * A session the caller may see, or NOT_FOUND (never a hint that it exists elsewhere): managers and admins see
 * every session of their org, clerks the sessions they are assigned to.
 */
export async function visibleSession(
  c: InventoryCaller,
  sessionId: string,
  opts: { tx?: Executor; lock?: 'share' | 'update' } = {},
): Promise<SessionAccessRow> {
  const session = await findSessionForAccess(opts.tx ?? c.db, c.principal.orgId, sessionId, c.principal.userId, opts.lock ?? null);
  if (!session || (!isManager(c.principal) && !session.assigned)) throw notFound('Inventory session');
  return session;
}

/** Counts can change only while the session is open; the details let a device say why it stopped. */
export function assertOpen(session: { status: string }, action: string): void {
  if (session.status !== 'open') {
    throw new AppError('PRECONDITION_FAILED', `Cannot ${action}: this inventory session is ${session.status}`, { reason: 'session_closed', status: session.status });
  }
}
