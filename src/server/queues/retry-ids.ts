/** A job from the admin's retry carries the dead letter it came from: `dlq:<deadLetterId>:<n>`. */
export const retriedJobId = (deadLetterId: string, attempt: number) => `dlq:${deadLetterId}:${attempt}`;
/** The dead letter a retried job came from (undefined: not a retry). */
export const deadLetterOf = (jobId: string | undefined) => /^dlq:([0-9a-f-]{36}):\d+$/.exec(jobId ?? '')?.[1];
/** Whether a job is an admin's retry of a dead letter. */
export const isDeadLetterRetry = (jobId: string | undefined) => deadLetterOf(jobId) !== undefined;
