import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { type ImageReviewReason, openaiUsage, products } from '../db/schema';

/** Reasons the pipeline itself clears: the photo is re-scored when the service or the budget allows. */
export const RESCORABLE: readonly ImageReviewReason[] = ['scoring_unavailable', 'budget_exceeded'];

/**
 * A product enters the pipeline: `processing`. A new product only from `pending`; a changed EAN only when no
 * approved photo holds; a new image URL always (the person asked for that photo). False when it did not enter.
 */
export async function markImageProcessing(tx: Executor, orgId: string, productId: string, why: 'created' | 'ean_changed' | 'image_url_changed'): Promise<boolean> {
  const from = why === 'created' ? [eq(products.imageStatus, 'pending')] : why === 'ean_changed' ? [sql`${products.imageStatus} <> 'approved'`] : [];
  const [updated] = await tx
    .update(products)
    .set({ imageStatus: 'processing', imageReviewReason: null, imageReasons: [] })
    .where(and(eq(products.id, productId), eq(products.orgId, orgId), ...from))
    .returning({ id: products.id });
  return Boolean(updated);
}

export type ImageState = {
  id: string;
  ean: string;
  name: string;
  brand: string | null;
  category: string | null;
  imageUrl: string | null;
  imageStatus: (typeof products.$inferSelect)['imageStatus'];
  imageKey: string | null;
  imageReviewReason: ImageReviewReason | null;
};

export async function findImageState(db: Executor, orgId: string, productId: string): Promise<ImageState | null> {
  const [row] = await db
    .select({
      id: products.id,
      ean: products.ean,
      name: products.name,
      brand: products.brand,
      category: products.category,
      imageUrl: products.imageUrl,
      imageStatus: products.imageStatus,
      imageKey: products.imageKey,
      imageReviewReason: products.imageReviewReason,
    })
    .from(products)
    .where(and(eq(products.id, productId), eq(products.orgId, orgId)));
  return row ?? null;
}

/**
 * The rows the pipeline may still decide: in the pipeline, or waiting in review for a re-score of `candidateKey`
 * (a person who approved, rejected or replaced it meanwhile wins).
 */
const undecided = (orgId: string, productId: string, candidateKey: string | null) =>
  and(
    eq(products.id, productId),
    eq(products.orgId, orgId),
    or(
      inArray(products.imageStatus, ['pending', 'processing']),
      candidateKey
        ? and(eq(products.imageStatus, 'manual_review'), inArray(products.imageReviewReason, [...RESCORABLE]), eq(products.imageKey, candidateKey))
        : undefined,
    ),
  );

/** Fills what the person left empty (brand, category) from Open Food Facts; what was typed is kept. */
export async function enrichProduct(tx: Executor, orgId: string, productId: string, found: { brand: string | null; category: string | null }): Promise<string[]> {
  const [row] = await tx
    .update(products)
    .set({ brand: sql`coalesce(${products.brand}, ${found.brand})`, category: sql`coalesce(${products.category}, ${found.category})` })
    .where(and(eq(products.id, productId), eq(products.orgId, orgId), or(sql`${products.brand} is null`, sql`${products.category} is null`)))
    .returning({ brand: products.brand, category: products.category });
  if (!row) return [];
  return [...(found.brand && row.brand === found.brand ? ['brand'] : []), ...(found.category && row.category === found.category ? ['category'] : [])];
}

/** The candidate photo is stored: its key replaces the previous one (returned, for its files to be deleted). */
export async function setCandidate(tx: Executor, orgId: string, productId: string, key: string, source: 'openfoodfacts' | 'url'): Promise<{ previousKey: string | null } | null> {
  const [before] = await tx
    .select({ key: products.imageKey })
    .from(products)
    .where(undecided(orgId, productId, null))
    .for('update');
  if (!before) return null;
  await tx.update(products).set({ imageKey: key, imageSource: source, imageCheckedAt: null }).where(eq(products.id, productId));
  return { previousKey: before.key };
}

/** The pipeline's decision; false when a person (or a newer run) decided first. */
export async function decideImage(
  tx: Executor,
  orgId: string,
  productId: string,
  candidateKey: string | null,
  decision: { status: 'approved' | 'manual_review'; reason: ImageReviewReason | null; reasons: string[]; score: number | null },
): Promise<boolean> {
  const [updated] = await tx
    .update(products)
    .set({ imageStatus: decision.status, imageReviewReason: decision.reason, imageReasons: decision.reasons, imageScore: decision.score, imageCheckedAt: new Date() })
    .where(undecided(orgId, productId, candidateKey))
    .returning({ id: products.id });
  return Boolean(updated);
}

const today = () => new Date().toISOString().slice(0, 10);

/** Tokens the org spent today (UTC). */
export async function tokensUsedToday(db: Executor, orgId: string): Promise<number> {
  const [row] = await db
    .select({ tokens: sql<number>`(${openaiUsage.promptTokens} + ${openaiUsage.completionTokens})::float8` })
    .from(openaiUsage)
    .where(and(eq(openaiUsage.orgId, orgId), eq(openaiUsage.day, today())));
  return row?.tokens ?? 0;
}

export async function recordUsage(tx: Executor, orgId: string, usage: { promptTokens: number; completionTokens: number }): Promise<void> {
  await tx
    .insert(openaiUsage)
    .values({ orgId, day: today(), calls: 1, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens })
    .onConflictDoUpdate({
      target: [openaiUsage.orgId, openaiUsage.day],
      set: {
        calls: sql`${openaiUsage.calls} + 1`,
        promptTokens: sql`${openaiUsage.promptTokens} + excluded.prompt_tokens`,
        completionTokens: sql`${openaiUsage.completionTokens} + excluded.completion_tokens`,
      },
    });
}

/** The org's usage over the last `days` days (UTC), newest first. */
export async function usageByDay(db: Executor, orgId: string, days: number) {
  return db
    .select({ day: openaiUsage.day, calls: openaiUsage.calls, promptTokens: openaiUsage.promptTokens, completionTokens: openaiUsage.completionTokens })
    .from(openaiUsage)
    .where(and(eq(openaiUsage.orgId, orgId), sql`${openaiUsage.day} > (now() at time zone 'utc')::date - ${days}::int`))
    .orderBy(sql`${openaiUsage.day} desc`);
}

/** The org's products waiting for a person, oldest first (index products_image_review_idx), and how many in all. */
export async function reviewQueuePage(db: Executor, orgId: string, params: { limit: number; after: [string, string] | null }) {
  const rows = await db
    .select({
      id: products.id,
      ean: products.ean,
      name: products.name,
      brand: products.brand,
      category: products.category,
      imageKey: products.imageKey,
      imageSource: products.imageSource,
      imageScore: products.imageScore,
      imageReviewReason: products.imageReviewReason,
      imageReasons: products.imageReasons,
      createdAt: sql<string>`to_char(${products.createdAt} at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    })
    .from(products)
    .where(
      and(
        eq(products.orgId, orgId),
        eq(products.imageStatus, 'manual_review'),
        eq(products.active, true),
        params.after ? sql`(${products.createdAt}, ${products.id}) > (${params.after[0]}::timestamptz, ${params.after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(products.createdAt, products.id)
    .limit(params.limit + 1);
  return rows;
}

export async function imageCounts(db: Executor, orgId: string) {
  const [row] = await db
    .select({
      review: sql<number>`count(*) filter (where ${products.imageStatus} = 'manual_review' and ${products.active})::int`,
      processing: sql<number>`count(*) filter (where ${products.imageStatus} = 'processing')::int`,
      pending: sql<number>`count(*) filter (where ${products.imageStatus} = 'pending' and ${products.active})::int`,
    })
    .from(products)
    .where(and(eq(products.orgId, orgId), inArray(products.imageStatus, ['manual_review', 'processing', 'pending'])));
  return row ?? { review: 0, processing: 0, pending: 0 };
}

/**
 * Up to `limit` active products never sent through the pipeline (`pending`: from before it existed, or seeded),
 * marked `processing`; rows another call is taking are skipped, so two calls never take the same product.
 */
export async function takePendingProducts(tx: Executor, orgId: string, limit: number) {
  const batch = tx
    .select({ id: products.id })
    .from(products)
    .where(and(eq(products.orgId, orgId), eq(products.imageStatus, 'pending'), eq(products.active, true)))
    .limit(limit)
    .for('update', { skipLocked: true });
  return tx.update(products).set({ imageStatus: 'processing' }).where(inArray(products.id, batch)).returning({ id: products.id, ean: products.ean });
}

/** The product's photo state, locked until the transaction ends (a person's decision and the pipeline's go one at a time). */
export async function lockImage(tx: Executor, orgId: string, productId: string) {
  const [row] = await tx
    .select({ key: products.imageKey, status: products.imageStatus, name: products.name, ean: products.ean })
    .from(products)
    .where(and(eq(products.id, productId), eq(products.orgId, orgId)))
    .for('update');
  return row ?? null;
}

/** A person's decision: approved or rejected, with a photo they uploaded when `upload` is given. */
export async function setImageByPerson(tx: Executor, productId: string, status: 'approved' | 'rejected' | 'processing', upload?: { key: string }) {
  await tx
    .update(products)
    .set({
      imageStatus: status,
      imageReviewReason: status === 'rejected' ? 'rejected' : null,
      imageCheckedAt: new Date(),
      ...(upload ? { imageKey: upload.key, imageSource: 'upload' as const, imageScore: null, imageReasons: [] } : {}),
    })
    .where(eq(products.id, productId));
}
