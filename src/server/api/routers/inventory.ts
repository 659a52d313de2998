import { z } from 'zod';
import { DEVICE_SECRET_PATTERN } from '~/lib/device-identity';
import { matching } from '~/lib/problems';
import { inventorySessionStatuses, uncountedResolutions } from '../../db/schema';
import { finalizeSession } from '../../inventory/finalize';
import { getProgress, productsForStore, reviewFilters, reviewSession, reviewSorts } from '../../inventory/review';
import { assignableCounters, assignCounters, cancelRecount, cancelSession, getSession, listVisibleSessions, openSession, requestRecount, requestRecountOfUncounted } from '../../inventory/sessions';
import { importStoreStock } from '../../inventory/stock-import';
import { syncEntries } from '../../inventory/sync';
import { createTRPCRouter, roleProcedure } from '../trpc';
import { date, id, optionalText, pageInput, text } from '../validators';

const zone = z.string().trim().max(50, 'must be at most 50 characters');
const assignment = z.strictObject({ userId: id, zone: zone.default('') });
const deviceId = z.string().trim().min(1).max(100);
/** 32 random bytes the tablet made, base64url: its id is derived from it (`~/lib/device-identity`). */
const deviceSecret = matching(DEVICE_SECRET_PATTERN, 'device_secret_format', 'must be the 43-character secret the tablet made (an app update makes it)');
const lineEan = matching(/^\d{8,14}$/, 'line_ean_format', 'must be the 8 to 14 digits of a review line');

const countEntry = z.strictObject({
  id,
  /** The code as scanned; checked per entry (a bad one is rejected alone, never the whole batch). */
  ean: z.string().trim().min(1).max(32),
  /**
   * Units (negative: a correction). For a scale label: the number of labels; the server stores kilograms. Its
   * range and decimals are checked per entry (invalid_quantity): one bad quantity must not hold back the batch.
   */
  quantity: z.number(),
  zone: zone.default(''),
  countedAt: date,
  seq: z.number().int().min(0).max(2_147_483_647),
  replaces: id.nullish(),
  recount: z.boolean().optional(),
});

const managerProcedure = roleProcedure('manager', 'admin');
/** Counting roles; clerks further limited to the sessions they are assigned to. */
const counterProcedure = roleProcedure('clerk', 'manager', 'admin');

export const inventoryRouter = createTRPCRouter({
  /**
   * Opens a session for a store (full, or partial by categories and/or zones; blind or not) and snapshots the
   * expected quantities. One open session per store: another open is a CONFLICT naming it. `id` (client-made)
   * makes a retried open return the session it opened.
   */
  open: managerProcedure
    .input(
      z.strictObject({
        id: id.nullish(),
        storeId: id,
        scope: z.enum(['full', 'partial']).default('full'),
        categories: z.array(z.string().trim().min(1).max(100)).max(200).nullish(),
        zones: z.array(zone.min(1, 'is required')).max(200).nullish(),
        blind: z.boolean().default(false),
        /** Share of the expected quantity (0.1 = 10%) above which a line is flagged in review. */
        varianceThreshold: z.number().min(0).max(100).multipleOf(0.001, 'at most 3 decimals').default(0.1),
        note: optionalText(500),
        assignments: z.array(assignment).max(500).nullish(),
      }),
    )
    .mutation(({ ctx, input }) => openSession(ctx.domain, input)),

  /** Newest first. Clerks see the sessions they are assigned to. */
  list: counterProcedure
    .input(
      z.strictObject({
        ...pageInput,
        storeId: id.nullish(),
        status: z.array(z.enum(inventorySessionStatuses)).max(3).nullish(),
        /** Part of the count's number: `45` finds INV-2026-000045. */
        number: z.string().trim().max(40).nullish(),
      }),
    )
    .query(({ ctx, input }) => listVisibleSessions(ctx.domain, input)),

  /** The session with its assignments and recount requests; never expected quantities. */
  byId: counterProcedure.input(z.strictObject({ id })).query(({ ctx, input }) => getSession(ctx.domain, input.id)),

  /** Sets who counts, optionally per zone; the list replaces the previous one. */
  assign: managerProcedure
    .input(z.strictObject({ sessionId: id, assignments: z.array(assignment).max(500) }))
    .mutation(({ ctx, input }) => assignCounters(ctx.domain, input)),

  /**
   * The assignment picker: active clerks, managers and admins who work at the session's store, plus whoever is
   * assigned now, each with the zones they are assigned to (none: not assigned).
   */
  assignableCounters: managerProcedure.input(z.strictObject({ sessionId: id })).query(({ ctx, input }) => assignableCounters(ctx.domain, input.sessionId)),

  /**
   * A device's batch of count entries, applied in one transaction and idempotent by entry id. `pendingCount`: the
   * entries of this session still on the device after this batch (finalize waits for zero). An empty batch just
   * reports the pending count.
   */
  sync: counterProcedure
    .input(
      z.strictObject({
        sessionId: id,
        deviceId,
        deviceSecret,
        pendingCount: z.number().int().min(0).max(10_000_000),
        entries: z.array(countEntry).max(2000, 'send at most 2000 entries per batch'),
      }),
    )
    .mutation(({ ctx, input }) => syncEntries(ctx.domain, input)),

  /** Entries and products per zone and per clerk, each device's last sync and pending count, recount requests. */
  progress: counterProcedure.input(z.strictObject({ sessionId: id })).query(({ ctx, input }) => getProgress(ctx.domain, input.sessionId)),

  /**
   * Variance review (keyset pages of up to 2000 lines, by EAN or by variance value); filters by counted, uncounted,
   * flagged, unmatched or recount lines; the first page adds the summary and zone totals.
   */
  review: managerProcedure
    .input(
      z.strictObject({
        sessionId: id,
        cursor: pageInput.cursor,
        limit: z.number().int().min(1).max(2000).default(500),
        only: z.enum(reviewFilters).nullish(),
        /** `ean` (default); `impact`: the largest variance in money first, either way; `loss`: the most money missing first. */
        sort: z.enum(reviewSorts).nullish(),
        direction: pageInput.direction,
      }),
    )
    .query(({ ctx, input }) => reviewSession(ctx.domain, input)),

  /**
   * Marks lines (by EAN) to be counted again; counts sent with `recount: true` then replace the line's count. A
   * recount entry from someone who counted the line in the first count is rejected by sync (recount_by_first_counter).
   */
  requestRecount: managerProcedure
    .input(z.strictObject({ sessionId: id, eans: z.array(lineEan).min(1, 'name at least one line').max(1000) }))
    .mutation(({ ctx, input }) => requestRecount(ctx.domain, input)),

  /**
   * Withdraws recount requests nobody has recounted yet (asking twice changes nothing). PRECONDITION_FAILED, changing
   * nothing, once a recount entry arrived for one of them (reason recount_arrived) or the session is closed.
   */
  cancelRecount: managerProcedure
    .input(z.strictObject({ sessionId: id, eans: z.array(lineEan).min(1, 'name at least one line').max(1000) }))
    .mutation(({ ctx, input }) => cancelRecount(ctx.domain, input)),

  /**
   * Writes totals and the new store stock, emits inventory.finalized. Refused (PRECONDITION_FAILED, changing
   * nothing): while a device reports unsynced entries, unless `force` (devices_pending); while lines nobody counted
   * expect stock and `uncounted` does not say what becomes of them (uncounted_lines, with their number and value):
   * `zeroed` sets their stock to 0 and needs that number in `confirmUncountedLines` (uncounted_confirmation when it
   * no longer matches), `kept` leaves their stock as it is. A finalized session is returned as is.
   */
  finalize: managerProcedure
    .input(
      z.strictObject({
        sessionId: id,
        force: z.boolean().optional(),
        uncounted: z.enum(uncountedResolutions).optional(),
        confirmUncountedLines: z.number().int().min(0).max(100_000_000).optional(),
      }),
    )
    .mutation(({ ctx, input }) => finalizeSession(ctx.domain, input)),

  /**
   * Asks for every line nobody counted that expects stock to be counted (as a recount request: tablets list them).
   * PRECONDITION_FAILED too_many_uncounted past 1,000 such lines: count those by zone or category instead.
   */
  recountUncounted: managerProcedure.input(z.strictObject({ sessionId: id })).mutation(({ ctx, input }) => requestRecountOfUncounted(ctx.domain, input.sessionId)),

  /** Abandons an open session without touching the stock (frees the store for a new one); the reason is kept. */
  cancel: managerProcedure
    .input(z.strictObject({ sessionId: id, reason: text(500) }))
    .mutation(({ ctx, input }) => cancelSession(ctx.domain, input)),

  /**
   * The offline lookup table of a store's devices: active products by EAN (name, unit, PLU, price, category), in
   * keyset pages. With the `sessionId` of a session that is not blind, each also has its expected quantity.
   */
  productsForStore: counterProcedure
    .input(z.strictObject({ storeId: id, sessionId: id.nullish(), cursor: pageInput.cursor, limit: z.number().int().min(1).max(5000).default(1000), direction: pageInput.direction }))
    .query(({ ctx, input }) => productsForStore(ctx.domain, input)),

  stock: createTRPCRouter({
    /** Sets a store's stock from a CSV (`ean;quantidade`): answered row by row with line numbers. */
    importCsv: managerProcedure
      .input(z.strictObject({ storeId: id, csv: z.string().min(1, 'the file is empty').max(20_000_000, 'the file is larger than 20 MB') }))
      .mutation(({ ctx, input }) => importStoreStock(ctx.domain, input)),
  }),
});
