import type { Transaction } from '../db/client';
import type { DomainContext } from '../domain/context';
import { appendEvent } from '../events/outbox';
import { inTransaction } from '../domain/transaction';
import type { ExpectedItem, PhotoFindings } from '../db/schema';
import { isServiceDown } from '../integrations/resilience';
import type { Annotator, ImageAnnotationResult } from '../integrations/vision/annotator';
import { makeThumbnails } from '../images/photo';
import { featureEnabled } from '../flags/flags';
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
  const { verdict, images } = await judgeSubmission(ctx, target!, input, vision);
  const outcome = await inTransaction(ctx, async (tx, emit) => {
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
  if (outcome.kind === 'judged') await thumbnailsLater(ctx, input.orgId, target!.taskId, images);
  return outcome;
}

/** Photos whose thumbnails are being made in this process (~70 MB of tablet photos), past which a check waits for its own. */
const MAX_PHOTOS_IN_MAKING = 150;
let inMaking = 0;

/**
 * The thumbnails after the verdict and beside the job, not in it: the next submissions' checks do not wait behind
 * image work for their slot (in a 600-photo burst that wait was most of a verdict's time). When many are already in
 * the making, the check waits for its own, so a burst never holds more than MAX_PHOTOS_IN_MAKING photos in memory.
 */
async function thumbnailsLater(ctx: DomainContext, orgId: string, taskId: string, images: { id: string; body: Buffer }[]) {
  inMaking += images.length;
  const making = (async () => {
    for (const image of images) await storeThumbnails(ctx, compliancePhotoFiles(orgId, taskId, image.id), image.body, image.id);
  })().finally(() => {
    inMaking -= images.length;
  });
  if (inMaking > MAX_PHOTOS_IN_MAKING) await making;
}

/**
 * The review screen's 512 px and 128 px WebP, made here rather than at upload (the API server stays free for the
 * people using it). A photo sharp cannot decode keeps its original only (the screens fall back to it).
 */
async function storeThumbnails(ctx: DomainContext, files: ReturnType<typeof compliancePhotoFiles>, original: Buffer, photoId: string) {
  try {
    const thumbs = await makeThumbnails(original);
    await Promise.all([ctx.services.storage.put(files.large, thumbs.large, 'image/webp'), ctx.services.storage.put(files.thumb, thumbs.thumb, 'image/webp')]);
  } catch (error) {
    // The verdict is written; the screens show the original meanwhile.
    ctx.logger.warn({ err: error, photoId }, 'compliance photo thumbnails could not be made; the original is shown');
  }
}

/**
 * A check that failed for good (storage down past its attempts, an original missing): the submission goes to a person
 * (`check_failed`) in the transaction that writes the dead letter, so the task never stays `submitted` with nobody
 * able to act on it.
 */
export async function sendToReviewAfterFailure(tx: Transaction, orgId: string, submissionId: string) {
  const task = await lockSubmissionForCheck(tx, orgId, submissionId);
  if (skipReason(task, submissionId)) return;
  await setVerdict(tx, submissionId, { verdict: 'needs_review', reviewReason: 'check_failed', findings: null, expected: null });
  await setTaskState(tx, task!.taskId, { status: 'needs_review' });
  await appendEvent(
    tx,
    { type: 'compliance.reviewRequired', orgId, aggregateId: task!.taskId, payload: { taskId: task!.taskId, storeId: task!.storeId, submissionId, title: task!.title, reason: 'check_failed' } },
    {},
  );
}

function skipReason(target: Awaited<ReturnType<typeof lockSubmissionForCheck>>, submissionId: string): Extract<CheckOutcome, { kind: 'skipped' }>['why'] | null {
  if (!target) return 'not_found';
  if (target.verdict !== 'pending') return 'already_judged';
  if (target.currentSubmissionId !== submissionId || target.taskStatus !== 'submitted') return 'superseded';
  return null;
}

type Judged = { verdict: Verdict; images: { id: string; body: Buffer }[] };

async function judgeSubmission(ctx: DomainContext, task: CheckTarget, input: { orgId: string; submissionId: string }, vision: VisionReader | null): Promise<Judged> {
  let images: Judged['images'] = [];
  const needsPerson = (reviewReason: string, findings: PhotoFindings[] | null = null, expected: ExpectedItem[] | null = null): Judged => ({
    verdict: { verdict: 'needs_review', reviewReason, findings, expected, missing: [] },
    images,
  });
  const photos = await photosOfSubmission(ctx.db, input.orgId, input.submissionId);
  // The upright original (at most 2,048 px): price tags are small text; storage down throws and the job retries.
  images = await Promise.all(
    photos.map(async (p) => {
      const object = await ctx.services.storage.get(compliancePhotoFiles(input.orgId, task.taskId, p.id).original);
      if (!object) throw new Error(`compliance photo ${p.id} is missing from storage`);
      return { id: p.id, body: object.body };
    }),
  );
  if (!vision) return needsPerson('vision_off');
  if (!(await featureEnabled(ctx.services, input.orgId, 'complianceAutoVerdicts', task.storeId))) return needsPerson('auto_check_off');
  let readings: ImageAnnotationResult[];
  try {
    readings = await vision.annotateMany(images.map((i) => i.body));
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
  return { verdict: { verdict: judged.allFound ? 'passed' : 'failed', reviewReason: null, findings, expected: judged.expected, missing: judged.missing }, images };
}
