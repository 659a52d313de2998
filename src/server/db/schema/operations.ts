import { sql } from 'drizzle-orm';
import { bigserial, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, money, orgId } from './_columns';

/** Seed Sprint 2.3, plus org (null for system jobs), a resolution note and the retry history. */
export const deadLetterQueue = pgTable(
  'dead_letter_queue',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid(),
    sourceQueue: text().notNull(),
    originalId: text(),
    jobName: text(),
    payload: jsonb().notNull(),
    errorMessage: text(),
    errorStack: text(),
    attempts: integer().notNull().default(1),
    maxAttempts: integer().notNull().default(3),
    retryHistory: jsonb()
      .$type<{ at: string; by: string | null; newJobId: string | null }[]>()
      .notNull()
      .default([]),
    createdAt: createdAt(),
    lastAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp({ withTimezone: true }),
    resolvedBy: uuid(),
    resolutionNote: text(),
  },
  (t) => [
    index('dead_letter_queue_unresolved_idx').on(t.sourceQueue, t.createdAt.desc()).where(sql`${t.resolvedAt} is null`),
    // An org's letters, newest first (its admin's list); the system's (no org) are the operator's.
    index('dead_letter_queue_org_created_idx').on(t.orgId, t.createdAt.desc(), t.id.desc()),
    check('dead_letter_queue_attempts_non_negative', sql`${t.attempts} >= 0`),
  ],
);

/** Who changed what: written in the same transaction as every mutation. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    /** Null for events with no org yet, such as a login attempt for an unknown email. */
    orgId: uuid(),
    /** Null for anonymous actors (failed logins). */
    actorId: uuid(),
    actorType: text().notNull().default('user'),
    action: text().notNull(),
    entityType: text().notNull(),
    entityId: text(),
    before: jsonb(),
    after: jsonb(),
    requestId: text(),
    ip: text(),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_log_org_id_idx').on(t.orgId, t.id.desc()),
    index('audit_log_org_entity_idx').on(t.orgId, t.entityType, t.entityId),
    index('audit_log_org_actor_idx').on(t.orgId, t.actorId, t.createdAt.desc()),
  ],
);

/** Per store and day: what the dashboard's charts read. */
export const storeDailyStats = pgTable(
  'store_daily_stats',
  {
    orgId: orgId(),
    storeId: uuid().notNull(),
    day: date({ mode: 'string' }).notNull(),
    requestsCreated: integer().notNull().default(0),
    requestsValue: money().notNull().default(0),
    itemsApproved: integer().notNull().default(0),
    itemsRejected: integer().notNull().default(0),
    inventoriesFinalized: integer().notNull().default(0),
    varianceValue: money().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.day] }), index('store_daily_stats_org_day_idx').on(t.orgId, t.day)],
);
