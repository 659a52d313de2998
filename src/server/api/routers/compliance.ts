import { z } from 'zod';
import { cancelTask, removePhoto, reviewQueue, reviewTask, storeTasks, submitTask, taskDetail, uploadPhoto } from '../../compliance/tasks';
import { createTemplate, editTemplate, templates } from '../../compliance/templates';
import { createTRPCRouter, roleProcedure } from '../trpc';
import { date, id, optionalText, text } from '../validators';

/** Clerks do the tasks of their stores; managers and admins see every store's, keep the templates and review. */
const storeProcedure = roleProcedure('clerk', 'manager', 'admin');
const managerProcedure = roleProcedure('manager', 'admin');

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/**
 * A photo as the tablet sends it: `multipart/form-data` with the photo's bytes as they are (no base64, no JSON to
 * parse: an opening burst of hundreds of photos costs the API server little) and its ids as fields.
 */
const photoUpload = z
  .instanceof(FormData, { message: 'send the photo as multipart/form-data (fields taskId, photoId, takenAt, photo)' })
  .transform((form): Record<string, unknown> => ({ taskId: form.get('taskId'), photoId: form.get('photoId'), takenAt: form.get('takenAt') || null, photo: form.get('photo') }))
  .pipe(
    z.strictObject({
      taskId: id,
      photoId: id,
      takenAt: z.string().pipe(z.coerce.date()).pipe(date).nullable(),
      photo: z
        .instanceof(Blob, { message: 'must be the photo file' })
        .refine((file) => file.size > 0, 'the photo is empty')
        .refine((file) => file.size <= MAX_PHOTO_BYTES, 'the photo is larger than 10 MB'),
    }),
  );

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)');
const shortList = (max: number, itemMax: number) => z.array(text(itemMax)).max(max, `at most ${max} items`);

const templateFields = {
  title: text(120),
  instructions: optionalText(2000).transform((v) => v || null),
  checklist: shortList(20, 200),
  photoCount: z.number().int().min(1).max(6),
  /** What a photo must show, as Vision names it (English) or in Portuguese for the common ones. */
  expectedLabels: shortList(10, 60),
  /** Texts a photo must show (a price such as `R$ 9,99`, a brand, a product name). */
  expectedTexts: shortList(10, 120),
  alwaysReview: z.boolean(),
  schedule: z.enum(['once', 'daily', 'weekly']),
  onceOn: day.nullable(),
  weekdays: z.array(z.number().int().min(0).max(6)).max(7),
  dueTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day (HH:MM)'),
  storeIds: z.array(id).min(1, 'choose at least one store').max(1000),
};

export const complianceRouter = createTRPCRouter({
  /** The tasks of the caller's stores (or one store): open and overdue ones, and what was done in the last week. */
  tasks: storeProcedure.input(z.strictObject({ storeId: id.nullish() })).query(({ ctx, input }) => storeTasks(ctx.domain, input)),

  /** One task with all its submissions and photos. */
  task: storeProcedure.input(z.strictObject({ taskId: id })).query(({ ctx, input }) => taskDetail(ctx.domain, input.taskId)),

  /** A photo for an open task, as FormData (`photoId` made by the tablet: a retried upload is stored once). */
  uploadPhoto: storeProcedure
    .input(photoUpload)
    .mutation(async ({ ctx, input }) => uploadPhoto(ctx.domain, { ...input, photo: Buffer.from(await input.photo.arrayBuffer()) })),

  /** Removes a photo not yet sent (a retake). Idempotent. */
  removePhoto: storeProcedure.input(z.strictObject({ taskId: id, photoId: id })).mutation(({ ctx, input }) => removePhoto(ctx.domain, input)),

  /** Sends the task: the uploaded photos and the ticked checklist (`submissionId` made by the tablet: idempotent). */
  submit: storeProcedure
    .input(
      z.strictObject({
        taskId: id,
        submissionId: id,
        photoIds: z.array(id).min(1).max(12),
        checklist: z.array(z.boolean()).max(20),
        note: optionalText(1000).transform((v) => v || null),
      }),
    )
    .mutation(({ ctx, input }) => submitTask(ctx.domain, input)),

  /** Tasks waiting for a manager: failed by Vision, or not judged automatically. */
  reviewQueue: managerProcedure.query(({ ctx }) => reviewQueue(ctx.domain)),

  /** Approves, or rejects with a comment (the task goes back to the store). The same decision again changes nothing. */
  review: managerProcedure
    .input(z.strictObject({ taskId: id, submissionId: id, decision: z.enum(['approved', 'rejected']), comment: optionalText(1000) }))
    .mutation(({ ctx, input }) => reviewTask(ctx.domain, { ...input, comment: input.comment ?? null })),

  /** Withdraws an open task. Idempotent. */
  cancel: managerProcedure.input(z.strictObject({ taskId: id })).mutation(({ ctx, input }) => cancelTask(ctx.domain, input)),

  templates: createTRPCRouter({
    list: managerProcedure.query(({ ctx }) => templates(ctx.domain)),
    /** `id` made by the client: a retried create returns the first. Today's tasks are made at once. */
    create: managerProcedure
      .input(z.strictObject({ id, ...templateFields }))
      .mutation(({ ctx, input }) => createTemplate(ctx.domain, { ...input, instructions: input.instructions ?? null })),
    /** Changes what the next tasks ask; `version` is the one the person saw (CONFLICT when it changed). `active: false` stops it. */
    update: managerProcedure
      .input(z.strictObject({ id, version: z.number().int().min(1), active: z.boolean().optional(), ...z.object(templateFields).partial().shape }))
      .mutation(({ ctx, input }) => editTemplate(ctx.domain, { ...input, instructions: input.instructions === undefined ? undefined : (input.instructions ?? null) })),
  }),
});
