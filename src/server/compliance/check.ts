import type { DomainContext } from '../domain/context';
import { inTransaction } from '../domain/transaction';
import type { ExpectedItem, PhotoFindings } from '../db/schema';
import { isServiceDown } from '../integrations/resilience';
import type { Annotator, ImageAnnotationResult } from '../integrations/vision/annotator';
import { judge } from './matching';
import { lockSubmissionForCheck, photosOfSubmission, setTaskState, setVerdict, type CheckTarget } from './queries';
import { compliancePhotoFiles } from './keys';

/** Google Vision, as the check uses it (src/server/integrations/vision/annotator.ts). */
export type VisionReader = Pick<Annotator, 'annotateMany'>;

export type CheckOutcome =
  | { kind: 'judged'; verdict: 'passed' | 'failed' | 'needs_review'; reason: string | null }
  | { kind: 'skipped'; why: 'not_found' | 'already_judged' | 'superseded' };

type Verdict = { verdict: 'passed' | 'failed' | 'needs_review'; reviewReason: string | null; findings: PhotoFindings[] | null; expected: ExpectedItem[] | null; missing: string[] };

/**
 * The automatic check of one submission (the `compliance-checks` queue's job): its photos to Google Vision
 * (labels and text, through the Vision integration's breaker), the task's rules applied, the verdict written with
 * its event. Vision off, down or refusing: `needs_review` at once (the seed's fallback: a person decides, the job
 * never waits on Vision nor dead-letters for it). Storage down: thrown, the job retries (the photos are needed).
 * Idempotent: a submission already judged, or no longer the task's, is left alone.
 */
export async function checkSubmission(ctx: DomainContext, input: { orgId: string; submissionId: string }, vision: VisionReader | null): Promise<CheckOutcome> {
  const target = await lockSubmissionForCheck(ctx.db, input.orgId, input.submissionId);
  const skip = skipReason(target, input.submissionId);
  if (skip) return { kind: 'skipped', why: skip };
  const verdict = await judgeSubmission(ctx, target!, input, vision);
  return inTransaction(ctx, async (tx, emit) => {
    const locked = await lockSubmissionForCheck(tx, input.orgId, input.submissionId);
    const late = skipReason(locked, input.submissionId);
    if (late) return { kind: 'skipped' as const, why: late };
    const task = locked!;
    await setVerdict(tx, input.submissionId, { verdict: verdict.verdict, reviewReason: verdict.reviewReason, findings: verdict.findings, expected: verdict.expected });
    const base = { taskId: task.taskId, storeId: task.storeId, submissionId: input.submissionId, title: task.title };
    if (verdict.verdict === 'needs_review') {
      await setTaskState(tx, task.taskId, { status: 'needs_review' });
      await emit([{ type: 'compliance.reviewRequired', orgId: input.orgId, aggregateId: task.taskId, payload: { ...base, reason: verdict.reviewReason! } }]);
    } else {
      await setTaskState(tx, task.taskId, { status: verdict.verdict, completedAt: new Date() });
      const onTime = task.submittedAt !== null && task.submittedAt <= task.dueAt;
      await emit([{ type: 'compliance.completed', orgId: input.orgId, aggregateId: task.taskId, payload: { ...base, verdict: verdict.verdict, by: 'vision', onTime, missing: verdict.missing } }]);
    }
    return { kind: 'judged' as const, verdict: verdict.verdict, reason: verdict.reviewReason };
  });
}

function skipReason(target: Awaited<ReturnType<typeof lockSubmissionForCheck>>, submissionId: string): Extract<CheckOutcome, { kind: 'skipped' }>['why'] | null {
  if (!target) return 'not_found';
  if (target.verdict !== 'pending') return 'already_judged';
  if (target.currentSubmissionId !== submissionId || target.taskStatus !== 'submitted') return 'superseded';
  return null;
}

async function judgeSubmission(ctx: DomainContext, task: CheckTarget, input: { orgId: string; submissionId: string }, vision: VisionReader | null): Promise<Verdict> {
  const needsPerson = (reviewReason: string, findings: PhotoFindings[] | null = null, expected: ExpectedItem[] | null = null): Verdict => ({
    verdict: 'needs_review',
    reviewReason,
    findings,
    expected,
    missing: [],
  });
  if (!vision) return needsPerson('vision_off');
  const photos = await photosOfSubmission(ctx.db, input.orgId, input.submissionId);
  // The upright original (at most 2,048 px): price tags are small text; storage down throws and the job retries.
  const images = await Promise.all(
    photos.map(async (p) => {
      const object = await ctx.services.storage.get(compliancePhotoFiles(input.orgId, task.taskId, p.id).original);
      if (!object) throw new Error(`compliance photo ${p.id} is missing from storage`);
      return object.body;
    }),
  );
  let readings: ImageAnnotationResult[];
  try {
    readings = await vision.annotateMany(images);
  } catch (error) {
    ctx.logger.warn({ err: error, submissionId: input.submissionId, down: isServiceDown(error) }, 'Google Vision could not check a compliance submission; a person will');
    return needsPerson('vision_unavailable');
  }
  const unread = readings.find((r) => !r.ok);
  if (unread && !unread.ok) ctx.logger.warn({ err: unread.error, submissionId: input.submissionId }, 'Google Vision refused a compliance photo; a person will judge it');
  const findings: PhotoFindings[] = photos.map((p, i) => {
    const reading = readings[i];
    return { photoId: p.id, labels: reading?.ok ? reading.annotation.labels : [], text: reading?.ok ? reading.annotation.text : '' };
  });
  const judged = judge(task.rules, findings);
  if (unread) return needsPerson('vision_unreadable', findings, judged.expected);
  if (task.rules.alwaysReview) return needsPerson('review_required', findings, judged.expected);
  return { verdict: judged.allFound ? 'passed' : 'failed', reviewReason: null, findings, expected: judged.expected, missing: judged.missing };
}
