import { photoIdOf } from '~/lib/photos';
import { writeAudit } from '../audit/audit';
import { decodeCursor, encodeCursor } from '../db/cursor';
import type { SignedInContext } from '../domain/context';
import { inTransaction } from '../domain/transaction';
import { AppError, notFound } from '../errors';
import { isServiceDown } from '../integrations/resilience';
import { queueNames } from '../queues/definitions';
import { deletePhoto, storePhoto } from './keys';
import { PhotoRejected, preparePhoto } from './photo';
import { imageCounts, lockImage, reviewQueuePage, setImageByPerson, takePendingProducts, usageByDay } from './queries';

const orgOf = (ctx: SignedInContext) => ctx.principal.orgId;

/** The products waiting for a person, oldest first, with the candidate photo's id (null: none to look at). */
export async function reviewQueue(ctx: SignedInContext, params: { limit: number; cursor?: string | null }) {
  const after = decodeCursor<[string, string]>(params.cursor, ['time', 'uuid']);
  const [rows, counts] = await Promise.all([reviewQueuePage(ctx.db, orgOf(ctx), { limit: params.limit, after }), imageCounts(ctx.db, orgOf(ctx))]);
  const items = rows.slice(0, params.limit).map(({ imageKey, ...row }) => ({ ...row, photoId: photoIdOf(imageKey) }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > params.limit && last ? encodeCursor([last.createdAt, last.id]) : null, counts };
}

const photoChanged = () => new AppError('CONFLICT', 'photo_changed', 'The photo changed since it was shown (another person or the pipeline decided); reload the queue');

/** Approves or rejects the candidate photo the person saw (`photoId`); the same decision again changes nothing. */
export async function decidePhoto(ctx: SignedInContext, input: { productId: string; photoId: string; decision: 'approved' | 'rejected' }) {
  const orgId = orgOf(ctx);
  return inTransaction(ctx, async (tx, emit) => {
    const before = await lockImage(tx, orgId, input.productId);
    if (!before) throw notFound('product');
    if (photoIdOf(before.key) !== input.photoId) throw photoChanged();
    if (before.status === input.decision) return { productId: input.productId, status: before.status };
    await setImageByPerson(tx, input.productId, input.decision);
    await writeAudit(tx, ctx.actor, { action: `image.${input.decision}`, entityType: 'product', entityId: input.productId, before: { imageStatus: before.status }, after: { imageStatus: input.decision, photoId: input.photoId } });
    await emit([{ type: 'image.processed', orgId, aggregateId: input.productId, payload: { productId: input.productId, status: input.decision, score: null, ...(input.decision === 'rejected' ? { reason: 'rejected' } : {}) } }]);
    return { productId: input.productId, status: input.decision };
  });
}

/**
 * A photo taken or chosen by a person replaces the candidate and is approved (a person chose it). `photoId` is
 * made by the client: a retried upload finds its photo already in place and changes nothing. The photo goes
 * through the same checks and reductions as a downloaded one.
 */
export async function replacePhoto(ctx: SignedInContext, input: { productId: string; photoId: string; photo: Buffer }) {
  const orgId = orgOf(ctx);
  const { services } = ctx;
  const key = `products/${orgId}/${input.productId}/${input.photoId}`;
  const current = await lockImage(ctx.db, orgId, input.productId);
  if (!current) throw notFound('product');
  if (current.key === key && current.status === 'approved') return { productId: input.productId, status: 'approved' as const, photoId: input.photoId };
  let photo;
  try {
    photo = await preparePhoto(input.photo, { maxPixels: services.env.IMAGE_MAX_PIXELS });
  } catch (error) {
    if (error instanceof PhotoRejected) throw new AppError('INVALID', error.reason, error.message, { field: 'photo' });
    throw error;
  }
  try {
    await storePhoto(services.storage, key, photo);
  } catch (error) {
    if (isServiceDown(error)) {
      throw new AppError('UNAVAILABLE', 'storage_unavailable', 'Photo storage is unavailable; the photo was not saved. Try again in a minute', { retryAfterSeconds: 30 });
    }
    throw error;
  }
  const previousKey = await inTransaction(ctx, async (tx, emit) => {
    const before = await lockImage(tx, orgId, input.productId);
    if (!before) throw notFound('product');
    if (before.key === key) return null;
    await setImageByPerson(tx, input.productId, 'approved', { key });
    await writeAudit(tx, ctx.actor, { action: 'image.replaced', entityType: 'product', entityId: input.productId, before: { imageStatus: before.status, photoId: photoIdOf(before.key) }, after: { imageStatus: 'approved', photoId: input.photoId } });
    await emit([{ type: 'image.processed', orgId, aggregateId: input.productId, payload: { productId: input.productId, status: 'approved', score: null } }]);
    return before.key;
  });
  if (previousKey) await deletePhoto(services.storage, previousKey, ctx.logger);
  return { productId: input.productId, status: 'approved' as const, photoId: input.photoId };
}

/** Sends a product in review (or rejected) through the pipeline again: Open Food Facts, download, score. */
export async function retryPipeline(ctx: SignedInContext, productId: string) {
  const orgId = orgOf(ctx);
  const product = await inTransaction(ctx, async (tx) => {
    const before = await lockImage(tx, orgId, productId);
    if (!before) throw notFound('product');
    if (before.status === 'processing') return before;
    if (before.status !== 'manual_review' && before.status !== 'rejected') {
      throw new AppError('PRECONDITION_FAILED', 'image_not_in_review', 'Only a product in review or rejected can be sent through the pipeline again');
    }
    await setImageByPerson(tx, productId, 'processing');
    return before;
  });
  await ctx.services.queues.queue(queueNames.images).add('image', { productId, orgId, ean: product.ean }, { jobId: `image-${productId}-retry-${Date.now()}` });
  return { productId, status: 'processing' as const };
}

/** Products one call sends through the pipeline at most (a call takes a second or two; the page offers the rest). */
export const BACKFILL_BATCH = 5_000;

/**
 * Sends the org's products that never went through the pipeline (from before it existed, or seeded) through it,
 * up to BACKFILL_BATCH per call: marked `processing` and queued in one transaction (a job queued for a product whose
 * mark did not commit finds it `pending` and processes it all the same). Answers how many went and how many remain.
 */
export async function sendPendingThroughPipeline(ctx: SignedInContext) {
  const orgId = orgOf(ctx);
  const taken = await inTransaction(ctx, async (tx) => {
    const rows = await takePendingProducts(tx, orgId, BACKFILL_BATCH);
    if (rows.length > 0) {
      await ctx.services.queues
        .queue(queueNames.images)
        .addBulk(rows.map((p) => ({ name: 'image', data: { productId: p.id, orgId, ean: p.ean }, opts: { jobId: `image-${p.id}-backfill` } })));
    }
    return rows.length;
  });
  const counts = await imageCounts(ctx.db, orgId);
  ctx.logger.info({ sent: taken, remaining: counts.pending }, 'products without a photo sent through the image pipeline');
  return { sent: taken, remaining: counts.pending };
}

/** OpenAI's tokens spent by the org: today against the budget, and the last 7 days. */
export async function scoringUsage(ctx: SignedInContext) {
  const days = await usageByDay(ctx.db, orgOf(ctx), 7);
  const today = new Date().toISOString().slice(0, 10);
  const todays = days.find((d) => d.day === today);
  return {
    configured: ctx.services.scorer !== null,
    model: ctx.services.scorer?.model ?? null,
    dailyBudget: ctx.services.env.OPENAI_DAILY_TOKEN_BUDGET,
    today: { calls: todays?.calls ?? 0, tokens: (todays?.promptTokens ?? 0) + (todays?.completionTokens ?? 0) },
    days: days.map((d) => ({ day: d.day, calls: d.calls, tokens: d.promptTokens + d.completionTokens })),
    counts: await imageCounts(ctx.db, orgOf(ctx)),
  };
}
