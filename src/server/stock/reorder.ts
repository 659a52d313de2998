import { storeOfCaller } from '../accounts/stores';
import { writeAudit } from '../audit/audit';
import type { SignedInContext } from '../domain/context';
import { isManager } from '../domain/principal';
import { AppError, notFound } from '../errors';
import { findRequestDetail } from '../purchasing/queries';
import { createRequest, getVisibleRequest } from '../purchasing/service';
import { findOrgProduct, reorderSuggestions, setReorderRule } from './queries';

/**
 * Reorder suggestions: per store and product a minimum and a reorder quantity (managers set them); a product whose
 * balance falls below its minimum is suggested, unless an open request of the store already asks for it, and the
 * list becomes a draft purchase request in one step (prefilled; the requester edits and submits it as any other).
 */

const SUGGESTIONS_LIMIT = 500;

export async function setReorder(ctx: SignedInContext, input: { storeId: string; productId: string; rule: { minQuantity: number; reorderQuantity: number } | null }) {
  if (!isManager(ctx.principal)) throw new AppError('FORBIDDEN', 'forbidden', 'Only managers and admins set reorder quantities');
  await storeOfCaller(ctx, input.storeId);
  if (!(await findOrgProduct(ctx.db, ctx.principal.orgId, input.productId))) throw notFound('product', { field: 'productId' });
  await setReorderRule(ctx.db, { orgId: ctx.principal.orgId, ...input, userId: ctx.principal.userId });
  await writeAudit(ctx.db, ctx.actor, { action: 'stock.reorderSet', entityType: 'product', entityId: input.productId, after: { storeId: input.storeId, rule: input.rule } });
  return { storeId: input.storeId, productId: input.productId, rule: input.rule };
}

export async function suggestions(ctx: SignedInContext, storeId: string) {
  await storeOfCaller(ctx, storeId);
  return { items: await reorderSuggestions(ctx.db, ctx.principal.orgId, storeId, SUGGESTIONS_LIMIT) };
}

/**
 * A draft purchase request of the store's suggestions, each at its reorder quantity (the client-made `id`: the same
 * call again answers the same draft, whatever the suggestions are by then). Nothing to suggest: PRECONDITION_FAILED.
 */
export async function draftFromSuggestions(ctx: SignedInContext, input: { id: string; storeId: string }) {
  await storeOfCaller(ctx, input.storeId);
  const existing = await findRequestDetail(ctx.db, ctx.principal.orgId, input.id);
  if (existing) {
    if (existing.createdBy !== ctx.principal.userId || existing.storeId !== input.storeId) {
      throw new AppError('CONFLICT', 'request_id_taken', 'This request id was already used for another request; generate a new id', { field: 'id' });
    }
    return getVisibleRequest(ctx, input.id);
  }
  const items = await reorderSuggestions(ctx.db, ctx.principal.orgId, input.storeId, SUGGESTIONS_LIMIT);
  if (items.length === 0) throw new AppError('PRECONDITION_FAILED', 'nothing_to_reorder', 'No product of this store is below its minimum without an open request');
  return createRequest(ctx, { id: input.id, storeId: input.storeId, note: 'Sugestão de reposição', items: items.map((i) => ({ productId: i.productId, quantity: i.reorderQuantity })) });
}
