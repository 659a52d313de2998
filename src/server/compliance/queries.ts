import { and, asc, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { BUSINESS_TIME_ZONE } from '~/lib/business-time';
import type { Executor } from '../db/client';
import {
  compliancePhotos,
  complianceSubmissions,
  complianceTasks,
  complianceTemplates,
  complianceTemplateStores,
  stores,
  users,
  type ComplianceRules,
  type ExpectedItem,
  type PhotoFindings,
} from '../db/schema';

/** Today on the stores' wall clock, as PostgreSQL sees it (the one clock every instance shares). */
const today = sql`(now() at time zone ${BUSINESS_TIME_ZONE}::text)::date`;

/** How far back a scheduler run makes the periods it missed (a worker down over a weekend still makes them). */
export const CATCH_UP_DAYS = 35;

/**
 * Makes the tasks every active template owes its stores, from each store's first day (and at most `backDays`,
 * CATCH_UP_DAYS unless told, back) to today, in one statement: the unique (template, store, period) makes a second scheduler, a retry or a
 * run after a restart create nothing twice, and a run after a restart creates what the gap missed.
 */
export async function scheduleDueTasks(tx: Executor, filter: { orgId?: string; templateId?: string; backDays?: number } = {}) {
  const rows = await tx.execute<{ id: string; org_id: string; store_id: string; template_id: string }>(sql`
    with due as (
      select t.org_id, ts.store_id, t.id as template_id, day::date as period, t.title, t.instructions, t.checklist, t.photo_count,
             jsonb_build_object('labels', to_jsonb(t.expected_labels), 'texts', to_jsonb(t.expected_texts), 'alwaysReview', t.always_review) as rules,
             (day::date + t.due_time) at time zone ${BUSINESS_TIME_ZONE}::text as due_at
      from compliance_templates t
      join compliance_template_stores ts on ts.template_id = t.id and ts.org_id = t.org_id
      join stores s on s.id = ts.store_id and s.org_id = ts.org_id and s.active
      cross join lateral generate_series(greatest(t.starts_on, ts.since, ${today} - ${filter.backDays ?? CATCH_UP_DAYS}::int), ${today}, interval '1 day') as day
      where t.active
        ${filter.orgId ? sql`and t.org_id = ${filter.orgId}` : sql``}
        ${filter.templateId ? sql`and t.id = ${filter.templateId}` : sql``}
        and (t.schedule = 'daily'
          or (t.schedule = 'weekly' and extract(dow from day::date)::smallint = any(t.weekdays))
          or (t.schedule = 'once' and day::date = t.once_on))
    )
    insert into compliance_tasks (org_id, store_id, template_id, period, title, instructions, checklist, photo_count, rules, due_at)
    select org_id, store_id, template_id, period, title, instructions, checklist, photo_count, rules, due_at from due
    on conflict (template_id, store_id, period) do nothing
    returning id, org_id, store_id, template_id`);
  return [...rows].map((r) => ({ id: r.id, orgId: r.org_id, storeId: r.store_id, templateId: r.template_id }));
}

// ---- templates

export type TemplateValues = {
  title: string;
  instructions: string | null;
  checklist: string[];
  photoCount: number;
  expectedLabels: string[];
  expectedTexts: string[];
  alwaysReview: boolean;
  schedule: 'once' | 'daily' | 'weekly';
  onceOn: string | null;
  weekdays: number[];
  dueTime: string;
};

const templateColumns = {
  id: complianceTemplates.id,
  title: complianceTemplates.title,
  instructions: complianceTemplates.instructions,
  checklist: complianceTemplates.checklist,
  photoCount: complianceTemplates.photoCount,
  expectedLabels: complianceTemplates.expectedLabels,
  expectedTexts: complianceTemplates.expectedTexts,
  alwaysReview: complianceTemplates.alwaysReview,
  schedule: complianceTemplates.schedule,
  onceOn: complianceTemplates.onceOn,
  weekdays: complianceTemplates.weekdays,
  dueTime: sql<string>`to_char(${complianceTemplates.dueTime}, 'HH24:MI')`,
  startsOn: complianceTemplates.startsOn,
  active: complianceTemplates.active,
  version: complianceTemplates.version,
  createdAt: complianceTemplates.createdAt,
  storeIds: sql<string[]>`coalesce((select array_agg(ts.store_id order by ts.store_id) from ${complianceTemplateStores} ts where ts.template_id = ${complianceTemplates.id}), '{}')`,
};
export type TemplateRow = Awaited<ReturnType<typeof listTemplates>>[number];

export function listTemplates(db: Executor, orgId: string) {
  return db.select(templateColumns).from(complianceTemplates).where(eq(complianceTemplates.orgId, orgId)).orderBy(desc(complianceTemplates.active), asc(complianceTemplates.title));
}

export async function findTemplate(db: Executor, orgId: string, id: string, lock = false) {
  const query = db.select(templateColumns).from(complianceTemplates).where(and(eq(complianceTemplates.orgId, orgId), eq(complianceTemplates.id, id)));
  const [row] = await (lock ? query.for('update', { of: complianceTemplates }) : query);
  return row ?? null;
}

/** Inserts a template; null when one with this client-made id exists (a retried create). */
export async function insertTemplate(tx: Executor, values: TemplateValues & { id: string; orgId: string; createdBy: string }) {
  const [row] = await tx
    .insert(complianceTemplates)
    .values({ ...values, startsOn: sql`${today}` })
    .onConflictDoNothing({ target: complianceTemplates.id })
    .returning({ id: complianceTemplates.id });
  return row ?? null;
}

export async function updateTemplate(tx: Executor, orgId: string, id: string, values: Partial<TemplateValues> & { active?: boolean; restart?: boolean }) {
  const { restart, ...set } = values;
  await tx
    .update(complianceTemplates)
    .set({
      ...set,
      // Switched on again, or its days changed: it owes nothing for the days before today.
      ...(restart ? { startsOn: sql`greatest(${complianceTemplates.startsOn}, ${today})` } : {}),
      version: sql`${complianceTemplates.version} + 1`,
    })
    .where(and(eq(complianceTemplates.orgId, orgId), eq(complianceTemplates.id, id)));
}

/** Sets the template's stores: new ones start today (no past days owed), removed ones get no new tasks. */
export async function setTemplateStores(tx: Executor, orgId: string, templateId: string, storeIds: string[]) {
  await tx
    .delete(complianceTemplateStores)
    .where(
      and(
        eq(complianceTemplateStores.templateId, templateId),
        storeIds.length ? sql`${complianceTemplateStores.storeId} <> all(${sql.param(storeIds)}::uuid[])` : sql`true`,
      ),
    );
  if (storeIds.length === 0) return;
  await tx
    .insert(complianceTemplateStores)
    .values(storeIds.map((storeId) => ({ templateId, orgId, storeId, since: sql`${today}` })))
    .onConflictDoNothing();
}

/** The org's active stores among `ids` (a template for another org's store finds none). */
export async function activeStoresAmong(db: Executor, orgId: string, ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: stores.id })
    .from(stores)
    .where(and(eq(stores.orgId, orgId), inArray(stores.id, ids), eq(stores.active, true)));
  return rows.map((r) => r.id);
}

/** Cancels the template's tasks nobody has sent photos for yet (the template was switched off). */
export async function cancelOpenTasksOf(tx: Executor, orgId: string, templateId: string) {
  const rows = await tx
    .update(complianceTasks)
    .set({ status: 'cancelled', version: sql`${complianceTasks.version} + 1` })
    .where(and(eq(complianceTasks.orgId, orgId), eq(complianceTasks.templateId, templateId), eq(complianceTasks.status, 'open'), isNull(complianceTasks.submissionId)))
    .returning({ id: complianceTasks.id, storeId: complianceTasks.storeId });
  return rows;
}

// ---- tasks

const taskColumns = {
  id: complianceTasks.id,
  storeId: complianceTasks.storeId,
  storeName: stores.name,
  templateId: complianceTasks.templateId,
  period: complianceTasks.period,
  title: complianceTasks.title,
  instructions: complianceTasks.instructions,
  checklist: complianceTasks.checklist,
  photoCount: complianceTasks.photoCount,
  rules: complianceTasks.rules,
  dueAt: complianceTasks.dueAt,
  status: complianceTasks.status,
  submissionId: complianceTasks.submissionId,
  submittedAt: complianceTasks.submittedAt,
  completedAt: complianceTasks.completedAt,
  returnedComment: complianceTasks.returnedComment,
  returnedAt: complianceTasks.returnedAt,
  version: complianceTasks.version,
};
export type TaskRow = Awaited<ReturnType<typeof findTask>> & {};

/** How long done tasks stay on a store's list. */
export const DONE_VISIBLE_DAYS = 7;

/** The most tasks one list answers with (a chain-wide list; one store's is far shorter). */
export const TASK_LIST_LIMIT = 1000;

/**
 * A store's tasks as its screen groups them: everything not done (overdue first, then by due time) and what was
 * done or cancelled in the last DONE_VISIBLE_DAYS days. At most `limit` rows (the caller asks one more to know
 * whether the list was cut).
 */
export function tasksOfStores(db: Executor, orgId: string, storeIds: string[] | null, limit = TASK_LIST_LIMIT) {
  return db
    .select(taskColumns)
    .from(complianceTasks)
    .innerJoin(stores, and(eq(stores.id, complianceTasks.storeId), eq(stores.orgId, complianceTasks.orgId)))
    .where(
      and(
        eq(complianceTasks.orgId, orgId),
        storeIds ? inArray(complianceTasks.storeId, storeIds) : undefined,
        or(
          inArray(complianceTasks.status, ['open', 'submitted', 'needs_review', 'failed']),
          sql`${complianceTasks.period} >= ${today} - ${DONE_VISIBLE_DAYS}::int`,
        ),
      ),
    )
    // Today's first, then the late ones by due time: a chain's old overdue tasks never push today's off the list.
    .orderBy(sql`${complianceTasks.period} >= ${today} desc`, asc(complianceTasks.dueAt), asc(complianceTasks.id))
    .limit(limit);
}

export async function findTask(db: Executor, orgId: string, taskId: string, lock = false) {
  const query = db
    .select(taskColumns)
    .from(complianceTasks)
    .innerJoin(stores, and(eq(stores.id, complianceTasks.storeId), eq(stores.orgId, complianceTasks.orgId)))
    .where(and(eq(complianceTasks.orgId, orgId), eq(complianceTasks.id, taskId)));
  const [row] = await (lock ? query.for('update', { of: complianceTasks }) : query);
  return row ?? null;
}

/** The tasks waiting for a person: Vision failed them or could not judge them, oldest first. */
export function tasksToReview(db: Executor, orgId: string) {
  return db
    .select(taskColumns)
    .from(complianceTasks)
    .innerJoin(stores, and(eq(stores.id, complianceTasks.storeId), eq(stores.orgId, complianceTasks.orgId)))
    .where(and(eq(complianceTasks.orgId, orgId), inArray(complianceTasks.status, ['needs_review', 'failed'])))
    .orderBy(asc(complianceTasks.submittedAt), asc(complianceTasks.id))
    .limit(200);
}

export async function setTaskState(
  tx: Executor,
  taskId: string,
  values: Partial<Pick<typeof complianceTasks.$inferInsert, 'status' | 'submissionId' | 'submittedAt' | 'completedAt' | 'returnedComment' | 'returnedAt'>>,
) {
  await tx
    .update(complianceTasks)
    .set({ ...values, version: sql`${complianceTasks.version} + 1` })
    .where(eq(complianceTasks.id, taskId));
}

// ---- photos

const photoColumns = {
  id: compliancePhotos.id,
  taskId: compliancePhotos.taskId,
  submissionId: compliancePhotos.submissionId,
  width: compliancePhotos.width,
  height: compliancePhotos.height,
  bytes: compliancePhotos.bytes,
  contentType: compliancePhotos.contentType,
  takenAt: compliancePhotos.takenAt,
  createdAt: compliancePhotos.createdAt,
};

export async function findPhoto(db: Executor, orgId: string, photoId: string) {
  const [row] = await db
    .select(photoColumns)
    .from(compliancePhotos)
    .where(and(eq(compliancePhotos.orgId, orgId), eq(compliancePhotos.id, photoId)));
  return row ?? null;
}

/** Records an uploaded photo; false when its id was already there (a retried upload: stored once). */
export async function insertPhoto(
  tx: Executor,
  values: { id: string; orgId: string; taskId: string; uploadedBy: string; width: number; height: number; bytes: number; contentType: string; takenAt: Date | null },
) {
  const rows = await tx.insert(compliancePhotos).values(values).onConflictDoNothing({ target: compliancePhotos.id }).returning({ id: compliancePhotos.id });
  return rows.length > 0;
}

/** The store of a task's photo (who may see it), or null when the org has no such photo of that task. */
export async function compliancePhotoAccess(db: Executor, orgId: string, taskId: string, photoId: string) {
  const [row] = await db
    .select({ storeId: complianceTasks.storeId })
    .from(compliancePhotos)
    .innerJoin(complianceTasks, and(eq(complianceTasks.id, compliancePhotos.taskId), eq(complianceTasks.orgId, compliancePhotos.orgId)))
    .where(and(eq(compliancePhotos.orgId, orgId), eq(compliancePhotos.id, photoId), eq(compliancePhotos.taskId, taskId)));
  return row ?? null;
}

/** Deletes a photo not yet sent with a submission. */
export async function deleteWaitingPhoto(tx: Executor, orgId: string, photoId: string) {
  await tx.delete(compliancePhotos).where(and(eq(compliancePhotos.orgId, orgId), eq(compliancePhotos.id, photoId), isNull(compliancePhotos.submissionId)));
}

export function photosOfTasks(db: Executor, orgId: string, taskIds: string[]) {
  if (taskIds.length === 0) return Promise.resolve([]);
  return db
    .select(photoColumns)
    .from(compliancePhotos)
    .where(and(eq(compliancePhotos.orgId, orgId), inArray(compliancePhotos.taskId, taskIds)))
    .orderBy(asc(compliancePhotos.createdAt), asc(compliancePhotos.id));
}

export function photosOfSubmission(db: Executor, orgId: string, submissionId: string) {
  return db
    .select(photoColumns)
    .from(compliancePhotos)
    .where(and(eq(compliancePhotos.orgId, orgId), eq(compliancePhotos.submissionId, submissionId)))
    .orderBy(asc(compliancePhotos.createdAt), asc(compliancePhotos.id));
}

/** Attaches the task's photos `ids` to the submission; returns how many it took (all of them, or the caller refuses). */
export async function attachPhotos(tx: Executor, orgId: string, taskId: string, submissionId: string, ids: string[]) {
  const rows = await tx
    .update(compliancePhotos)
    .set({ submissionId })
    .where(and(eq(compliancePhotos.orgId, orgId), eq(compliancePhotos.taskId, taskId), inArray(compliancePhotos.id, ids), isNull(compliancePhotos.submissionId)))
    .returning({ id: compliancePhotos.id });
  return rows.length;
}

// ---- submissions

const submissionColumns = {
  id: complianceSubmissions.id,
  taskId: complianceSubmissions.taskId,
  submittedBy: complianceSubmissions.submittedBy,
  submittedByName: users.name,
  checklist: complianceSubmissions.checklist,
  note: complianceSubmissions.note,
  verdict: complianceSubmissions.verdict,
  reviewReason: complianceSubmissions.reviewReason,
  findings: complianceSubmissions.findings,
  expected: complianceSubmissions.expected,
  verdictAt: complianceSubmissions.verdictAt,
  reviewDecision: complianceSubmissions.reviewDecision,
  reviewComment: complianceSubmissions.reviewComment,
  reviewedAt: complianceSubmissions.reviewedAt,
  createdAt: complianceSubmissions.createdAt,
};

export async function findSubmission(db: Executor, orgId: string, id: string) {
  const [row] = await db
    .select(submissionColumns)
    .from(complianceSubmissions)
    .innerJoin(users, and(eq(users.id, complianceSubmissions.submittedBy), eq(users.orgId, complianceSubmissions.orgId)))
    .where(and(eq(complianceSubmissions.orgId, orgId), eq(complianceSubmissions.id, id)));
  return row ?? null;
}

export function submissionsOfTasks(db: Executor, orgId: string, taskIds: string[]) {
  if (taskIds.length === 0) return Promise.resolve([]);
  return db
    .select(submissionColumns)
    .from(complianceSubmissions)
    .innerJoin(users, and(eq(users.id, complianceSubmissions.submittedBy), eq(users.orgId, complianceSubmissions.orgId)))
    .where(and(eq(complianceSubmissions.orgId, orgId), inArray(complianceSubmissions.taskId, taskIds)))
    .orderBy(desc(complianceSubmissions.createdAt));
}

/** Inserts a submission; false when its id exists (a retried submit). */
export async function insertSubmission(tx: Executor, values: { id: string; orgId: string; taskId: string; submittedBy: string; checklist: boolean[]; note: string | null }) {
  const rows = await tx
    .insert(complianceSubmissions)
    .values(values)
    .onConflictDoNothing({ target: complianceSubmissions.id })
    .returning({ id: complianceSubmissions.id });
  return rows.length > 0;
}

export async function setVerdict(
  tx: Executor,
  submissionId: string,
  values: { verdict: 'passed' | 'failed' | 'needs_review'; reviewReason: string | null; findings: PhotoFindings[] | null; expected: ExpectedItem[] | null },
) {
  await tx
    .update(complianceSubmissions)
    .set({ ...values, verdictAt: sql`now()` })
    .where(eq(complianceSubmissions.id, submissionId));
}

export async function setReview(tx: Executor, submissionId: string, values: { reviewDecision: 'approved' | 'rejected'; reviewComment: string | null; reviewedBy: string }) {
  await tx
    .update(complianceSubmissions)
    .set({ ...values, reviewedAt: sql`now()` })
    .where(eq(complianceSubmissions.id, submissionId));
}

/** The submission and its task's rules under the task's lock, for the automatic check. */
export async function lockSubmissionForCheck(tx: Executor, orgId: string, submissionId: string) {
  const [row] = await tx
    .select({
      submissionId: complianceSubmissions.id,
      verdict: complianceSubmissions.verdict,
      taskId: complianceTasks.id,
      taskStatus: complianceTasks.status,
      currentSubmissionId: complianceTasks.submissionId,
      storeId: complianceTasks.storeId,
      title: complianceTasks.title,
      rules: complianceTasks.rules,
      dueAt: complianceTasks.dueAt,
      submittedAt: complianceTasks.submittedAt,
    })
    .from(complianceSubmissions)
    .innerJoin(complianceTasks, and(eq(complianceTasks.id, complianceSubmissions.taskId), eq(complianceTasks.orgId, complianceSubmissions.orgId)))
    .where(and(eq(complianceSubmissions.orgId, orgId), eq(complianceSubmissions.id, submissionId)))
    .for('update', { of: complianceTasks });
  return row ?? null;
}
export type CheckTarget = NonNullable<Awaited<ReturnType<typeof lockSubmissionForCheck>>> & { rules: ComplianceRules };

/** Active clerks who work in the store (told when a task comes back to them). */
export async function clerksOfStore(db: Executor, orgId: string, storeId: string) {
  const rows = await db.execute<{ id: string }>(sql`
    select u.id from users u join store_memberships m on m.user_id = u.id and m.org_id = u.org_id
    where u.org_id = ${orgId} and m.store_id = ${storeId} and u.active and u.role = 'clerk'`);
  return [...rows].map((r) => r.id);
}

/** Serializes the attempts at one photo id (its upload and its cleanup), for the transaction. */
export async function lockPhotoUpload(tx: Executor, photoId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`compliance-photo:${photoId}`}, 0))`);
}
