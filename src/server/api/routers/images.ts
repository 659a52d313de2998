import { z } from 'zod';
import { decidePhoto, replacePhoto, retryPipeline, reviewQueue, scoringUsage, sendPendingThroughPipeline } from '../../images/review';
import { adminProcedure, createTRPCRouter, roleProcedure } from '../trpc';
import { id, pageInput } from '../validators';

/** Manual review is the catalogue's people's: buyers and admins. */
const reviewProcedure = roleProcedure('admin', 'buyer');

/** A photo as the browser sends it: base64 of at most 10 MB of bytes (the tablet reduces it before). */
const photoBytes = z
  .string()
  .max(14_000_000, 'the photo is larger than 10 MB')
  .regex(/^[A-Za-z0-9+/]+=*$/, 'must be the photo in base64')
  .transform((b64) => Buffer.from(b64, 'base64'));

export const imagesRouter = createTRPCRouter({
  /** Products whose photo waits for a person, oldest first, with the candidate, its score and the reasons. */
  reviewQueue: reviewProcedure.input(z.strictObject({ ...pageInput })).query(({ ctx, input }) => reviewQueue(ctx.domain, input)),

  /** Approves the photo the person saw; CONFLICT `photo_changed` when it is no longer the product's. Idempotent. */
  approve: reviewProcedure
    .input(z.strictObject({ productId: id, photoId: id }))
    .mutation(({ ctx, input }) => decidePhoto(ctx.domain, { ...input, decision: 'approved' })),

  /** Rejects the photo the person saw: the product shows none until another is approved or uploaded. Idempotent. */
  reject: reviewProcedure
    .input(z.strictObject({ productId: id, photoId: id }))
    .mutation(({ ctx, input }) => decidePhoto(ctx.domain, { ...input, decision: 'rejected' })),

  /** A photo taken on the tablet (or chosen) replaces the candidate, approved; `photoId` is made by the client (idempotent). */
  replacePhoto: reviewProcedure
    .input(z.strictObject({ productId: id, photoId: id, photo: photoBytes }))
    .mutation(({ ctx, input }) => replacePhoto(ctx.domain, input)),

  /** Runs the pipeline again for a product in review or rejected (Open Food Facts, download, score). */
  retry: reviewProcedure.input(z.strictObject({ productId: id })).mutation(({ ctx, input }) => retryPipeline(ctx.domain, input.productId)),

  /** Sends products that never went through the pipeline (from before it, or seeded) through it, 5,000 per call. */
  findMissing: adminProcedure.mutation(({ ctx }) => sendPendingThroughPipeline(ctx.domain)),

  /** OpenAI's tokens spent by the org today against its daily budget, the last 7 days, and the queue's size. */
  usage: adminProcedure.query(({ ctx }) => scoringUsage(ctx.domain)),
});
