import type { JobContext } from '../domain/context';
import type { Logger } from '../logger';
import { defineProcessor } from '../queues/processor';
import { queueNames } from '../queues/definitions';
import { isUuid } from '~/lib/uuid';
import { checkSubmission, sendToReviewAfterFailure, type VisionReader } from './check';

/** The `compliance-checks` queue's adapter: one submission's automatic check per job; one that fails for good goes to a person. */
export function complianceProcessor(contextOf: JobContext, logger: Logger, vision: VisionReader | null) {
  return defineProcessor(queueNames.complianceChecks, logger, (payload, job) => checkSubmission(contextOf(job, payload.orgId), payload, vision), {
    deadLettered: async (tx, job) => {
      const { orgId, submissionId } = (job.data ?? {}) as { orgId?: unknown; submissionId?: unknown };
      if (isUuid(orgId) && isUuid(submissionId)) await sendToReviewAfterFailure(tx, orgId, submissionId);
    },
  });
}
