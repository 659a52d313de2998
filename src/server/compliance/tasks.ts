import { writeAudit } from '../audit/audit';
import type { Executor } from '../db/client';
import type { SignedInContext } from '../domain/context';
import { isManager } from '../domain/principal';
import { inTransaction } from '../domain/transaction';
import { AppError, notFound } from '../errors';
import { deletePhoto, photoKeys } from '../images/keys';
import { PhotoRejected, sanitizePhoto, type SanitizedPhoto } from '../images/photo';
import { isServiceDown } from '../integrations/resilience';
import type { ObjectStore } from '../storage/store';
import { compliancePhotoKey } from './keys';
import {
  attachPhotos,
  clerksOfStore,
  deleteWaitingPhoto,
  findPhoto,
  findSubmission,
  findTask,
  insertPhoto,
  insertSubmission,
  lockPhotoUpload,
  photosOfTasks,
  setReview,
  setTaskState,
  submissionsOfTasks,
  tasksOfStores,
  TASK_LIST_LIMIT,
  tasksToReview,
  type TaskRow,
} from './queries';

/** Photos a task may hold before it is sent (retakes included): beyond it, the clerk removes some first. */
export const MAX_PHOTOS_WAITING = 12;

/** The stores whose tasks the caller sees: a clerk's own, every store for managers and admins (null). */
const storeScope = (ctx: SignedInContext) => (isManager(ctx.principal) ? null : ctx.principal.storeIds);

/** A task the caller may see, or NOT_FOUND (never a hint that it exists in another store or org). */
async function visibleTask(ctx: SignedInContext, taskId: string, opts: { tx?: Executor; lock?: boolean } = {}): Promise<TaskRow> {
  const task = await findTask(opts.tx ?? ctx.db, ctx.principal.orgId, taskId, opts.lock);
  const scope = storeScope(ctx);
  if (!task || (scope && !scope.includes(task.storeId))) throw notFound('compliance_task');
  return task;
}

const notOpen = (task: Pick<TaskRow, 'status'>, action: string) =>
  new AppError('PRECONDITION_FAILED', 'task_not_open', `Cannot ${action}: this task is ${task.status}`, { status: task.status });

/** The tasks of the caller's stores (or of `storeId`), each with its photos waiting and its latest submission. */
export async function storeTasks(ctx: SignedInContext, input: { storeId?: string | null }) {
  const scope = storeScope(ctx);
  if (input.storeId && scope && !scope.includes(input.storeId)) throw notFound('store');
  const rows = await tasksOfStores(ctx.db, ctx.principal.orgId, input.storeId ? [input.storeId] : scope, TASK_LIST_LIMIT + 1);
  // A chain's list over the limit says so (the screen asks to pick a store) instead of silently ending.
  return { ...(await withDetails(ctx, rows.slice(0, TASK_LIST_LIMIT))), truncated: rows.length > TASK_LIST_LIMIT, limit: TASK_LIST_LIMIT };
}

async function withDetails(ctx: SignedInContext, rows: TaskRow[]) {
  const ids = rows.map((r) => r.id);
  const [photos, submissions] = await Promise.all([photosOfTasks(ctx.db, ctx.principal.orgId, ids), submissionsOfTasks(ctx.db, ctx.principal.orgId, ids)]);
  return {
    visionEnabled: ctx.services.annotator !== null,
    now: new Date().toISOString(),
    tasks: rows.map((task) => ({
      ...task,
      photos: photos.filter((p) => p.taskId === task.id && (p.submissionId === null || p.submissionId === task.submissionId)),
      submission: submissions.find((s) => s.id === task.submissionId) ?? null,
    })),
  };
}

/** One task with every submission (newest first) and all its photos: the review screen and the history. */
export async function taskDetail(ctx: SignedInContext, taskId: string) {
  const task = await visibleTask(ctx, taskId);
  const [photos, submissions] = await Promise.all([photosOfTasks(ctx.db, ctx.principal.orgId, [taskId]), submissionsOfTasks(ctx.db, ctx.principal.orgId, [taskId])]);
  return { task, photos, submissions, visionEnabled: ctx.services.annotator !== null };
}

/** What managers decide on: failures and tasks Vision could not judge, oldest first. */
export async function reviewQueue(ctx: SignedInContext) {
  return withDetails(ctx, await tasksToReview(ctx.db, ctx.principal.orgId));
}

/** The original only: its thumbnails are made by the check's job (check.ts), off the API server's CPU. */
async function storeOriginal(storage: ObjectStore, key: string, photo: SanitizedPhoto) {
  try {
    await storage.put(photoKeys(key).original, photo.original.body, photo.original.contentType);
  } catch (error) {
    if (isServiceDown(error)) {
      throw new AppError('UNAVAILABLE', 'storage_unavailable', 'Photo storage is unavailable; the photo was not saved. Try again in a minute', { retryAfterSeconds: 30 });
    }
    throw error;
  }
}

/**
 * A photo for an open task of the caller's store. `photoId` is made by the tablet when the photo is taken: a
 * retried upload finds it stored and changes nothing. The content is checked (not the header: a text file named
 * `.jpg` is refused), the pixel count capped before decoding, orientation applied and every piece of metadata
 * (the tablet's location) dropped (images/photo.ts sanitizePhoto); the original stored, then the row written. The
 * thumbnails follow with the automatic check.
 */
export async function uploadPhoto(ctx: SignedInContext, input: { taskId: string; photoId: string; photo: Buffer; takenAt?: Date | null }) {
  const orgId = ctx.principal.orgId;
  const task = await visibleTask(ctx, input.taskId);
  const existing = await findPhoto(ctx.db, orgId, input.photoId);
  if (existing) {
    if (existing.taskId !== input.taskId) throw new AppError('CONFLICT', 'photo_id_taken', 'This photo id belongs to another task; take the photo again');
    return { photoId: existing.id, width: existing.width, height: existing.height, stored: false };
  }
  if (task.status !== 'open') throw notOpen(task, 'add a photo');
  let photo;
  try {
    photo = await sanitizePhoto(input.photo, { maxPixels: ctx.services.env.IMAGE_MAX_PIXELS });
  } catch (error) {
    if (error instanceof PhotoRejected) throw new AppError('INVALID', error.reason, error.message, { field: 'photo' });
    throw error;
  }
  const key = compliancePhotoKey(orgId, input.taskId, input.photoId);
  // One attempt at a time per photo id, from storing the file to its row: a retry racing a failing attempt never
  // has its file deleted by that attempt's cleanup (the cleanup runs under the same lock, before it is released).
  const stored = await inTransaction(ctx, async (tx) => {
    await lockPhotoUpload(tx, input.photoId);
    const meanwhile = await findPhoto(tx, orgId, input.photoId);
    if (meanwhile) {
      if (meanwhile.taskId !== input.taskId) throw new AppError('CONFLICT', 'photo_id_taken', 'This photo id belongs to another task; take the photo again');
      return false;
    }
    await storeOriginal(ctx.services.storage, key, photo);
    try {
      const locked = await visibleTask(ctx, input.taskId, { tx, lock: true });
      if (locked.status !== 'open') throw notOpen(locked, 'add a photo');
      const waiting = (await photosOfTasks(tx, orgId, [input.taskId])).filter((p) => p.submissionId === null).length;
      if (waiting >= MAX_PHOTOS_WAITING) {
        throw new AppError('PRECONDITION_FAILED', 'too_many_photos', `A task holds at most ${MAX_PHOTOS_WAITING} photos before it is sent; remove some first`, { max: MAX_PHOTOS_WAITING });
      }
      await insertPhoto(tx, {
        id: input.photoId,
        orgId,
        taskId: input.taskId,
        uploadedBy: ctx.principal.userId,
        width: photo.width,
        height: photo.height,
        bytes: photo.original.body.length,
        contentType: photo.original.contentType,
        takenAt: input.takenAt ?? null,
      });
    } catch (error) {
      // Nothing stored half: the file of a photo whose row was refused goes (a commit that fails after this point
      // leaves a file without a row, never a row without its file).
      await deletePhoto(ctx.services.storage, key, ctx.logger);
      throw error;
    }
    return true;
  });
  if (!stored) {
    // A retry of this upload stored it meanwhile: the same photo, already there.
    const row = await findPhoto(ctx.db, orgId, input.photoId);
    return { photoId: input.photoId, width: row?.width ?? photo.width, height: row?.height ?? photo.height, stored: false };
  }
  return { photoId: input.photoId, width: photo.width, height: photo.height, stored: true };
}

/** Removes a photo not yet sent (a retake). Removing one already gone changes nothing. */
export async function removePhoto(ctx: SignedInContext, input: { taskId: string; photoId: string }) {
  const orgId = ctx.principal.orgId;
  const removed = await inTransaction(ctx, async (tx) => {
    const task = await visibleTask(ctx, input.taskId, { tx, lock: true });
    const photo = await findPhoto(tx, orgId, input.photoId);
    if (!photo || photo.taskId !== task.id) return false;
    if (photo.submissionId !== null) throw new AppError('PRECONDITION_FAILED', 'photo_submitted', 'This photo was already sent with the task and cannot be removed');
    await deleteWaitingPhoto(tx, orgId, input.photoId);
    return true;
  });
  if (removed) await deletePhoto(ctx.services.storage, compliancePhotoKey(orgId, input.taskId, input.photoId), ctx.logger);
  return { photoId: input.photoId, removed };
}

/**
 * Sends the task: its photos (all uploaded first), the checklist all ticked. `submissionId` is made by the tablet:
 * the same submission again answers as the first did. A task already sent, judged or cancelled refuses a new one.
 */
export async function submitTask(ctx: SignedInContext, input: { taskId: string; submissionId: string; photoIds: string[]; checklist: boolean[]; note: string | null }) {
  const orgId = ctx.principal.orgId;
  return inTransaction(ctx, async (tx, emit) => {
    const task = await visibleTask(ctx, input.taskId, { tx, lock: true });
    const already = await findSubmission(tx, orgId, input.submissionId);
    if (already) {
      if (already.taskId !== task.id) throw new AppError('CONFLICT', 'submission_id_taken', 'This submission id belongs to another task; send the task again');
      return { taskId: task.id, submissionId: already.id, status: task.status };
    }
    if (task.status !== 'open') throw notOpen(task, 'send the task');
    const photoIds = [...new Set(input.photoIds)];
    if (photoIds.length < task.photoCount) {
      throw new AppError('INVALID', 'photos_required', `This task needs ${task.photoCount} photo(s); ${photoIds.length} sent`, { required: task.photoCount, sent: photoIds.length, field: 'photoIds' });
    }
    if (input.checklist.length !== task.checklist.length || input.checklist.some((ticked) => !ticked)) {
      throw new AppError('INVALID', 'checklist_incomplete', 'Tick every item of the checklist before sending', { items: task.checklist.length, field: 'checklist' });
    }
    if (!(await insertSubmission(tx, { id: input.submissionId, orgId, taskId: task.id, submittedBy: ctx.principal.userId, checklist: input.checklist, note: input.note }))) {
      throw new AppError('CONFLICT', 'submission_id_taken', 'This submission id is already used; send the task again');
    }
    const attached = await attachPhotos(tx, orgId, task.id, input.submissionId, photoIds);
    if (attached !== photoIds.length) {
      // Rolled back with the transaction: the submission and the attachments go, the photos stay waiting.
      throw new AppError('PRECONDITION_FAILED', 'photos_missing', 'Some photos have not reached the server yet (or were sent before); send them first', { missing: photoIds.length - attached });
    }
    await setTaskState(tx, task.id, { status: 'submitted', submissionId: input.submissionId, submittedAt: new Date() });
    await emit([{ type: 'compliance.submitted', orgId, aggregateId: task.id, payload: { taskId: task.id, storeId: task.storeId, submissionId: input.submissionId, photos: photoIds.length } }]);
    return { taskId: task.id, submissionId: input.submissionId, status: 'submitted' as const };
  });
}

/**
 * A manager's decision on a task waiting for one (failed by Vision, or not judged). Approve: passed. Reject (with
 * a comment): the task goes back to the store, its clerks told. The same decision again changes nothing.
 */
export async function reviewTask(ctx: SignedInContext, input: { taskId: string; submissionId: string; decision: 'approved' | 'rejected'; comment: string | null }) {
  const orgId = ctx.principal.orgId;
  const comment = input.comment?.trim() || null;
  if (input.decision === 'rejected' && !comment) throw new AppError('INVALID', 'comment_required', 'Say what the store must fix: a rejection needs a comment', { field: 'comment' });
  return inTransaction(ctx, async (tx, emit) => {
    const task = await visibleTask(ctx, input.taskId, { tx, lock: true });
    const submission = await findSubmission(tx, orgId, input.submissionId);
    if (!submission || submission.taskId !== task.id) throw notFound('compliance_task');
    if (submission.reviewDecision === input.decision) return { taskId: task.id, status: task.status };
    if (task.submissionId !== submission.id || (task.status !== 'needs_review' && task.status !== 'failed')) {
      throw new AppError('CONFLICT', 'task_not_in_review', 'This task is no longer waiting for a decision (someone decided, or the store sent it again); reload it', { status: task.status });
    }
    await setReview(tx, submission.id, { reviewDecision: input.decision, reviewComment: comment, reviewedBy: ctx.principal.userId });
    const onTime = task.submittedAt !== null && task.submittedAt <= task.dueAt;
    const base = { taskId: task.id, storeId: task.storeId, submissionId: submission.id, title: task.title };
    if (input.decision === 'approved') {
      await setTaskState(tx, task.id, { status: 'passed', completedAt: new Date() });
      await emit([{ type: 'compliance.completed', orgId, aggregateId: task.id, payload: { ...base, verdict: 'passed', by: 'review', onTime, missing: [] } }]);
    } else {
      await setTaskState(tx, task.id, { status: 'open', completedAt: new Date(), returnedComment: comment, returnedAt: new Date() });
      const clerkIds = await clerksOfStore(tx, orgId, task.storeId);
      await emit([
        { type: 'compliance.completed', orgId, aggregateId: task.id, payload: { ...base, verdict: 'failed', by: 'review', onTime, missing: [comment!] } },
        { type: 'compliance.returned', orgId, aggregateId: task.id, payload: { ...base, comment: comment!, clerkIds } },
      ]);
    }
    await writeAudit(tx, ctx.actor, {
      action: `compliance_task.${input.decision}`,
      entityType: 'compliance_task',
      entityId: task.id,
      before: { status: task.status, verdict: submission.verdict },
      after: { decision: input.decision, comment },
    });
    return { taskId: task.id, status: input.decision === 'approved' ? ('passed' as const) : ('open' as const) };
  });
}

/** A manager withdraws a task nobody has to do any more (the promotion ended early). */
export async function cancelTask(ctx: SignedInContext, input: { taskId: string }) {
  const orgId = ctx.principal.orgId;
  return inTransaction(ctx, async (tx, emit) => {
    const task = await visibleTask(ctx, input.taskId, { tx, lock: true });
    if (task.status === 'cancelled') return { taskId: task.id, status: task.status };
    if (task.status !== 'open') throw notOpen(task, 'cancel the task');
    await setTaskState(tx, task.id, { status: 'cancelled' });
    await writeAudit(tx, ctx.actor, { action: 'compliance_task.cancelled', entityType: 'compliance_task', entityId: task.id, before: { status: task.status } });
    await emit([{ type: 'compliance.tasksChanged', orgId, aggregateId: task.templateId, payload: { templateId: task.templateId, storeIds: [task.storeId], created: 0, cancelled: 1 } }]);
    return { taskId: task.id, status: 'cancelled' as const };
  });
}
