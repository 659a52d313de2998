import type { DomainContext } from '../domain/context';
import { inTransaction } from '../domain/transaction';
import { sendImageToManualReview } from './queries';

/**
 * The image pipeline's step for one product. Today it sends the product to manual review and records
 * `image.processed`, in one transaction; the Open Food Facts / OpenAI step will replace it behind this function.
 */
export async function processProductImage(ctx: DomainContext, job: { orgId: string; productId: string }) {
  return inTransaction(ctx, async (tx, emit) => {
    if (!(await sendImageToManualReview(tx, job.orgId, job.productId))) return { skipped: true };
    await emit([{ type: 'image.processed', orgId: job.orgId, aggregateId: job.productId, payload: { productId: job.productId, status: 'manual_review', score: null } }]);
    return { status: 'manual_review' };
  });
}
