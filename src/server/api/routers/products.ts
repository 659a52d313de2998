import { z } from 'zod';
import { matching } from '~/lib/problems';
import { ENTITY_TTL_SECONDS } from '../../cache/keys';
import {
  assignCategoryBuyer,
  createProduct,
  deactivateProduct,
  findProductByEan,
  getProduct,
  importProductCsv,
  listCategories,
  listProducts,
  prefillFromOpenFoodFacts,
  updateProduct,
} from '../../catalogue/service';
import { authedProcedure, CACHED_READ, cachedQuery, createTRPCRouter, roleProcedure } from '../trpc';
import { ean13, id, optionalText, pageInput, text } from '../validators';

const catalogueProcedure = roleProcedure('admin', 'buyer');

const productFields = {
  name: text(200),
  brand: optionalText(100),
  category: optionalText(100),
  unit: z.string().trim().min(1).max(10).optional(),
  referencePrice: z.number().min(0, 'must not be negative').max(1_000_000).multipleOf(0.01, 'at most 2 decimals').optional(),
  plu: matching(/^\d{4,6}$/, 'plu_format', 'must be 4 to 6 digits').nullish(),
  buyerId: id.nullish(),
  // An image is fetched and shown: only https, never javascript:, data:, file: or plain http.
  imageUrl: z
    .url()
    .max(2000)
    .refine((u) => u.startsWith('https://'), { message: 'must be an https:// address', params: { reason: 'https_url_required' } })
    .nullish(),
};

export const productsRouter = createTRPCRouter({
  /** Cached per caller scope and input for 5 minutes under the org's product tag, which every product change drops. */
  list: authedProcedure
    .input(
      z.strictObject({
        ...pageInput,
        search: z.string().trim().max(100).nullish(),
        category: z.string().trim().max(100).nullish(),
        buyerId: id.nullish(),
        active: z.boolean().nullish().default(true),
      }),
    )
    .meta(CACHED_READ)
    .use(cachedQuery('products', { ttlSeconds: ENTITY_TTL_SECONDS }))
    .query(({ ctx, input }) => listProducts(ctx.domain, input)),

  /** The scanner's lookup: cached per org and EAN for 5 minutes, dropped by every change to that product. */
  byEan: authedProcedure.meta(CACHED_READ).input(z.strictObject({ ean: ean13 })).query(({ ctx, input }) => findProductByEan(ctx.domain, input.ean)),

  byId: authedProcedure.input(z.strictObject({ id })).query(({ ctx, input }) => getProduct(ctx.domain, input.id)),

  create: catalogueProcedure.input(z.strictObject({ ean: ean13, ...productFields })).mutation(({ ctx, input }) => createProduct(ctx.domain, input)),

  update: catalogueProcedure
    .input(z.strictObject({ id, ean: ean13.optional(), ...productFields, name: text(200).optional(), active: z.boolean().optional() }))
    .mutation(({ ctx, input: { id: productId, ...changes } }) => updateProduct(ctx.domain, productId, changes)),

  /** Products are never deleted (requests and counts reference them): deactivation hides them from lists and the scanner. */
  deactivate: catalogueProcedure.input(z.strictObject({ id })).mutation(({ ctx, input }) => deactivateProduct(ctx.domain, input.id)),

  /**
   * Bulk create/update from CSV (header row; comma or semicolon). Every bad row comes back with its line number
   * and reasons; the good rows are imported; no row is half-written.
   */
  importCsv: catalogueProcedure
    .input(z.strictObject({ csv: z.string().min(1, 'the file is empty').max(20_000_000, 'the file is larger than 20 MB') }))
    .mutation(({ ctx, input }) => importProductCsv(ctx.domain, input.csv)),

  /** Open Food Facts' name, brand, category and quantity of an EAN the catalogue lacks (null: OFF does not know it). */
  prefill: catalogueProcedure.input(z.strictObject({ ean: ean13 })).query(({ ctx, input }) => prefillFromOpenFoodFacts(ctx.domain, input.ean)),

  categories: authedProcedure.query(({ ctx }) => listCategories(ctx.domain)),

  /** Default buyer for a category's products that have none of their own (null clears it). */
  assignCategoryBuyer: roleProcedure('admin')
    .input(z.strictObject({ category: text(100), buyerId: id.nullable() }))
    .mutation(({ ctx, input }) => assignCategoryBuyer(ctx.domain, input)),
});
