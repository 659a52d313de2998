import { z } from 'zod';
import { purchaseRequestStatuses } from '../../db/schema';
import { buyerInbox, closeRequest, createRequest, decideItem, decideItems, getVisibleRequest, inboxSorts, listRequests, submitRequest } from '../../purchasing/service';
import { authedProcedure, createTRPCRouter, roleProcedure } from '../trpc';
import { date, id, optionalText, pageInput } from '../validators';

const quantity = z.number().positive('must be more than zero').max(1_000_000).multipleOf(0.001, 'at most 3 decimals');
const decision = z.strictObject({
  itemId: id,
  decision: z.enum(['approve', 'reject']),
  /** Approving can lower the quantity. */
  quantity: quantity.nullish(),
  reason: optionalText(500),
});

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
    .mutation(({ ctx, input }) => createRequest(ctx.domain, input)),

  /** Idempotent: submitting a request that is already submitted returns it as it is. */
  submit: requesterProcedure.input(z.strictObject({ id })).mutation(({ ctx, input }) => submitRequest(ctx.domain, input.id)),

  list: authedProcedure
    .input(
      z.strictObject({
        ...pageInput,
        storeId: id.nullish(),
        status: z.array(z.enum(purchaseRequestStatuses)).max(6).nullish(),
        from: date.nullish(),
        to: date.nullish(),
        mine: z.boolean().nullish(),
        /** Part of the request's number: `123` finds PC-2026-000123. */
        number: z.string().trim().max(40).nullish(),
      }),
    )
    .query(({ ctx, input }) => listRequests(ctx.domain, input)),

  byId: authedProcedure.input(z.strictObject({ id })).query(({ ctx, input }) => getVisibleRequest(ctx.domain, input.id)),

  /** Pending items waiting for this buyer (admins: every buyer's, or one buyer's with `buyerId`). */
  /**
   * Pending lines for the buyer (admins: everyone's, or one buyer's), with the store's stock on hand, the last 30
   * days' requested and approved quantities of that product and store, and the reference price. Filters by store,
   * category and minimum age in days; `sort` oldest first (default) or by line value.
   */
  inbox: buyerProcedure
    .input(
      z.strictObject({
        ...pageInput,
        storeId: id.nullish(),
        buyerId: id.nullish(),
        category: z.string().trim().min(1).max(100).nullish(),
        minAgeDays: z.number().int().min(0).max(3650).nullish(),
        sort: z.enum(inboxSorts).nullish(),
      }),
    )
    .query(({ ctx, input }) => buyerInbox(ctx.domain, input)),

  decideItem: buyerProcedure.input(decision).mutation(({ ctx, input }) => decideItem(ctx.domain, input)),

  /** Bulk decisions, answered item by item; each item is decided or not, on its own. */
  decideItems: buyerProcedure.input(z.strictObject({ decisions: z.array(decision).min(1).max(200) })).mutation(({ ctx, input }) => decideItems(ctx.domain, input.decisions)),

  close: roleProcedure('manager', 'admin')
    .input(z.strictObject({ id, reason: optionalText(500) }))
    .mutation(({ ctx, input }) => closeRequest(ctx.domain, input.id, input.reason ?? null)),
});
