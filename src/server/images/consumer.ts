import { and, eq } from 'drizzle-orm';
import { products } from '~/server/db/schema';
import { queueNames } from '~/server/queues/definitions';
import type { Consumer } from '../events/consumer';

/** A new product without an image goes to the image pipeline (status `processing`, one job per product). */
export const imagesConsumer: Consumer = {
  name: 'images',
  handles: (type) => type === 'product.created',
  async apply(tx, event) {
    if (event.type !== 'product.created' || event.payload.hasImage || !event.orgId) return;
    await tx
      .update(products)
      .set({ imageStatus: 'processing' })
      .where(and(eq(products.id, event.payload.productId), eq(products.imageStatus, 'pending')));
  },
  async after(event, { queues }) {
    if (event.type !== 'product.created' || event.payload.hasImage || !event.orgId) return;
    const { productId, ean } = event.payload;
    await queues.queue(queueNames.images).add('image', { productId, orgId: event.orgId, ean }, { jobId: `image-${productId}` });
  },
};
