import { z } from 'zod';
import { listInbox, listRequests } from '../../purchasing/queries';
import { purchaseRequestStatuses } from '../../db/schema';
import { dashboardChanged } from '../../dashboard/service';
import { closeRequest, createRequest, decideItem, getVisibleRequest, submitRequest, visibleStores, type CallerContext } from '../../purchasing/service';
import { TRPCError } from '@trpc/server';
import { AppError, toTRPCError } from '../../domain/errors';
import { createTRPCRouter, roleProcedure, authedProcedure } from '../trpc';
import { id, optionalText, pageInput } from '../validators';

const quantity = z.number().positive('must be more than zero').max(1_000_000).multipleOf(0.001, 'at most 3 decimals');
const decision = z.strictObject({
  itemId: id,
  decision: z.enum(['approve', 'reject']),
  /** Approving can lower the quantity. */
  quantity: quantity.nullish(),
  reason: optionalText(500),
});

const caller = (ctx: { services: { db: CallerContext['db'] }; principal: CallerContext['principal']; actor: CallerContext['actor']; requestId: string }): CallerContext => ({
  db: ctx.services.db,
  principal: ctx.principal,
  actor: ctx.actor,
  requestId: ctx.requestId,
});

/** A committed change to a request shows on the dashboard: outdate its cache and tell open screens. */
const changed = <T extends { storeId: string }>(ctx: { services: Parameters<typeof dashboardChanged>[0]; orgId: string }) => async (result: T) => {
  await dashboardChanged(ctx.services, { orgId: ctx.orgId, kind: 'purchaseRequest', storeId: result.storeId });
  return result;
};

const requesterProcedure = roleProcedure('clerk', 'manager', 'admin');
const buyerProcedure = roleProcedure('buyer', 'admin');

export const purchaseRequestsRouter = createTRPCRouter({
  /** Idempotent by the client-made `id`: a retried create returns the same request. `submit: true` also submits it. */
  create: requesterProcedure
    .input(
      z.strictObject({
        id,
        storeId: id,
        note: optionalText(1000),
        items: z
          .array(z.strictObject({ productId: id, quantity, note: optionalText(500) }))
          .min(1, 'add at least one product')
          .max(500, 'at most 500 items per request'),
        submit: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => createRequest(caller(ctx), input).then(changed(ctx))),

  /** Idempotent: submitting a request that is already submitted returns it as it is. */
  submit: requesterProcedure.input(z.strictObject({ id })).mutation(({ ctx, input }) => submitRequest(caller(ctx), input.id).then(changed(ctx))),

  list: authedProcedure
    .input(
      z.strictObject({
        ...pageInput,
        storeId: id.nullish(),
        status: z.array(z.enum(purchaseRequestStatuses)).max(6).nullish(),
        from: z.date().nullish(),
        to: z.date().nullish(),
        mine: z.boolean().nullish(),
      }),
    )
    .query(({ ctx, input }) =>
      listRequests(ctx.services.db, ctx.orgId, { ...input, scopeStoreIds: visibleStores(ctx.principal), createdBy: input.mine ? ctx.principal.userId : null }),
    ),

  byId: authedProcedure.input(z.strictObject({ id })).query(({ ctx, input }) => getVisibleRequest(caller(ctx), input.id)),

  /** Pending items waiting for this buyer (admins: every buyer's, or one buyer's with `buyerId`). */
  inbox: buyerProcedure
    .input(z.strictObject({ ...pageInput, storeId: id.nullish(), buyerId: id.nullish() }))
    .query(({ ctx, input }) => {
      if (input.buyerId && ctx.principal.role !== 'admin' && input.buyerId !== ctx.principal.userId) {
        throw new TRPCError({ code: 'FORBIDDEN', message: "Only admins can see another buyer's inbox" });
      }
      const buyerId = ctx.principal.role === 'admin' ? (input.buyerId ?? null) : ctx.principal.userId;
      return listInbox(ctx.services.db, ctx.orgId, { ...input, buyerId });
    }),

  decideItem: buyerProcedure.input(decision).mutation(({ ctx, input }) => decideItem(caller(ctx), input).then(changed(ctx))),

  /** Bulk decisions, answered item by item; each item is decided or not, on its own. */
  decideItems: buyerProcedure.input(z.strictObject({ decisions: z.array(decision).min(1).max(200) })).mutation(async ({ ctx, input }) => {
    const results = [];
    for (const d of input.decisions) {
      try {
        results.push({ itemId: d.itemId, ok: true as const, result: await decideItem(caller(ctx), d).then(changed(ctx)) });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const { code, message } = toTRPCError(error);
        results.push({ itemId: d.itemId, ok: false as const, code, message });
      }
    }
    return { results };
  }),

  close: roleProcedure('manager', 'admin')
    .input(z.strictObject({ id, reason: optionalText(500) }))
    .mutation(({ ctx, input }) => closeRequest(caller(ctx), input.id, input.reason ?? null).then(changed(ctx))),
});
