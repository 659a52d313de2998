import type { JobContext } from '../domain/context';
import type { Logger } from '../logger';
import { defineProcessor } from '../queues/processor';
import { queueNames } from '../queues/definitions';
import { checkSubmission, type VisionReader } from './check';

/** The `compliance-checks` queue's adapter: one submission's automatic check per job. */
export function complianceProcessor(contextOf: JobContext, logger: Logger, vision: VisionReader | null) {
  return defineProcessor(queueNames.complianceChecks, logger, (payload, job) => checkSubmission(contextOf(job, payload.orgId), payload, vision));
}
