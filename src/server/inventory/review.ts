import { listLookupProducts, reviewSession as reviewLines, sessionProgress, type ReviewParams } from './queries/sessions';
import { findStore } from '../accounts/queries/stores';
import { AppError, notFound } from '../domain/errors';
import { isManager, visibleSession, type InventoryCaller } from './access';

/**
 * The manager's variance review: lines by EAN with counted, expected and variance (quantity and value at the
 * reference price), the uncounted as zero, over-threshold lines flagged; the first page also carries the summary
 * and per-zone totals. Open sessions are computed from the log on each call; finalized ones read their totals.
 */
export async function reviewSession(c: InventoryCaller, input: { sessionId: string } & ReviewParams) {
  const session = await visibleSession(c, input.sessionId);
  const page = await reviewLines(c.db, session, input);
  return {
    session: { id: session.id, storeId: session.storeId, status: session.status, blind: session.blind, varianceThreshold: session.varianceThreshold },
    ...page,
  };
}

/** Live progress for managers and for the clerks counting: activity only, never an expected quantity. */
export async function getProgress(c: InventoryCaller, sessionId: string) {
  const session = await visibleSession(c, sessionId);
  const progress = await sessionProgress(c.db, session.id, session.filter.zones ?? []);
  return { sessionId: session.id, storeId: session.storeId, status: session.status, ...progress };
}

/**
 * The devices' offline lookup table for a store, by EAN (keyset pages). Given a session of that store that is
 * not blind, each product also carries its expected quantity; a blind session's never leave the server.
 */
export async function productsForStore(c: InventoryCaller, input: { storeId: string; sessionId?: string | null; cursor?: string | null; limit: number }) {
  const orgId = c.principal.orgId;
  let expectedFrom: string | null = null;
  if (input.sessionId) {
    const session = await visibleSession(c, input.sessionId);
    if (session.storeId !== input.storeId) throw new AppError('INVALID', 'This inventory session belongs to another store', { field: 'sessionId' });
    expectedFrom = session.blind ? null : session.id;
  } else if (!isManager(c.principal) && !c.principal.storeIds.includes(input.storeId)) {
    throw notFound('Store');
  }
  const store = await findStore(c.db, orgId, input.storeId);
  if (!store) throw notFound('Store');
  const page = await listLookupProducts(c.db, orgId, { cursor: input.cursor, limit: input.limit, expectedFrom });
  return { storeId: store.id, blind: input.sessionId ? expectedFrom === null : null, generatedAt: new Date(), ...page };
}
