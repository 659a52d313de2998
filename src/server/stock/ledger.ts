import { storeOfCaller } from '../accounts/stores';
import { writeAudit } from '../audit/audit';
import type { SignedInContext } from '../domain/context';
import { isManager } from '../domain/principal';
import { inTransaction } from '../domain/transaction';
import { AppError, constraintOf, notFound, pgErrorCode } from '../errors';
import type { NewEvent } from '../events/types';
import { applyMovements, findOrgProduct, operationMovements, productHistory, storeLevels, type MovementRow } from './queries';

/**
 * The stock ledger's operations for people: a store's stock and a product's history (every member of the org, a
 * clerk only for their stores), manual adjustments, losses and transfers (managers and admins, with a reason). Each
 * operation carries a client-made id: sent again, it answers what it did the first time and writes nothing.
 */

export async function stockOfStore(ctx: SignedInContext, input: { storeId: string; search?: string | null; category?: string | null; cursor?: string | null; limit: number }) {
  await storeOfCaller(ctx, input.storeId);
  return storeLevels(ctx.db, ctx.principal.orgId, input);
}

export async function historyOfProduct(ctx: SignedInContext, input: { storeId: string; productId: string; cursor?: string | null; limit: number }) {
  await storeOfCaller(ctx, input.storeId);
  if (!(await findOrgProduct(ctx.db, ctx.principal.orgId, input.productId))) throw notFound('product', { field: 'productId' });
  return productHistory(ctx.db, ctx.principal.orgId, input);
}

type Planned = { storeId: string; productId: string; quantity: number; kind: MovementRow['kind']; reason: string };

/**
 * Writes an operation's movements once. A retry (the same id) gets the movements written the first time; the same
 * id for a different operation is a CONFLICT. Two calls with the same id at once: the unique index lets one write,
 * the other then finds its movements.
 */
async function once(
  ctx: SignedInContext,
  operationId: string,
  planned: Planned[],
  audit: { action: string; entityId: string; after: Record<string, unknown> },
  eventOf: (movements: MovementRow[]) => NewEvent[],
) {
  const orgId = ctx.principal.orgId;
  const answer = (movements: MovementRow[]) => {
    const same =
      movements.length === planned.length &&
      planned.every((p) => movements.some((m) => m.storeId === p.storeId && m.productId === p.productId && m.kind === p.kind && m.quantity === p.quantity));
    if (!same) throw new AppError('CONFLICT', 'operation_id_reused', 'This operation id was already used for a different stock operation; make a new id for a new operation', { field: 'id' });
    return { id: operationId, movements, repeated: true };
  };
  const previous = await operationMovements(ctx.db, orgId, operationId);
  if (previous.length > 0) return answer(previous);
  try {
    return await inTransaction(ctx, async (tx, emit) => {
      // Stores in id order: two transfers between the same stores in opposite directions lock their rows alike.
      const byStore = [...new Set(planned.map((p) => p.storeId))].sort();
      for (const storeId of byStore) {
        await applyMovements(tx, {
          orgId,
          storeId,
          operationId,
          userId: ctx.principal.userId,
          movements: planned.filter((p) => p.storeId === storeId),
        });
      }
      const movements = await operationMovements(tx, orgId, operationId);
      await emit(eventOf(movements));
      await writeAudit(tx, ctx.actor, { action: audit.action, entityType: 'product', entityId: audit.entityId, after: audit.after });
      return { id: operationId, movements, repeated: false };
    });
  } catch (error) {
    if (pgErrorCode(error) === '23505' && constraintOf(error) === 'stock_movements_operation_unique') return answer(await operationMovements(ctx.db, orgId, operationId));
    throw error;
  }
}

async function checkedProduct(ctx: SignedInContext, productId: string) {
  const product = await findOrgProduct(ctx.db, ctx.principal.orgId, productId);
  if (!product) throw notFound('product', { field: 'productId' });
  return product;
}

function assertManager(ctx: SignedInContext) {
  if (!isManager(ctx.principal)) throw new AppError('FORBIDDEN', 'forbidden', 'Only managers and admins adjust stock');
}

/**
 * A correction of a store's quantity (`manual_adjustment`, signed) or stock lost (`loss`: the quantity that went,
 * written as a negative movement), with the reason a person gives.
 */
export async function adjustStock(ctx: SignedInContext, input: { id: string; storeId: string; productId: string; kind: 'manual_adjustment' | 'loss'; quantity: number; reason: string }) {
  assertManager(ctx);
  await storeOfCaller(ctx, input.storeId);
  await checkedProduct(ctx, input.productId);
  if (input.kind === 'loss' && input.quantity <= 0) throw new AppError('INVALID', 'loss_not_positive', 'A loss is the quantity that went: give it as a positive number', { field: 'quantity' });
  const quantity = input.kind === 'loss' ? -input.quantity : input.quantity;
  const planned: Planned[] = [{ storeId: input.storeId, productId: input.productId, quantity, kind: input.kind, reason: input.reason }];
  return once(ctx, input.id, planned, { action: `stock.${input.kind === 'loss' ? 'lost' : 'adjusted'}`, entityId: input.productId, after: { storeId: input.storeId, quantity, reason: input.reason } }, (movements) => [
    {
      type: 'stock.adjusted',
      orgId: ctx.principal.orgId,
      aggregateId: input.id,
      payload: { operationId: input.id, storeId: input.storeId, productId: input.productId, kind: input.kind, quantity, balanceAfter: movements[0]!.balanceAfter },
    },
  ]);
}

/** Stock sent from one store to another: `transfer_out` at the first and `transfer_in` at the second, together. */
export async function transferStock(ctx: SignedInContext, input: { id: string; fromStoreId: string; toStoreId: string; productId: string; quantity: number; reason: string }) {
  assertManager(ctx);
  if (input.fromStoreId === input.toStoreId) throw new AppError('INVALID', 'same_store', 'A transfer goes from one store to another', { field: 'toStoreId' });
  await storeOfCaller(ctx, input.fromStoreId);
  await storeOfCaller(ctx, input.toStoreId);
  await checkedProduct(ctx, input.productId);
  const planned: Planned[] = [
    { storeId: input.fromStoreId, productId: input.productId, quantity: -input.quantity, kind: 'transfer_out', reason: input.reason },
    { storeId: input.toStoreId, productId: input.productId, quantity: input.quantity, kind: 'transfer_in', reason: input.reason },
  ];
  return once(ctx, input.id, planned, { action: 'stock.transferred', entityId: input.productId, after: { ...input } }, () => [
    {
      type: 'stock.transferred',
      orgId: ctx.principal.orgId,
      aggregateId: input.id,
      payload: { operationId: input.id, fromStoreId: input.fromStoreId, toStoreId: input.toStoreId, productId: input.productId, quantity: input.quantity },
    },
  ]);
}
