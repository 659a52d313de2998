/**
 * Compliance photos on the tablet: each photo is reduced and written to IndexedDB before anything else, then
 * uploaded when there is a connection; a sent task waits here until its photos are all on the server. The ids are
 * made here (photo and submission), so a retried upload or submit is stored once by the server. A reload, a
 * dropped connection or a closed tab loses nothing: everything resumes from IndexedDB.
 */
import { photoUploadForm } from '~/lib/compliance-upload';
import { describeError, errorCode, isNetworkError, retryAfterSeconds } from '~/lib/trpc/errors';
import { isQuotaError, OfflineStorageFullError, type CompliancePhoto, type ComplianceSubmission, type OfflineDatabase } from './db';

/** The longest side a photo keeps (a price tag stays readable; a photo weighs ~300 KB instead of 4 MB). */
export const PHOTO_MAX_SIDE = 1600;
const JPEG_QUALITY = 0.85;

/** Reduces a camera photo in the browser: upright (EXIF orientation applied), at most PHOTO_MAX_SIDE, JPEG. */
export async function reducePhoto(file: Blob, maxSide = PHOTO_MAX_SIDE): Promise<{ blob: Blob; width: number; height: number }> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('Este navegador não consegue reduzir fotos (sem canvas 2D).');
    context.drawImage(bitmap, 0, 0, width, height);
    return { blob: await canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY }), width, height };
  } finally {
    bitmap.close();
  }
}

/** Keeps a photo for a task: stored before the clerk is told it was taken. */
export async function keepPhoto(db: OfflineDatabase, photo: Omit<CompliancePhoto, 'id' | 'status' | 'takenAt'> & { takenAt?: Date }): Promise<CompliancePhoto> {
  const row: CompliancePhoto = { ...photo, id: crypto.randomUUID(), takenAt: photo.takenAt ?? new Date(), status: 'pending' };
  try {
    await db.compliancePhotos.add(row);
  } catch (error) {
    if (isQuotaError(error)) throw new OfflineStorageFullError(error);
    throw error;
  }
  return row;
}

/** Forgets a photo not sent with a task (a retake); the server's copy, if it has one, is removed by the caller. */
export const forgetPhoto = (db: OfflineDatabase, photoId: string) => db.compliancePhotos.delete(photoId);

/** Forgets a sending the server refused (its task was cancelled or sent from another tablet): the clerk read why. */
export const forgetSubmission = (db: OfflineDatabase, submissionId: string) => db.complianceSubmissions.delete(submissionId);

export const photosOfTask = (db: OfflineDatabase, taskId: string) => db.compliancePhotos.where('taskId').equals(taskId).sortBy('takenAt');

/** Queues the task's sending: it goes once every photo in it is on the server. */
export async function queueSubmission(db: OfflineDatabase, submission: Omit<ComplianceSubmission, 'id' | 'status' | 'createdAt'>): Promise<ComplianceSubmission> {
  const row: ComplianceSubmission = { ...submission, id: crypto.randomUUID(), createdAt: new Date(), status: 'pending' };
  await db.complianceSubmissions.add(row);
  return row;
}

export const submissionsOfTask = (db: OfflineDatabase, taskId: string) => db.complianceSubmissions.where('taskId').equals(taskId).toArray();

/** What waits on this tablet for the user: photos not uploaded, tasks not sent, and what the server refused. */
export async function waitingWork(db: OfflineDatabase, userId: string) {
  const [photos, submissions] = await Promise.all([db.compliancePhotos.toArray(), db.complianceSubmissions.toArray()]);
  const mine = <T extends { userId: string }>(rows: T[]) => rows.filter((r) => r.userId === userId);
  return {
    photos: mine(photos).filter((p) => p.status === 'pending').length,
    submissions: mine(submissions).filter((s) => s.status === 'pending').length,
    refused: [...mine(photos), ...mine(submissions)].filter((r) => r.status === 'rejected'),
  };
}

export type ComplianceApi = {
  /** `compliance.uploadPhoto` with photoUploadForm (src/lib/compliance-upload.ts). */
  upload(form: FormData): Promise<unknown>;
  submit(input: { taskId: string; submissionId: string; photoIds: string[]; checklist: boolean[]; note: string | null }): Promise<unknown>;
};

export type ComplianceSyncOutcome = {
  uploaded: number;
  submitted: number;
  refused: number;
  stopped: null | 'offline' | 'login_needed' | 'server_busy';
  /** The server's Retry-After when it was busy: when to try again. */
  retryAfterMs?: number;
};

/** A refusal the same request would meet again (the photo or the task is wrong): kept aside with its message. */
const refusedForGood = (error: unknown) => {
  const code = errorCode(error as never);
  return code === 'BAD_REQUEST' || code === 'NOT_FOUND' || code === 'FORBIDDEN' || code === 'CONFLICT' || code === 'PRECONDITION_FAILED' || code === 'PAYLOAD_TOO_LARGE';
};

/** Why the loop stops for now (network, session, a busy or failing server): everything stays to try again. */
function stopReason(error: unknown): ComplianceSyncOutcome['stopped'] {
  if (errorCode(error as never) === 'UNAUTHORIZED') return 'login_needed';
  return isNetworkError(error as never) ? 'offline' : 'server_busy';
}

let running: Promise<ComplianceSyncOutcome> | null = null;

/**
 * Uploads the user's waiting photos (oldest first, one at a time: a tablet's uplink is narrow), then sends the
 * tasks whose photos are all up. One run at a time per tab; a run that meets no connection stops and leaves
 * everything for the next.
 */
export function syncCompliance(db: OfflineDatabase, userId: string, api: ComplianceApi): Promise<ComplianceSyncOutcome> {
  running ??= runSync(db, userId, api).finally(() => {
    running = null;
  });
  return running;
}

async function runSync(db: OfflineDatabase, userId: string, api: ComplianceApi): Promise<ComplianceSyncOutcome> {
  const outcome: ComplianceSyncOutcome = { uploaded: 0, submitted: 0, refused: 0, stopped: null };
  const photos = (await db.compliancePhotos.where('status').equals('pending').sortBy('takenAt')).filter((p) => p.userId === userId);
  for (const photo of photos) {
    try {
      await api.upload(photoUploadForm({ taskId: photo.taskId, photoId: photo.id, photo: photo.blob, takenAt: photo.takenAt }));
      await db.compliancePhotos.update(photo.id, { status: 'uploaded', message: undefined });
      outcome.uploaded++;
    } catch (error) {
      // A server error on this photo alone: the others go on, this one is tried again next round.
      if (errorCode(error as never) === 'INTERNAL_SERVER_ERROR') continue;
      if (!refusedForGood(error)) return { ...outcome, stopped: stopReason(error), retryAfterMs: (retryAfterSeconds(error as never) ?? 15) * 1000 };
      await db.compliancePhotos.update(photo.id, { status: 'rejected', message: describeError(error as never) });
      outcome.refused++;
    }
  }
  const submissions = (await db.complianceSubmissions.where('status').equals('pending').sortBy('createdAt')).filter((s) => s.userId === userId);
  for (const submission of submissions) {
    const own = await db.compliancePhotos.bulkGet(submission.photoIds);
    // A photo of it was refused: the sending cannot go as it is; the clerk removes that photo, takes another, sends again.
    if (own.some((p) => p?.status === 'rejected')) {
      await db.complianceSubmissions.update(submission.id, { status: 'rejected', message: 'Uma foto desta tarefa foi recusada: remova-a, tire outra e envie a tarefa de novo.' });
      outcome.refused++;
      continue;
    }
    // A photo still waiting (or refused): the task is not sent yet. A photo gone from this tablet was uploaded and
    // cleared after an earlier send that did not hear back: the server has it.
    if (own.some((p) => p && p.status !== 'uploaded')) continue;
    try {
      await api.submit({ taskId: submission.taskId, submissionId: submission.id, photoIds: submission.photoIds, checklist: submission.checklist, note: submission.note });
      await db.transaction('rw', db.complianceSubmissions, db.compliancePhotos, async () => {
        await db.complianceSubmissions.update(submission.id, { status: 'sent', message: undefined });
        // The server has the photos and the task: the tablet's copies go (space on a tablet is short).
        await db.compliancePhotos.bulkDelete(submission.photoIds);
      });
      outcome.submitted++;
    } catch (error) {
      if (!refusedForGood(error)) return { ...outcome, stopped: stopReason(error) };
      await db.complianceSubmissions.update(submission.id, { status: 'rejected', message: describeError(error as never) });
      outcome.refused++;
    }
  }
  // Sent tasks are kept a day (the screen shows "enviada"), then forgotten.
  const dayAgo = new Date(Date.now() - 86_400_000);
  await db.complianceSubmissions.filter((s) => s.status === 'sent' && s.createdAt < dayAgo).delete();
  return outcome;
}
