import { sql } from 'drizzle-orm';
import { boolean, check, date, foreignKey, index, integer, jsonb, pgEnum, pgTable, primaryKey, smallint, text, time, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, orgId, updatedAt } from './_columns';
import { stores } from './stores';
import { users } from './users';

/**
 * Compliance photo tasks (the seed's `/api/compliance/upload` and `compliance.completed`): a template says what a
 * store must prove and when; the scheduler makes one task per store and period; clerks submit photos; Google
 * Vision (or a person) gives the verdict.
 */
export const complianceSchedules = ['once', 'daily', 'weekly'] as const;
export const complianceSchedule = pgEnum('compliance_schedule', complianceSchedules);

/**
 * `open`: waiting for the store (also after a rejection, with the reviewer's comment); `submitted`: photos in, the
 * automatic check running; `needs_review`: a person must decide (Vision unavailable or off, or the template asks
 * for one); `failed`: Vision did not find what the template expects, shown to managers until one decides;
 * `passed`: done; `cancelled`: withdrawn by a manager.
 */
export const complianceTaskStatuses = ['open', 'submitted', 'needs_review', 'failed', 'passed', 'cancelled'] as const;
export const complianceTaskStatus = pgEnum('compliance_task_status', complianceTaskStatuses);
export const complianceVerdicts = ['pending', 'passed', 'failed', 'needs_review'] as const;
export const complianceVerdict = pgEnum('compliance_verdict', complianceVerdicts);

/** What a photo must show to pass, copied into each task when it is made (a later edit never changes a verdict). */
export type ComplianceRules = { labels: string[]; texts: string[]; alwaysReview: boolean };

export const complianceTemplates = pgTable(
  'compliance_templates',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId(),
    title: text().notNull(),
    instructions: text(),
    checklist: jsonb().$type<string[]>().notNull().default([]),
    photoCount: smallint().notNull().default(1),
    expectedLabels: text().array().notNull().default(sql`'{}'::text[]`),
    expectedTexts: text().array().notNull().default(sql`'{}'::text[]`),
    alwaysReview: boolean().notNull().default(false),
    schedule: complianceSchedule().notNull(),
    /** The day of a one-off template. */
    onceOn: date({ mode: 'string' }),
    /** Days of a weekly template, 0 = Sunday … 6 = Saturday. */
    weekdays: smallint().array().notNull().default(sql`'{}'::smallint[]`),
    /** When each task is due on its day, in the chain's time zone (America/Sao_Paulo). */
    dueTime: time().notNull().default('18:00'),
    /** The first day tasks are made for (a recurring template made today starts today). */
    startsOn: date({ mode: 'string' }).notNull(),
    active: boolean().notNull().default(true),
    createdBy: uuid().notNull(),
    version: integer().notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('compliance_templates_org_id_unique').on(t.orgId, t.id),
    foreignKey({ columns: [t.orgId, t.createdBy], foreignColumns: [users.orgId, users.id] }),
    index('compliance_templates_org_idx').on(t.orgId, t.active),
    check('compliance_templates_photo_count', sql`${t.photoCount} between 1 and 6`),
    check('compliance_templates_once', sql`${t.schedule} <> 'once' or ${t.onceOn} is not null`),
    check('compliance_templates_weekly', sql`${t.schedule} <> 'weekly' or cardinality(${t.weekdays}) > 0`),
  ],
);

/** The stores a template makes tasks for. */
export const complianceTemplateStores = pgTable(
  'compliance_template_stores',
  {
    templateId: uuid().notNull(),
    orgId: orgId(),
    storeId: uuid().notNull(),
    /** The first day this store gets the template's tasks: a store added later is never given past days. */
    since: date({ mode: 'string' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.templateId, t.storeId] }),
    foreignKey({ columns: [t.orgId, t.templateId], foreignColumns: [complianceTemplates.orgId, complianceTemplates.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }),
    index('compliance_template_stores_store_idx').on(t.orgId, t.storeId),
  ],
);

export const complianceTasks = pgTable(
  'compliance_tasks',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId(),
    storeId: uuid().notNull(),
    templateId: uuid().notNull(),
    /** The day the task is for: one task per template, store and day. */
    period: date({ mode: 'string' }).notNull(),
    title: text().notNull(),
    instructions: text(),
    checklist: jsonb().$type<string[]>().notNull().default([]),
    photoCount: smallint().notNull(),
    rules: jsonb().$type<ComplianceRules>().notNull(),
    dueAt: timestamp({ withTimezone: true }).notNull(),
    status: complianceTaskStatus().notNull().default('open'),
    /** The submission the status speaks of (the latest). */
    submissionId: uuid(),
    submittedAt: timestamp({ withTimezone: true }),
    /** When the last final verdict was given (passed or failed, by Vision or a person). */
    completedAt: timestamp({ withTimezone: true }),
    /** A reviewer's rejection sent it back: why, and when. */
    returnedComment: text(),
    returnedAt: timestamp({ withTimezone: true }),
    version: integer().notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('compliance_tasks_org_id_unique').on(t.orgId, t.id),
    unique('compliance_tasks_template_store_period_unique').on(t.templateId, t.storeId, t.period),
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }),
    foreignKey({ columns: [t.orgId, t.templateId], foreignColumns: [complianceTemplates.orgId, complianceTemplates.id] }),
    index('compliance_tasks_org_store_due_idx').on(t.orgId, t.storeId, t.dueAt),
    index('compliance_tasks_org_status_idx').on(t.orgId, t.status, t.dueAt),
  ],
);

/** What Vision found in one photo, and what the rules looked for. */
export type PhotoFindings = { photoId: string; labels: { description: string; score: number }[]; text: string };
export type ExpectedItem = { kind: 'label' | 'text'; expected: string; found: boolean; photoId: string | null };

/** One sending of a task's photos (client-made id: a retried submit is the same submission). */
export const complianceSubmissions = pgTable(
  'compliance_submissions',
  {
    id: uuid().primaryKey(),
    orgId: orgId(),
    taskId: uuid().notNull(),
    submittedBy: uuid().notNull(),
    /** The checklist as ticked, item by item. */
    checklist: jsonb().$type<boolean[]>().notNull().default([]),
    note: text(),
    verdict: complianceVerdict().notNull().default('pending'),
    /** Why it needs a person (`vision_unavailable`, `vision_off`, `review_required`), when it does. */
    reviewReason: text(),
    findings: jsonb().$type<PhotoFindings[]>(),
    expected: jsonb().$type<ExpectedItem[]>(),
    verdictAt: timestamp({ withTimezone: true }),
    /** A person's decision on a failed or needs-review verdict. */
    reviewDecision: text(),
    reviewComment: text(),
    reviewedBy: uuid(),
    reviewedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    unique('compliance_submissions_org_id_unique').on(t.orgId, t.id),
    foreignKey({ columns: [t.orgId, t.taskId], foreignColumns: [complianceTasks.orgId, complianceTasks.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.orgId, t.submittedBy], foreignColumns: [users.orgId, users.id] }),
    foreignKey({ columns: [t.orgId, t.reviewedBy], foreignColumns: [users.orgId, users.id] }),
    index('compliance_submissions_task_idx').on(t.orgId, t.taskId, t.createdAt),
    check('compliance_submissions_review_decision', sql`${t.reviewDecision} is null or ${t.reviewDecision} in ('approved', 'rejected')`),
  ],
);

/**
 * A photo uploaded for a task (client-made id: a retried upload is stored once). It belongs to a submission once
 * the clerk submits; until then it waits, attached to its task only.
 */
export const compliancePhotos = pgTable(
  'compliance_photos',
  {
    id: uuid().primaryKey(),
    orgId: orgId(),
    taskId: uuid().notNull(),
    submissionId: uuid(),
    uploadedBy: uuid().notNull(),
    width: integer().notNull(),
    height: integer().notNull(),
    bytes: integer().notNull(),
    contentType: text().notNull(),
    takenAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.taskId], foreignColumns: [complianceTasks.orgId, complianceTasks.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.orgId, t.submissionId], foreignColumns: [complianceSubmissions.orgId, complianceSubmissions.id] }),
    foreignKey({ columns: [t.orgId, t.uploadedBy], foreignColumns: [users.orgId, users.id] }),
    index('compliance_photos_task_idx').on(t.orgId, t.taskId),
    index('compliance_photos_submission_idx').on(t.submissionId),
  ],
);
