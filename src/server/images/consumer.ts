import type { Consumer } from '../events/consumer';
import { queueNames } from '../queues/definitions';
import { markImageProcessing } from './queries';

type Why = Parameters<typeof markImageProcessing>[3];

/** Which product events send the product through the image pipeline. */
function whyOf(event: Parameters<NonNullable<Consumer['apply']>>[1]): Why | null {
  if (event.type === 'product.created') return 'created';
  if (event.type !== 'product.updated') return null;
  if (event.payload.changed.includes('imageUrl')) return 'image_url_changed';
  return event.payload.previousEan ? 'ean_changed' : null;
}

/**
 * A new product, a changed EAN (without an approved photo) or a new photo address enters the image pipeline
 * (status `processing`) and gets a job; the job's id names the event, so a redelivery queues nothing new while a
 * later change of the same product gets its own run.
 */
export const imagesConsumer: Consumer = {
  name: 'images',
  handles: (type) => type === 'product.created' || type === 'product.updated',
  async apply(tx, event) {
    const why = whyOf(event);
    if (!why || !event.orgId) return false;
    return markImageProcessing(tx, event.orgId, event.aggregateId, why);
  },
  async after(event, { services }, applied) {
    // `applied` is undefined on a redelivery: queue again (the same job id), the job checks the product's state.
    if (applied === false || !event.orgId || !whyOf(event)) return;
    if (event.type !== 'product.created' && event.type !== 'product.updated') return;
    const { productId, ean } = event.payload;
    await services.queues.queue(queueNames.images).add('image', { productId, orgId: event.orgId, ean }, { jobId: `image-${productId}-${event.id}` });
  },
};
