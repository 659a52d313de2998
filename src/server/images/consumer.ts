import type { Consumer } from '../events/consumer';
import { queueNames } from '../queues/definitions';
import { markImageProcessing } from './queries';

/** A new product without an image goes to the image pipeline (status `processing`, one job per product). */
export const imagesConsumer: Consumer = {
  name: 'images',
  handles: (type) => type === 'product.created',
  async apply(tx, event) {
    if (event.type !== 'product.created' || event.payload.hasImage || !event.orgId) return;
    await markImageProcessing(tx, event.orgId, event.payload.productId);
  },
  async after(event, { services }) {
    if (event.type !== 'product.created' || event.payload.hasImage || !event.orgId) return;
    const { productId, ean } = event.payload;
    await services.queues.queue(queueNames.images).add('image', { productId, orgId: event.orgId, ean }, { jobId: `image-${productId}` });
  },
};
