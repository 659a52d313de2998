import type { Consumer } from '../events/consumer';
import { queueNames } from '../queues/definitions';

/**
 * A submitted task gets its automatic check: one job per submission (the job id is the submission's, so a
 * redelivered event queues nothing new).
 */
export const complianceConsumer: Consumer = {
  name: 'compliance',
  handles: (type) => type === 'compliance.submitted',
  async after(event, { services }) {
    if (event.type !== 'compliance.submitted' || !event.orgId) return;
    const { submissionId } = event.payload;
    await services.queues.queue(queueNames.complianceChecks).add('check', { submissionId, orgId: event.orgId }, { jobId: `compliance-${submissionId}` });
  },
};
