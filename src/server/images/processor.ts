import type { Logger } from '../logger';
import type { JobContext } from '../domain/context';
import { defineProcessor } from '../queues/processor';
import { queueNames } from '../queues/definitions';
import { processProductImage } from './service';

/** The `image-processing` queue's adapter: one product's pipeline step per job. */
export function imagesProcessor(contextOf: JobContext, logger: Logger) {
  return defineProcessor(queueNames.images, logger, (payload, job) => processProductImage(contextOf(job, payload.orgId), payload));
}
