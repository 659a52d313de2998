import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { products } from '../db/schema';

/** A new product without an image enters the pipeline: `processing` (only from `pending`). */
export async function markImageProcessing(tx: Executor, orgId: string, productId: string): Promise<void> {
  await tx
    .update(products)
    .set({ imageStatus: 'processing' })
    .where(and(eq(products.id, productId), eq(products.orgId, orgId), eq(products.imageStatus, 'pending')));
}

/** Sends a product still in the pipeline to manual review; false when it was not there (already decided). */
export async function sendImageToManualReview(tx: Executor, orgId: string, productId: string): Promise<boolean> {
  const [updated] = await tx
    .update(products)
    .set({ imageStatus: 'manual_review' })
    .where(and(eq(products.id, productId), eq(products.orgId, orgId), inArray(products.imageStatus, ['pending', 'processing'])))
    .returning({ id: products.id });
  return Boolean(updated);
}
