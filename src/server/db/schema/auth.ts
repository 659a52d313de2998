import { sql } from 'drizzle-orm';
import { foreignKey, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, orgId } from './_columns';
import { users } from './users';

/** Login sessions: the row is the truth, Redis only caches it. The id is the SHA-256 of the cookie's secret. */
export const loginSessions = pgTable(
  'login_sessions',
  {
    id: text().primaryKey(),
    orgId: orgId(),
    userId: uuid().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    ip: text(),
    userAgent: text(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.userId], foreignColumns: [users.orgId, users.id] }).onDelete('cascade'),
    index('login_sessions_user_idx').on(t.userId).where(sql`${t.revokedAt} is null`),
  ],
);

/** API tokens for scripts: shown once, stored as SHA-256; the token acts as its user. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId(),
    userId: uuid().notNull(),
    createdBy: uuid().notNull(),
    name: text().notNull(),
    /** First characters of the token, shown in lists so a person can tell tokens apart. */
    prefix: text().notNull(),
    tokenHash: text().notNull().unique(),
    expiresAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.userId], foreignColumns: [users.orgId, users.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.orgId, t.createdBy], foreignColumns: [users.orgId, users.id] }),
    index('api_tokens_org_created_idx').on(t.orgId, t.createdAt, t.id),
  ],
);
