import { z } from 'zod';
import { writeAudit } from '../../audit/audit';
import { cacheKeys, cacheTags, ENTITY_TTL_SECONDS } from '../../cache/keys';
import { forgetProducts } from '../../catalogue/cache';
import { parseProductCsv } from '../../catalogue/csv';
import { importProducts } from '../../catalogue/import';
import {
  findProduct,
  findProductByEan,
  insertProduct,
  listCategories,
  listProducts,
  setCategoryBuyer,
  updateProduct,
  type ProductValues,
} from '../../catalogue/queries';
import { findUser } from '../../accounts/queries/users';
import { AppError, constraintOf, isUniqueViolation, notFound } from '../../domain/errors';
import { appendEvent } from '../../events/outbox';
import type { Executor } from '../../db/client';
import type { Services } from '../../services';
import { authedProcedure, cachedQuery, createTRPCRouter, roleProcedure } from '../trpc';
import { ean13, id, optionalText, pageInput, text } from '../validators';

const catalogueProcedure = roleProcedure('admin', 'buyer');

const productFields = {
  name: text(200),
  brand: optionalText(100),
  category: optionalText(100),
  unit: z.string().trim().min(1).max(10).optional(),
  referencePrice: z.number().min(0, 'must not be negative').max(1_000_000).multipleOf(0.01, 'at most 2 decimals').optional(),
  plu: z
    .string()
    .regex(/^\d{4,6}$/, 'must be 4 to 6 digits')
    .nullish(),
  buyerId: id.nullish(),
  imageUrl: z.url().max(2000).nullish(),
};

async function assertBuyer(db: Executor, orgId: string, buyerId: string | null | undefined) {
  if (!buyerId) return;
  const user = await findUser(db, orgId, buyerId);
  if (!user) throw notFound('Buyer');
  if (user.role !== 'buyer' || !user.active) throw new AppError('INVALID', `${user.name} is not an active buyer`, { field: 'buyerId' });
}

function conflictOnUnique(values: Partial<ProductValues>) {
  return (error: unknown): never => {
    if (isUniqueViolation(error)) {
      const plu = constraintOf(error) === 'products_org_plu_unique';
      throw new AppError('CONFLICT', plu ? `PLU ${values.plu} is already used by another product` : `A product with EAN ${values.ean} already exists`);
    }
    throw error;
  };
}

/**
 * After a committed product change: its EAN lookups and the org's cached lists go, for this answer. The
 * live-and-cache consumer does the same from the change's event, for changes made elsewhere (workers) and in
 * case this call fails.
 */
const productsChanged = (ctx: { services: Services; orgId: string }, eans: string[]) => forgetProducts(ctx.services.cache, ctx.orgId, eans);

export const productsRouter = createTRPCRouter({
  /** Cached per caller scope and input for 5 minutes under the org's product tag, which every product change drops. */
  list: authedProcedure
    .use(cachedQuery({ ttlSeconds: ENTITY_TTL_SECONDS, tags: (orgId) => [cacheTags.products(orgId)] }))
    .input(
      z.strictObject({
        ...pageInput,
        search: z.string().trim().max(100).nullish(),
        category: z.string().trim().max(100).nullish(),
        buyerId: id.nullish(),
        active: z.boolean().nullish().default(true),
      }),
    )
    .query(({ ctx, input }) => listProducts(ctx.services.db, ctx.orgId, input)),

  /** The scanner's lookup: cached per org and EAN for 5 minutes, dropped by every change to that product. */
  byEan: authedProcedure.input(z.strictObject({ ean: ean13 })).query(async ({ ctx, input }) => {
    const product = await ctx.services.cache.getOrSet(
      cacheKeys.productByEan(ctx.orgId, input.ean),
      async () => (await findProductByEan(ctx.services.db, ctx.orgId, input.ean)) ?? null,
      { ttlSeconds: ENTITY_TTL_SECONDS },
    );
    if (!product) throw new AppError('NOT_FOUND', `No product with EAN ${input.ean} in the catalogue`);
    return product;
  }),

  byId: authedProcedure.input(z.strictObject({ id })).query(async ({ ctx, input }) => {
    return (await findProduct(ctx.services.db, ctx.orgId, input.id)) ?? throwNotFound();
  }),

  create: catalogueProcedure.input(z.strictObject({ ean: ean13, ...productFields })).mutation(async ({ ctx, input }) => {
    const product = await ctx.services.db
      .transaction(async (tx) => {
        await assertBuyer(tx, ctx.orgId, input.buyerId);
        const { id: productId } = await insertProduct(tx, ctx.orgId, input);
        const created = (await findProduct(tx, ctx.orgId, productId))!;
        await writeAudit(tx, ctx.actor, { action: 'product.created', entityType: 'product', entityId: productId, after: created });
        await appendEvent(
          tx,
          { type: 'product.created', orgId: ctx.orgId, aggregateId: productId, payload: { productId, ean: input.ean, name: input.name, hasImage: Boolean(input.imageUrl) } },
          { correlationId: ctx.requestId, userId: ctx.principal.userId },
        );
        return created;
      })
      .catch(conflictOnUnique(input));
    await productsChanged(ctx, [product.ean]);
    return product;
  }),

  update: catalogueProcedure
    .input(z.strictObject({ id, ean: ean13.optional(), ...productFields, name: text(200).optional(), active: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      const { id: productId, ...changes } = input;
      const { before, after } = await ctx.services.db
        .transaction(async (tx) => {
          const before = await findProduct(tx, ctx.orgId, productId);
          if (!before) throw notFound('Product');
          await assertBuyer(tx, ctx.orgId, changes.buyerId);
          await updateProduct(tx, ctx.orgId, productId, changes);
          const after = (await findProduct(tx, ctx.orgId, productId))!;
          const changed = Object.keys(changes).filter((k) => changes[k as keyof typeof changes] !== undefined);
          await writeAudit(tx, ctx.actor, { action: 'product.updated', entityType: 'product', entityId: productId, before, after });
          await appendEvent(
            tx,
            {
              type: 'product.updated',
              orgId: ctx.orgId,
              aggregateId: productId,
              payload: { productId, ean: after.ean, ...(before.ean !== after.ean ? { previousEan: before.ean } : {}), changed },
            },
            { correlationId: ctx.requestId, userId: ctx.principal.userId },
          );
          return { before, after };
        })
        .catch(conflictOnUnique(changes));
      await productsChanged(ctx, [before.ean, after.ean]);
      return after;
    }),

  /** Products are never deleted (requests and counts reference them): deactivation hides them from lists and the scanner. */
  deactivate: catalogueProcedure.input(z.strictObject({ id })).mutation(async ({ ctx, input }) => {
    const product = await ctx.services.db.transaction(async (tx) => {
      const before = await findProduct(tx, ctx.orgId, input.id);
      if (!before) throw notFound('Product');
      if (!before.active) return before;
      await updateProduct(tx, ctx.orgId, input.id, { active: false });
      const after = (await findProduct(tx, ctx.orgId, input.id))!;
      await writeAudit(tx, ctx.actor, { action: 'product.deactivated', entityType: 'product', entityId: input.id, before, after });
      await appendEvent(
        tx,
        { type: 'product.deleted', orgId: ctx.orgId, aggregateId: input.id, payload: { productId: input.id, ean: before.ean } },
        { correlationId: ctx.requestId, userId: ctx.principal.userId },
      );
      return after;
    });
    await productsChanged(ctx, [product.ean]);
    return product;
  }),

  /**
   * Bulk create/update from CSV (header row; comma or semicolon). Every bad row comes back with its line number
   * and reasons; the good rows are imported; no row is half-written.
   */
  importCsv: catalogueProcedure
    .input(z.strictObject({ csv: z.string().min(1, 'the file is empty').max(20_000_000, 'the file is larger than 20 MB') }))
    .mutation(async ({ ctx, input }) => {
      const parsed = parseProductCsv(input.csv);
      if (parsed.fatal) throw new AppError('INVALID', parsed.fatal, { field: 'csv' });
      const result = await importProducts(ctx.services.db, ctx.orgId, ctx.actor, parsed.rows);
      await productsChanged(ctx, result.importedEans);
      const errors = [...parsed.errors, ...result.errors].sort((a, b) => a.line - b.line);
      return { created: result.created, updated: result.updated, rejected: errors.length, errors };
    }),

  categories: authedProcedure.query(({ ctx }) => listCategories(ctx.services.db, ctx.orgId)),

  /** Default buyer for a category's products that have none of their own (null clears it). */
  assignCategoryBuyer: roleProcedure('admin')
    .input(z.strictObject({ category: text(100), buyerId: id.nullable() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.db.transaction(async (tx) => {
        await assertBuyer(tx, ctx.orgId, input.buyerId);
        await setCategoryBuyer(tx, ctx.orgId, input.category, input.buyerId);
        await writeAudit(tx, ctx.actor, { action: 'category.buyer_assigned', entityType: 'category', entityId: input.category, after: input });
      });
      return input;
    }),
});

function throwNotFound(): never {
  throw notFound('Product');
}
