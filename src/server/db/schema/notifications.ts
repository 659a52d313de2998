import { sql } from 'drizzle-orm';
import { foreignKey, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, orgId } from './_columns';
import { users } from './users';

export const pushStatuses = ['none', 'queued', 'sending', 'sent', 'failed'] as const;
export const pushStatus = pgEnum('push_status', pushStatuses);

export const notifications = pgTable(
  'notifications',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId(),
    userId: uuid().notNull(),
    kind: text().notNull(),
    title: text().notNull(),
    body: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The event that caused it: one notification per event and recipient. */
    sourceEventId: text(),
    readAt: timestamp({ withTimezone: true }),
    pushStatus: pushStatus().notNull().default('none'),
    pushSentAt: timestamp({ withTimezone: true }),
    /** Devices FCM accepted this notification for: a retry after a partial failure sends to the others only. */
    pushDeliveredTokens: text().array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.userId], foreignColumns: [users.orgId, users.id] }).onDelete('cascade'),
    index('notifications_user_created_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    index('notifications_user_unread_idx').on(t.userId).where(sql`${t.readAt} is null`),
    uniqueIndex('notifications_source_event_user_unique').on(t.sourceEventId, t.userId),
    // Retention walks the oldest first (src/server/retention).
    index('notifications_created_idx').on(t.createdAt),
    index('notifications_push_backlog_idx').on(t.orgId, t.pushStatus).where(sql`${t.pushStatus} in ('queued', 'sending', 'failed')`),
  ],
);

export const deviceTokens = pgTable(
  'device_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId(),
    userId: uuid().notNull(),
    token: text().notNull().unique(),
    platform: text().notNull().default('web'),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.orgId, t.userId], foreignColumns: [users.orgId, users.id] }).onDelete('cascade'),
    index('device_tokens_user_idx').on(t.userId),
  ],
);
