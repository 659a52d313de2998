import { z } from 'zod';
import { closedReceiptsOf, closeReceipt, openReceipt, receiptDetail, syncReceiptEntries, toReceive } from '../../receiving/receipts';
import { createTRPCRouter, roleProcedure } from '../trpc';
import { id, optionalText, pageInput } from '../validators';

/** The store's staff receive deliveries (clerks at their stores); accepting more than was asked needs a manager. */
const storeProcedure = roleProcedure('clerk', 'manager', 'admin');

const receiptEntry = z.strictObject({
  id,
  ean: z.string().trim().min(1).max(32),
  /** Units (negative: a correction); checked per entry, so one bad quantity does not hold back the batch. */
  quantity: z.number(),
  /** The scan this one corrects (its quantity stands instead; 0 undoes it). */
  replaces: id.nullish(),
});

export const receivingRouter = createTRPCRouter({
  /** What the store waits for (approved request items not yet received in full, oldest first) and its open receipts. */
  toReceive: storeProcedure.input(z.strictObject({ storeId: id })).query(({ ctx, input }) => toReceive(ctx.domain, input.storeId)),

  /** The store's closed deliveries, newest first, with what each close found: excess, unknown codes, items in part. */
  closed: storeProcedure.input(z.strictObject({ ...pageInput, storeId: id })).query(({ ctx, input }) => closedReceiptsOf(ctx.domain, input)),

  /** Opens a receipt (one delivery) with the tablet's id; the same call again answers the same receipt. */
  open: storeProcedure.input(z.strictObject({ id, storeId: id, note: optionalText(200) })).mutation(({ ctx, input }) => openReceipt(ctx.domain, input)),

  /** A receipt's lines: per code, what arrived, what the requests still expect, the excess; unknown codes apart. */
  byId: storeProcedure.input(z.strictObject({ id })).query(({ ctx, input }) => receiptDetail(ctx.domain, input.id)),

  /** Scans for an open receipt, answered one by one; a resent scan is acknowledged and not added again. */
  sync: storeProcedure
    .input(
      z.strictObject({
        receiptId: id,
        entries: z.array(receiptEntry).max(1000, 'send at most 1,000 scans per batch'),
        /** The tablet, and how many scans of this delivery it still holds after this batch: a close waits for them. */
        deviceId: z.string().trim().min(1).max(64).nullish(),
        pendingCount: z.number().int().min(0).max(1_000_000).nullish(),
      }),
    )
    .mutation(({ ctx, input }) => syncReceiptEntries(ctx.domain, input)),

  /** Closes the receipt: stock in, request items filled; more than expected needs a manager's `acceptExcess`. */
  close: storeProcedure
    .input(z.strictObject({ id, acceptExcess: z.boolean().optional(), entryCount: z.number().int().min(0).optional(), withoutPending: z.boolean().optional() }))
    .mutation(({ ctx, input }) => closeReceipt(ctx.domain, input)),
});
