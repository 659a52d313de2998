import { writeAudit } from '../audit/audit';
import type { SignedInContext } from '../domain/context';
import { seesStore } from '../domain/principal';
import { AppError, conflictOnUnique, notFound } from '../errors';
import { inTransaction } from '../domain/transaction';
import { findStore, insertStore, listStores as listStoreRows, updateStore as updateStoreRow } from './queries/stores';

const codeTaken = (code: string | undefined) => ({
  stores_org_code_unique: () => new AppError('CONFLICT', 'store_code_taken', `Store code ${code} is already in use`, { field: 'code', code }),
});

export const listStores = (ctx: SignedInContext, params: Parameters<typeof listStoreRows>[2]) => listStoreRows(ctx.db, ctx.principal.orgId, params);

/**
 * The active stores whose stock the caller may read (`seesStore`): a clerk's own, the org's for everyone else (a
 * buyer works for every store), by name, searched by name, code or city.
 */
export const readableStores = (ctx: SignedInContext, params: { cursor?: string | null; limit: number; search?: string | null }) =>
  listStoreRows(ctx.db, ctx.principal.orgId, { ...params, active: true, ids: ctx.principal.role === 'clerk' ? ctx.principal.storeIds : undefined });

/** A store of the caller's org the caller may work with (`seesStore`); NOT_FOUND for any other, as for one that does not exist. */
export async function storeOfCaller(ctx: SignedInContext, storeId: string) {
  const store = await findStore(ctx.db, ctx.principal.orgId, storeId);
  if (!store || !seesStore(ctx.principal, storeId)) throw notFound('store', { field: 'storeId' });
  return store;
}

export async function getStore(ctx: SignedInContext, storeId: string) {
  const store = await findStore(ctx.db, ctx.principal.orgId, storeId);
  if (!store) throw notFound('store');
  return store;
}

export async function createStore(ctx: SignedInContext, input: { code: string; name: string; city?: string | null }) {
  const orgId = ctx.principal.orgId;
  return conflictOnUnique(
    () =>
      inTransaction(ctx, async (tx, emit) => {
        const created = await insertStore(tx, { orgId, ...input });
        await writeAudit(tx, ctx.actor, { action: 'store.created', entityType: 'store', entityId: created.id, after: created });
        await emit([{ type: 'store.created', orgId, aggregateId: created.id, payload: { storeId: created.id } }]);
        return created;
      }),
    codeTaken(input.code),
  );
}

export type StoreChanges = Partial<{ code: string; name: string; city: string | null; active: boolean }>;

export async function updateStore(ctx: SignedInContext, storeId: string, changes: StoreChanges) {
  const orgId = ctx.principal.orgId;
  return conflictOnUnique(
    () =>
      inTransaction(ctx, async (tx, emit) => {
        const before = await findStore(tx, orgId, storeId, { lock: true });
        if (!before) throw notFound('store');
        const after = (await updateStoreRow(tx, orgId, storeId, changes)) ?? before;
        await writeAudit(tx, ctx.actor, { action: 'store.updated', entityType: 'store', entityId: storeId, before, after });
        const changed = Object.keys(changes).filter((k) => changes[k as keyof StoreChanges] !== undefined);
        await emit([{ type: 'store.updated', orgId, aggregateId: storeId, payload: { storeId, changed } }]);
        return after;
      }),
    codeTaken(changes.code),
  );
}
