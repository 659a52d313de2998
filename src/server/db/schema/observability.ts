import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * One row per running instance (an app server, a worker process), beaten every few seconds: the health check and
 * the watchdog read who is alive from here. `instance` is stable across restarts (host, role, port), so a
 * restarted worker takes its row back; `stoppedAt` marks a graceful stop (not an outage).
 */
export const processHeartbeats = pgTable('process_heartbeats', {
  instance: text().primaryKey(),
  role: text().$type<'app' | 'workers'>().notNull(),
  pid: integer().notNull(),
  version: text().notNull(),
  startedAt: timestamp({ withTimezone: true }).notNull(),
  beatAt: timestamp({ withTimezone: true }).notNull(),
  stoppedAt: timestamp({ withTimezone: true }),
  /** The instance's circuit breakers at its last beat (breakers are per process). */
  integrations: jsonb().$type<{ name: string; state: string }[]>().notNull().default([]),
});

/**
 * What the watchdog saw go wrong, from when to when. At most one open incident per key (the unique index makes
 * opening idempotent across instances); the notices record that admins and the webhook were told, once each.
 */
export const incidents = pgTable(
  'incidents',
  {
    id: uuid().primaryKey().defaultRandom(),
    key: text().notNull(),
    kind: text().notNull(),
    component: text().notNull(),
    severity: text().$type<'degraded' | 'down'>().notNull(),
    title: text().notNull(),
    detail: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp({ withTimezone: true }),
    openNoticeAt: timestamp({ withTimezone: true }),
    resolveNoticeAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('incidents_open_key_unique').on(t.key).where(sql`${t.resolvedAt} is null`),
    index('incidents_started_idx').on(t.startedAt.desc()),
    index('incidents_notice_due_idx').on(t.startedAt).where(sql`${t.openNoticeAt} is null or (${t.resolvedAt} is not null and ${t.resolveNoticeAt} is null)`),
  ],
);

/**
 * The cluster's figures without Prometheus (no Redis): counters per minute and series, summed by every instance.
 * With Redis they live there instead; either way they are kept for a few hours.
 */
export const metricMinutes = pgTable(
  'metric_minutes',
  {
    minute: timestamp({ withTimezone: true }).notNull(),
    series: text().notNull(),
    value: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.minute, t.series] })],
);
