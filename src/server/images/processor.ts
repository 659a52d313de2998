import type { Logger } from '../logger';
import type { JobContext } from '../domain/context';
import { delayUntil } from '../queues/delay';
import { defineProcessor } from '../queues/processor';
import { queueNames } from '../queues/definitions';
import { processProductImage } from './service';

export class ImageWaitTooLong extends Error {
  override name = 'ImageWaitTooLong';
}

/**
 * The `image-processing` queue's adapter: one product's pipeline per job. A service that is down puts the job back
 * until its breaker lets a call test it again (no attempt spent, never a dead letter for it), up to `maxWaitMs` from
 * the job's creation; after that a job still waiting for OpenAI ends (the product stays in review for a person),
 * and one waiting for Open Food Facts or storage counts its attempts like any failure.
 */
export function imagesProcessor(contextOf: JobContext, logger: Logger, maxWaitMs: number) {
  return defineProcessor(queueNames.images, logger, async (payload, job) => {
    const outcome = await processProductImage(contextOf(job, payload.orgId), payload, (state) => job.updateData({ ...job.data, ...state }));
    if (outcome.kind !== 'wait') return outcome;
    if (Date.now() - job.timestamp > maxWaitMs) {
      if (outcome.service === 'openai') return { kind: 'gave_up', why: outcome.why };
      throw new ImageWaitTooLong(`${outcome.why}; waited longer than ${Math.round(maxWaitMs / 1000)} s`);
    }
    return delayUntil(job, outcome.until.getTime(), outcome.why);
  });
}
