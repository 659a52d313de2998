import { and, eq, inArray } from 'drizzle-orm';
import { products } from '~/server/db/schema';
import { appendEvent } from '~/server/events/outbox';
import type { Logger } from '~/server/logger';
import { queueNames } from '~/server/queues/definitions';
import type { Services } from '~/server/services';
import { defineProcessor } from '../queues/processor';

/**
 * The image pipeline's plumbing. The default step sends the product to manual review and records
 * `image.processed`, in one transaction; the Open Food Facts / OpenAI step will replace it behind this function.
 */
export function imagesProcessor(services: Services, logger: Logger) {
  return defineProcessor(queueNames.images, logger, async ({ productId, orgId }) => {
    return services.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(products)
        .set({ imageStatus: 'manual_review' })
        .where(and(eq(products.id, productId), eq(products.orgId, orgId), inArray(products.imageStatus, ['pending', 'processing'])))
        .returning({ id: products.id });
      if (!updated) return { skipped: true };
      await appendEvent(tx, { type: 'image.processed', orgId, aggregateId: productId, payload: { productId, status: 'manual_review', score: null } }, { userId: null });
      return { status: 'manual_review' };
    });
  });
}
