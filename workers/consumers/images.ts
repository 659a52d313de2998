import { and, eq } from 'drizzle-orm';
import { products } from '~/server/db/schema';
import { queueNames } from '~/server/queues/definitions';
import type { Consumer } from './types';

/** A new product without an image goes to the image pipeline (status `processing`, one job per product). */
export const imagesConsumer: Consumer = {
  name: 'images',
  handles: (type) => type === 'product.created',
  async apply(tx, event) {
    if (event.payload.hasImage || !event.orgId) return;
    await tx
      .update(products)
      .set({ imageStatus: 'processing' })
      .where(and(eq(products.id, String(event.payload.productId)), eq(products.imageStatus, 'pending')));
  },
  async after(event, { queues }) {
    if (event.payload.hasImage || !event.orgId) return;
    await queues
      .queue(queueNames.images)
      .add('image', { productId: String(event.payload.productId), orgId: event.orgId, ean: String(event.payload.ean) }, { jobId: `image-${String(event.payload.productId)}` });
  },
};
