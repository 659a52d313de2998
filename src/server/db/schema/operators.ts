import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './_columns';

/**
 * The platform operator: outside every organization, created by `npm run operator:create` only, owner of what
 * every org shares (Bull Board, system dead letters, process figures). A table of its own rather than users rows
 * without an org: every tenant table's foreign keys and every query rely on `users.org_id` being set.
 */
export const platformOperators = pgTable(
  'platform_operators',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Stored lower-cased. Login is by email for users and operators alike: a trigger keeps it unique across both (migration 0006). */
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text().notNull(),
    active: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('platform_operators_email_unique').on(t.email)],
);

/** An operator's login sessions, as `login_sessions` are a user's: the id is the SHA-256 of the cookie's secret. */
export const operatorSessions = pgTable(
  'operator_sessions',
  {
    id: text().primaryKey(),
    operatorId: uuid()
      .notNull()
      .references(() => platformOperators.id, { onDelete: 'cascade' }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    ip: text(),
    userAgent: text(),
    createdAt: createdAt(),
  },
  (t) => [index('operator_sessions_operator_idx').on(t.operatorId).where(sql`${t.revokedAt} is null`)],
);
