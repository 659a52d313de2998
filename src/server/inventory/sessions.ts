import { randomUUID } from 'node:crypto';
import { writeAudit } from '../audit/audit';
import type { SignedInContext } from '../domain/context';
import { inTransaction } from '../domain/transaction';
import { findUncountedEans } from './queries/lines';
import { deleteRecountRequests, findRecountedLines, insertRecountRequests } from './queries/recounts';
import { findAssignableUsers, findOpenSessionOfStore, findSessionDetail, insertSession, listAssignableCounters, listSessions, replaceAssignments, setSessionStatus, snapshotExpected, type SessionDetail, type SessionListParams } from './queries/sessions';
import { findStore } from '../accounts/queries/stores';
import type { Executor } from '../db/client';
import { AppError, notFound } from '../errors';
import { assertOpen, isManager, visibleSession } from './access';

export type Assignment = { userId: string; zone: string };

/** Progress screens refetch on this; the dashboard's figures are unchanged. */
export const progressed = (session: { id: string; orgId: string; storeId: string }) =>
  ({ type: 'inventory.progressed', orgId: session.orgId, aggregateId: session.id, payload: { sessionId: session.id, storeId: session.storeId } }) as const;

export type OpenSessionInput = {
  /** Client-made id: a retried open returns the session it already opened. */
  id?: string | null;
  storeId: string;
  scope: 'full' | 'partial';
  categories?: string[] | null;
  zones?: string[] | null;
  blind: boolean;
  varianceThreshold: number;
  note?: string | null;
  assignments?: Assignment[] | null;
};

export async function getSession(ctx: SignedInContext, sessionId: string): Promise<SessionDetail> {
  await visibleSession(ctx, sessionId);
  return (await findSessionDetail(ctx.db, ctx.principal.orgId, sessionId))!;
}

/** Managers and admins list the org's sessions; clerks the sessions they are assigned to. */
export function listVisibleSessions(ctx: SignedInContext, params: Omit<SessionListParams, 'assignedTo'>) {
  return listSessions(ctx.db, ctx.principal.orgId, { ...params, assignedTo: isManager(ctx.principal) ? null : ctx.principal.userId });
}

/** Who may count in a store's session: active users of the org who count (clerks of that store, managers, admins). */
async function assertAssignable(db: Executor, orgId: string, storeId: string, storeName: string, assignments: Assignment[]) {
  const userIds = [...new Set(assignments.map((a) => a.userId))];
  const found = new Map((await findAssignableUsers(db, orgId, storeId, userIds)).map((u) => [u.id, u]));
  const missing = userIds.filter((id) => !found.has(id));
  if (missing.length > 0) throw notFound('user', { field: 'assignments', userIds: missing });
  for (const user of found.values()) {
    if (!user.active) throw new AppError('INVALID', 'user_inactive', `${user.name} is inactive`, { field: 'assignments', userId: user.id, name: user.name });
    if (user.role === 'buyer') throw new AppError('INVALID', 'buyer_cannot_count', `${user.name} is a buyer; clerks, managers and admins count stock`, { field: 'assignments', userId: user.id, name: user.name });
    if (user.role === 'clerk' && !user.worksAtStore) {
      throw new AppError('INVALID', 'not_at_store', `${user.name} does not work at ${storeName}; add them to the store first`, { field: 'assignments', userId: user.id, name: user.name, store: storeName });
    }
  }
}

function sessionFilter(input: OpenSessionInput) {
  const categories = [...new Set(input.categories ?? [])];
  const zones = [...new Set(input.zones ?? [])];
  if (input.scope === 'partial' && categories.length === 0 && zones.length === 0) {
    throw new AppError('INVALID', 'partial_scope_required', 'A partial inventory needs the categories or zones it counts', { field: 'categories' });
  }
  if (input.scope === 'full' && (categories.length > 0 || zones.length > 0)) {
    throw new AppError('INVALID', 'full_scope_filtered', 'A full inventory counts every category and zone; choose "partial" to limit it', { field: 'scope' });
  }
  return { ...(categories.length ? { categories } : {}), ...(zones.length ? { zones } : {}) };
}

/**
 * Opens a session and snapshots the store's expected quantities in one INSERT … SELECT (partial by categories:
 * only those). A store has one open session at a time; a retried open (same client id) returns the session.
 */
export async function openSession(ctx: SignedInContext, input: OpenSessionInput): Promise<SessionDetail> {
  const orgId = ctx.principal.orgId;
  const filter = sessionFilter(input);
  const store = await findStore(ctx.db, orgId, input.storeId);
  if (!store) throw notFound('store', { field: 'storeId' });
  if (!store.active) throw new AppError('CONFLICT', 'store_inactive', `${store.name} is inactive`, { store: store.name });
  const assignments = dedupeAssignments(input.assignments ?? []);
  await assertAssignable(ctx.db, orgId, store.id, store.name, assignments);
  const sessionId = input.id ?? randomUUID();

  const opened = await inTransaction(ctx, async (tx, emit) => {
    const inserted = await insertSession(tx, {
      id: sessionId,
      orgId,
      storeId: store.id,
      scope: input.scope,
      filter,
      blind: input.blind,
      varianceThreshold: input.varianceThreshold,
      note: input.note ?? null,
      openedBy: ctx.principal.userId,
    });
    if (!inserted) return false;
    const expectedProducts = await snapshotExpected(tx, { id: sessionId, orgId, storeId: store.id, categories: filter.categories ?? null });
    if (assignments.length > 0) await replaceAssignments(tx, sessionId, assignments);
    const told = newlyAssigned(ctx, [], assignments);
    await writeAudit(tx, ctx.actor, {
      action: 'inventory.opened',
      entityType: 'inventory_session',
      entityId: sessionId,
      after: { storeId: store.id, scope: input.scope, filter, blind: input.blind, varianceThreshold: input.varianceThreshold, expectedProducts, assignments },
    });
    await emit([
      { type: 'inventory.opened', orgId, aggregateId: sessionId, payload: { sessionId, storeId: store.id } },
      ...(told.length > 0 ? [assigned(orgId, sessionId, store.id, store.name, told)] : []),
    ]);
    return true;
  });
  if (!opened) {
    const existing = input.id ? await findSessionDetail(ctx.db, orgId, input.id) : undefined;
    if (existing && existing.storeId === store.id) return existing;
    const open = await findOpenSessionOfStore(ctx.db, orgId, store.id);
    if (open) {
      throw new AppError('CONFLICT', 'session_open', `${store.name} already has an open inventory (opened by ${open.openedByName}); finalize or cancel it first`, {
        sessionId: open.id,
        store: store.name,
        openedBy: open.openedByName,
      });
    }
    throw new AppError('CONFLICT', 'session_id_taken', 'This session id is already used; generate a new one', { field: 'id' });
  }
  return (await findSessionDetail(ctx.db, orgId, sessionId))!;
}

/** Who was not assigned before and is now, except whoever did it (they know): they are notified. */
function newlyAssigned(ctx: SignedInContext, before: Assignment[], after: Assignment[]): string[] {
  const had = new Set(before.map((a) => a.userId));
  return [...new Set(after.map((a) => a.userId))].filter((id) => !had.has(id) && id !== ctx.principal.userId);
}

const assigned = (orgId: string, sessionId: string, storeId: string, storeName: string, userIds: string[]) =>
  ({ type: 'inventory.assigned', orgId, aggregateId: sessionId, payload: { sessionId, storeId, storeName, userIds } }) as const;

function dedupeAssignments(assignments: Assignment[]): Assignment[] {
  const seen = new Set<string>();
  return assignments.filter((a) => {
    const key = `${a.userId}\u0000${a.zone}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Sets who counts (and where): the list replaces the previous one, so a retry changes nothing more. */
export async function assignCounters(ctx: SignedInContext, input: { sessionId: string; assignments: Assignment[] }): Promise<SessionDetail> {
  const orgId = ctx.principal.orgId;
  const assignments = dedupeAssignments(input.assignments);
  await inTransaction(ctx, async (tx, emit) => {
    const session = await visibleSession(ctx, input.sessionId, { tx, lock: 'share' });
    assertOpen(session, 'change who counts');
    const store = (await findStore(tx, orgId, session.storeId))!;
    await assertAssignable(tx, orgId, session.storeId, store.name, assignments);
    const before = await replaceAssignments(tx, session.id, assignments);
    await writeAudit(tx, ctx.actor, { action: 'inventory.assigned', entityType: 'inventory_session', entityId: session.id, before, after: assignments });
    const told = newlyAssigned(ctx, before, assignments);
    await emit([progressed(session), ...(told.length > 0 ? [assigned(orgId, session.id, session.storeId, store.name, told)] : [])]);
  });
  return (await findSessionDetail(ctx.db, orgId, input.sessionId))!;
}

/** Asks for lines to be counted again; devices see the list in byId and progress. Asking twice changes nothing. */
export async function requestRecount(ctx: SignedInContext, input: { sessionId: string; eans: string[] }) {
  const result = await inTransaction(ctx, async (tx, emit) => {
    const session = await visibleSession(ctx, input.sessionId, { tx, lock: 'share' });
    assertOpen(session, 'request a recount');
    const { marked, unknown } = await insertRecountRequests(tx, session, [...new Set(input.eans)], ctx.principal.userId);
    if (marked.length > 0) {
      await writeAudit(tx, ctx.actor, { action: 'inventory.recountRequested', entityType: 'inventory_session', entityId: session.id, after: { eans: marked } });
    }
    await emit([progressed(session)]);
    return { storeId: session.storeId, marked, unknown };
  });
  const detail = (await findSessionDetail(ctx.db, ctx.principal.orgId, input.sessionId))!;
  return { storeId: result.storeId, marked: result.marked, unknown: result.unknown, recountRequests: detail.recountRequests };
}

/** At most this many never-counted lines are asked for at once: the tablets list every recount request. */
export const MAX_UNCOUNTED_RECOUNT = 1000;

/**
 * Asks for every line nobody counted that expects stock (what finalize would otherwise zero or keep) to be counted,
 * as recount requests the tablets list. Refused past MAX_UNCOUNTED_RECOUNT lines (count by zone or category).
 */
export async function requestRecountOfUncounted(ctx: SignedInContext, sessionId: string) {
  const session = await visibleSession(ctx, sessionId);
  assertOpen(session, 'request a recount');
  const eans = await findUncountedEans(ctx.db, session, MAX_UNCOUNTED_RECOUNT + 1);
  if (eans.length > MAX_UNCOUNTED_RECOUNT) {
    throw new AppError(
      'PRECONDITION_FAILED',
      'too_many_uncounted',
      `More than ${MAX_UNCOUNTED_RECOUNT} lines were never counted: count them by zone or category, or decide at finalize what becomes of them`,
      { max: MAX_UNCOUNTED_RECOUNT },
    );
  }
  if (eans.length === 0) {
    const detail = (await findSessionDetail(ctx.db, ctx.principal.orgId, sessionId))!;
    return { storeId: session.storeId, marked: [], unknown: [], recountRequests: detail.recountRequests };
  }
  return requestRecount(ctx, { sessionId, eans });
}

/**
 * Withdraws recount requests (lines by EAN) while nobody has recounted them yet. Refused, changing nothing, once a
 * recount entry has arrived for any of them (the count it made stays). Withdrawing twice changes nothing more.
 */
export async function cancelRecount(ctx: SignedInContext, input: { sessionId: string; eans: string[] }) {
  const eans = [...new Set(input.eans)];
  const result = await inTransaction(ctx, async (tx, emit) => {
    // FOR UPDATE waits for syncs in flight (they hold a share lock), so no recount slips in between check and delete.
    const session = await visibleSession(ctx, input.sessionId, { tx, lock: 'update' });
    assertOpen(session, 'withdraw a recount request');
    const recounted = await findRecountedLines(tx, session.id, eans);
    if (recounted.length > 0) {
      throw new AppError('PRECONDITION_FAILED', 'recount_arrived', `Already recounted, so the request can no longer be withdrawn: ${recounted.join(', ')}`, { eans: recounted });
    }
    const withdrawn = await deleteRecountRequests(tx, session.id, eans);
    if (withdrawn.length > 0) {
      await writeAudit(tx, ctx.actor, { action: 'inventory.recountCancelled', entityType: 'inventory_session', entityId: session.id, before: { eans: withdrawn } });
    }
    await emit([progressed(session)]);
    return { storeId: session.storeId, withdrawn };
  });
  const detail = (await findSessionDetail(ctx.db, ctx.principal.orgId, input.sessionId))!;
  return { ...result, recountRequests: detail.recountRequests };
}

/** The assignment picker: who may count in the session's store, and who is assigned now (with zones). */
export async function assignableCounters(ctx: SignedInContext, sessionId: string) {
  const session = await visibleSession(ctx, sessionId);
  const people = await listAssignableCounters(ctx.db, session);
  return { sessionId: session.id, storeId: session.storeId, people };
}

/** Closes a session without touching the stock (a mistaken or abandoned count). Cancelling twice returns it. */
export async function cancelSession(ctx: SignedInContext, input: { sessionId: string; reason: string }): Promise<SessionDetail> {
  const orgId = ctx.principal.orgId;
  await inTransaction(ctx, async (tx, emit) => {
    const session = await visibleSession(ctx, input.sessionId, { tx, lock: 'update' });
    if (session.status === 'cancelled') return;
    if (session.status === 'finalized') throw new AppError('CONFLICT', 'session_finalized', 'This inventory session is finalized; its stock was already applied', { status: session.status });
    await setSessionStatus(tx, orgId, session.id, { status: 'cancelled', cancelledAt: new Date(), cancelledBy: ctx.principal.userId, cancelReason: input.reason });
    await writeAudit(tx, ctx.actor, {
      action: 'inventory.cancelled',
      entityType: 'inventory_session',
      entityId: session.id,
      before: { status: session.status },
      after: { status: 'cancelled', reason: input.reason },
    });
    await emit([{ type: 'inventory.cancelled', orgId, aggregateId: session.id, payload: { sessionId: session.id, storeId: session.storeId } }]);
  });
  return (await findSessionDetail(ctx.db, orgId, input.sessionId))!;
}
