import { sql } from 'drizzle-orm';
import { check, foreignKey, index, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, orgId, updatedAt } from './_columns';
import { stores } from './stores';
import { users } from './users';

export const complianceTaskStatuses = ['open', 'completed', 'cancelled'] as const;
export const complianceTaskStatus = pgEnum('compliance_task_status', complianceTaskStatuses);
export const complianceSubmissionStatuses = ['submitted', 'approved', 'rejected'] as const;
export const complianceSubmissionStatus = pgEnum('compliance_submission_status', complianceSubmissionStatuses);

export const complianceTasks = pgTable(
  'compliance_tasks',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId(),
    storeId: uuid().notNull(),
    title: text().notNull(),
    instructions: text(),
    status: complianceTaskStatus().notNull().default('open'),
    dueAt: timestamp({ withTimezone: true }),
    createdBy: uuid().notNull(),
    completedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }),
    foreignKey({ columns: [t.orgId, t.createdBy], foreignColumns: [users.orgId, users.id] }),
    index('compliance_tasks_org_store_status_idx').on(t.orgId, t.storeId, t.status),
  ],
);

export const complianceSubmissions = pgTable(
  'compliance_submissions',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId(),
    taskId: uuid()
      .notNull()
      .references(() => complianceTasks.id, { onDelete: 'cascade' }),
    submittedBy: uuid().notNull(),
    photoUrl: text().notNull(),
    note: text(),
    status: complianceSubmissionStatus().notNull().default('submitted'),
    reviewedBy: uuid(),
    reviewedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.submittedBy], foreignColumns: [users.orgId, users.id] }),
    index('compliance_submissions_task_idx').on(t.taskId),
    check('compliance_submissions_photo_url', sql`length(${t.photoUrl}) > 0`),
  ],
);
