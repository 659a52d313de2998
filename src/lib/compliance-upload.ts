/**
 * A compliance photo upload as `compliance.uploadPhoto` takes it: multipart/form-data with the photo's bytes as
 * they are. One place builds it, for the tablet's outbox, scripts and tests.
 */
export function photoUploadForm(input: { taskId: string; photoId: string; photo: Blob; takenAt?: Date | null }): FormData {
  const form = new FormData();
  form.set('taskId', input.taskId);
  form.set('photoId', input.photoId);
  if (input.takenAt) form.set('takenAt', input.takenAt.toISOString());
  form.set('photo', input.photo, 'photo');
  return form;
}
