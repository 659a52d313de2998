import { writeAudit } from '../audit/audit';
import { findUser } from '../accounts/queries/users';
import { cacheKeys, ENTITY_TTL_SECONDS } from '../cache/keys';
import type { Executor } from '../db/client';
import type { SignedInContext } from '../domain/context';
import { AppError, conflictOnUnique, notFound } from '../errors';
import { inTransaction } from '../domain/transaction';
import { OffMalformedAnswer } from '../integrations/openfoodfacts/client';
import { isServiceDown } from '../integrations/resilience';
import { reportRowErrors } from '../imports/reports';
import { parseProductCsv } from './csv';
import { importProducts } from './import';
import {
  findProduct,
  findProductByEan as findProductRowByEan,
  insertProduct,
  listCategories as listCategoryRows,
  listProducts as listProductRows,
  setCategoryBuyer,
  updateProduct as updateProductRow,
  type ProductListParams,
  type ProductValues,
} from './queries';

const orgOf = (ctx: SignedInContext) => ctx.principal.orgId;

/** A product's default buyer must be an active buyer of the org. */
async function assertBuyer(db: Executor, orgId: string, buyerId: string | null | undefined) {
  if (!buyerId) return;
  const user = await findUser(db, orgId, buyerId);
  if (!user) throw notFound('buyer', { field: 'buyerId' });
  if (user.role !== 'buyer' || !user.active) throw new AppError('INVALID', 'not_an_active_buyer', `${user.name} is not an active buyer`, { field: 'buyerId', name: user.name });
}

const productConflict = (values: Partial<ProductValues>) => ({
  products_org_plu_unique: () => new AppError('CONFLICT', 'plu_taken', `PLU ${values.plu} is already used by another product`, { field: 'plu', plu: values.plu }),
  products_org_ean_unique: () => new AppError('CONFLICT', 'ean_taken', `A product with EAN ${values.ean} already exists`, { field: 'ean', ean: values.ean }),
});

export const listProducts = (ctx: SignedInContext, params: ProductListParams) => listProductRows(ctx.db, orgOf(ctx), params);

export async function getProduct(ctx: SignedInContext, productId: string) {
  const product = await findProduct(ctx.db, orgOf(ctx), productId);
  if (!product) throw notFound('product');
  return product;
}

/** The scanner's lookup: cached per org and EAN (also "no such EAN"), dropped by every change to that product. */
export async function findProductByEan(ctx: SignedInContext, ean: string) {
  const product = await ctx.services.cache.getOrSet(cacheKeys.productByEan(orgOf(ctx), ean), async () => (await findProductRowByEan(ctx.db, orgOf(ctx), ean)) ?? null, {
    ttlSeconds: ENTITY_TTL_SECONDS,
  });
  if (!product) throw new AppError('NOT_FOUND', 'ean_unknown', `No product with EAN ${ean} in the catalogue`, { ean });
  return product;
}

export async function createProduct(ctx: SignedInContext, input: ProductValues) {
  const orgId = orgOf(ctx);
  return conflictOnUnique(
    () =>
      inTransaction(ctx, async (tx, emit) => {
        await assertBuyer(tx, orgId, input.buyerId);
        const { id: productId } = await insertProduct(tx, orgId, input);
        const created = (await findProduct(tx, orgId, productId))!;
        await writeAudit(tx, ctx.actor, { action: 'product.created', entityType: 'product', entityId: productId, after: created });
        await emit([{ type: 'product.created', orgId, aggregateId: productId, payload: { productId, ean: input.ean, name: input.name, hasImage: Boolean(input.imageUrl) } }]);
        return created;
      }),
    productConflict(input),
  );
}

export async function updateProduct(ctx: SignedInContext, productId: string, changes: Partial<ProductValues>) {
  const orgId = orgOf(ctx);
  return conflictOnUnique(
    () =>
      inTransaction(ctx, async (tx, emit) => {
        const before = await findProduct(tx, orgId, productId, { lock: true });
        if (!before) throw notFound('product');
        await assertBuyer(tx, orgId, changes.buyerId);
        await updateProductRow(tx, orgId, productId, changes);
        const after = (await findProduct(tx, orgId, productId))!;
        const changed = Object.keys(changes).filter((k) => changes[k as keyof typeof changes] !== undefined);
        await writeAudit(tx, ctx.actor, { action: 'product.updated', entityType: 'product', entityId: productId, before, after });
        await emit([
          {
            type: 'product.updated',
            orgId,
            aggregateId: productId,
            payload: { productId, ean: after.ean, ...(before.ean !== after.ean ? { previousEan: before.ean } : {}), changed },
          },
        ]);
        return after;
      }),
    productConflict(changes),
  );
}

/** Products are never deleted (requests and counts reference them): deactivation hides them from lists and the scanner. */
export async function deactivateProduct(ctx: SignedInContext, productId: string) {
  const orgId = orgOf(ctx);
  return inTransaction(ctx, async (tx, emit) => {
    const before = await findProduct(tx, orgId, productId, { lock: true });
    if (!before) throw notFound('product');
    if (!before.active) return before;
    await updateProductRow(tx, orgId, productId, { active: false });
    const after = (await findProduct(tx, orgId, productId))!;
    await writeAudit(tx, ctx.actor, { action: 'product.deactivated', entityType: 'product', entityId: productId, before, after });
    await emit([{ type: 'product.deleted', orgId, aggregateId: productId, payload: { productId, ean: before.ean } }]);
    return after;
  });
}

/**
 * Bulk create/update from CSV (header row; comma or semicolon). Bad rows come back with their line number and
 * reasons (the first 1,000, how many in all, and the id of the full list); the good rows are imported; no row is half-written.
 */
export async function importProductCsv(ctx: SignedInContext, csv: string) {
  const parsed = await parseProductCsv(csv);
  if (parsed.fatal) throw new AppError('INVALID', parsed.fatal.reason, parsed.fatal.message, { field: 'csv', ...parsed.fatal.data });
  const result = await importProducts(ctx, parsed.rows);
  return { created: result.created, updated: result.updated, ...(await reportRowErrors(ctx, 'products', [...parsed.errors, ...result.errors])) };
}

export const listCategories = (ctx: SignedInContext) => listCategoryRows(ctx.db, orgOf(ctx));

/** Default buyer for a category's products that have none of their own (null clears it). */
export async function assignCategoryBuyer(ctx: SignedInContext, input: { category: string; buyerId: string | null }) {
  const orgId = orgOf(ctx);
  await inTransaction(ctx, async (tx) => {
    await assertBuyer(tx, orgId, input.buyerId);
    await setCategoryBuyer(tx, orgId, input.category, input.buyerId);
    await writeAudit(tx, ctx.actor, { action: 'category.buyer_assigned', entityType: 'category', entityId: input.category, after: input });
  });
  return input;
}

/**
 * What Open Food Facts knows of an EAN the catalogue lacks, to prefill a new product in one tap (name, brand,
 * category, quantity); null when OFF does not know it. The photo is not taken from here: the new product goes
 * through the image pipeline like any other.
 */
export async function prefillFromOpenFoodFacts(ctx: SignedInContext, ean: string) {
  const off = ctx.services.openFoodFacts;
  if (!off) throw new AppError('PRECONDITION_FAILED', 'openfoodfacts_disabled', 'Open Food Facts is turned off on this server (OPENFOODFACTS_URL)');
  try {
    const found = await off.lookup(ean, { interactive: true });
    return found && { ean, name: found.name, brand: found.brand, category: found.category, quantity: found.quantity };
  } catch (error) {
    if (isServiceDown(error) || error instanceof OffMalformedAnswer) {
      throw new AppError('UNAVAILABLE', 'openfoodfacts_unavailable', 'Open Food Facts is not answering; type the product in, it will be completed later', { retryAfterSeconds: 30 });
    }
    throw error;
  }
}
