import { z } from 'zod';
import { readableStores } from '../../accounts/stores';
import { adjustStock, historyOfProduct, stockOfStore, transferStock } from '../../stock/ledger';
import { draftFromSuggestions, setReorder, suggestions } from '../../stock/reorder';
import { createTRPCRouter, roleProcedure } from '../trpc';
import { id, optionalText, pageInput, text } from '../validators';

/** Every member of the org reads stock (clerks their stores' only); managers and admins change it. */
const readerProcedure = roleProcedure('clerk', 'buyer', 'manager', 'admin');
const managerProcedure = roleProcedure('manager', 'admin');
/** Who makes purchase requests for a store. */
const requesterProcedure = roleProcedure('clerk', 'manager', 'admin');

const quantity = z.number().min(-1_000_000).max(1_000_000).multipleOf(0.001, 'at most 3 decimals');
const positive = quantity.positive('must be more than zero');
const reason = text(500);

export const stockRouter = createTRPCRouter({
  /** The active stores whose stock the caller reads (a clerk's own, the org's for everyone else), by name; `search`: name, code or city. */
  stores: readerProcedure.input(z.strictObject({ ...pageInput, search: optionalText(100) })).query(({ ctx, input }) => readableStores(ctx.domain, input)),

  /** A store's stock, by product name: search by name or EAN prefix, one category (keyset pages). */
  levels: readerProcedure
    .input(z.strictObject({ ...pageInput, storeId: id, search: optionalText(100), category: optionalText(100), belowMinimum: z.boolean().nullish() }))
    .query(({ ctx, input }) => stockOfStore(ctx.domain, input)),

  /** A product's movements in a store, newest first, each with the balance right after it. */
  history: readerProcedure.input(z.strictObject({ ...pageInput, storeId: id, productId: id })).query(({ ctx, input }) => historyOfProduct(ctx.domain, input)),

  /**
   * A correction (`manual_adjustment`, signed) or a loss (the quantity that went, positive), with its reason. `id` is
   * made by the caller: the same call again answers the first one's movements and writes nothing.
   */
  adjust: managerProcedure
    .input(
      z.strictObject({
        id,
        storeId: id,
        productId: id,
        kind: z.enum(['manual_adjustment', 'loss']),
        quantity: quantity.refine((q) => q !== 0, 'must not be zero'),
        reason,
      }),
    )
    .mutation(({ ctx, input }) => adjustStock(ctx.domain, input)),

  /** A store's minimum and reorder quantity of a product (null removes them). */
  setReorder: managerProcedure
    .input(
      z.strictObject({
        storeId: id,
        productId: id,
        rule: z
          .strictObject({ minQuantity: quantity.min(0, 'must not be negative'), reorderQuantity: positive })
          .nullable(),
      }),
    )
    .mutation(({ ctx, input }) => setReorder(ctx.domain, input)),

  /** Products of the store below their minimum that no open request asks for, with their reorder quantity. */
  suggestions: requesterProcedure.input(z.strictObject({ storeId: id })).query(({ ctx, input }) => suggestions(ctx.domain, input.storeId)),

  /** The suggestions as a draft purchase request, in one step (`id` made by the caller; edit and submit it after). */
  draftFromSuggestions: requesterProcedure.input(z.strictObject({ id, storeId: id })).mutation(({ ctx, input }) => draftFromSuggestions(ctx.domain, input)),

  /** Stock sent from one store to another (both movements together); `id` made by the caller, as `adjust`'s. */
  transfer: managerProcedure
    .input(z.strictObject({ id, fromStoreId: id, toStoreId: id, productId: id, quantity: positive, reason }))
    .mutation(({ ctx, input }) => transferStock(ctx.domain, input)),
});
