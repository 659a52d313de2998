import { sessionProgress, type ReviewParams } from './queries/lines';
export { reviewFilters, reviewSorts } from './queries/lines';
import { reviewSession as reviewLines } from './queries/lines';
import { listLookupProducts } from './queries/stock';
import { findStore } from '../accounts/queries/stores';
import { AppError, notFound } from '../errors';
import type { SignedInContext } from '../domain/context';
import { isManager, visibleSession } from './access';

/**
 * The manager's variance review: lines by EAN with counted, expected and variance (quantity and value at the
 * reference price), the uncounted as zero, over-threshold lines flagged; the first page also carries the summary
 * and per-zone totals. Open sessions are computed from the log on each call; finalized ones read their totals.
 */
export async function reviewSession(ctx: SignedInContext, input: { sessionId: string } & ReviewParams) {
  const session = await visibleSession(ctx, input.sessionId);
  const page = await reviewLines(ctx.db, session, input);
  return {
    session: { id: session.id, storeId: session.storeId, status: session.status, blind: session.blind, varianceThreshold: session.varianceThreshold },
    ...page,
  };
}

/** Live progress for managers and for the clerks counting: activity only, never an expected quantity. */
export async function getProgress(ctx: SignedInContext, sessionId: string) {
  const session = await visibleSession(ctx, sessionId);
  const progress = await sessionProgress(ctx.db, session.id, session.filter.zones ?? []);
  return { sessionId: session.id, storeId: session.storeId, status: session.status, ...progress };
}

/**
 * The devices' offline lookup table for a store, by EAN (keyset pages). Given a session of that store that is
 * not blind, each product also carries its expected quantity; a blind session's never leave the server.
 */
export async function productsForStore(ctx: SignedInContext, input: { storeId: string; sessionId?: string | null; cursor?: string | null; limit: number }) {
  const orgId = ctx.principal.orgId;
  let expectedFrom: string | null = null;
  if (input.sessionId) {
    const session = await visibleSession(ctx, input.sessionId);
    if (session.storeId !== input.storeId) throw new AppError('INVALID', 'session_of_another_store', 'This inventory session belongs to another store', { field: 'sessionId' });
    expectedFrom = session.blind ? null : session.id;
  } else if (!isManager(ctx.principal) && !ctx.principal.storeIds.includes(input.storeId)) {
    throw notFound('store', { field: 'storeId' });
  }
  const store = await findStore(ctx.db, orgId, input.storeId);
  if (!store) throw notFound('store', { field: 'storeId' });
  const page = await listLookupProducts(ctx.db, orgId, { cursor: input.cursor, limit: input.limit, expectedFrom });
  return { storeId: store.id, blind: input.sessionId ? expectedFrom === null : null, generatedAt: new Date(), ...page };
}
