import { isManager } from '../domain/principal';
import type { Executor } from '../db/client';
import type { SignedInContext } from '../domain/context';
import { AppError, notFound } from '../errors';
import { findSessionForAccess, type SessionAccessRow } from './queries/sessions';

export { isManager };

/**
 * A session the caller may see, or NOT_FOUND (never a hint that it exists elsewhere): managers and admins see
 * every session of their org, clerks the sessions they are assigned to.
 */
export async function visibleSession(ctx: SignedInContext, sessionId: string, opts: { tx?: Executor; lock?: 'share' | 'update' } = {}): Promise<SessionAccessRow> {
  const session = await findSessionForAccess(opts.tx ?? ctx.db, ctx.principal.orgId, sessionId, ctx.principal.userId, opts.lock ?? null);
  if (!session || (!isManager(ctx.principal) && !session.assigned)) throw notFound('inventory_session');
  return session;
}

/** Counts can change only while the session is open; the details let a device say why it stopped. */
export function assertOpen(session: { status: string }, action: string): void {
  if (session.status !== 'open') {
    throw new AppError('PRECONDITION_FAILED', 'session_closed', `Cannot ${action}: this inventory session is ${session.status}`, { status: session.status });
  }
}
