import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { deviceTokens, notifications } from '../db/schema';
import { decodeCursor, toPage } from '../db/cursor';
import type { NotificationRule } from './rules';
import { newestFirst } from '../db/order';

/**
 * Writes the notifications of one event (its rule), one per recipient and at most once per event and recipient,
 * `queued` for push when push is on; with push on, the event's notifications still `none` (written while push
 * was off, met again by a replay) are queued too. Returns what is now queued. One statement: the workers' hot path.
 */
export async function insertNotificationsOfEvent(
  tx: Executor,
  event: { id: number; orgId: string; actorId: string | null },
  rule: NotificationRule,
  pushEnabled: boolean,
): Promise<{ id: string; orgId: string }[]> {
  const rows = await tx.execute<{ id: string; org_id: string }>(sql`
    with recipients as (
      select u.id from users u
      where u.org_id = ${event.orgId}
        and (u.id in (select jsonb_array_elements_text(${JSON.stringify(rule.userIds)}::jsonb)::uuid)
          or (u.active and u.role::text in (select jsonb_array_elements_text(${JSON.stringify(rule.roles)}::jsonb))))
    ),
    inserted as (
      insert into notifications (org_id, user_id, kind, title, body, data, source_event_id, push_status)
      select ${event.orgId}, r.id, ${rule.kind}, ${rule.title},
        ${rule.actorFirst ? sql`coalesce((select a.name from users a where a.id = ${event.actorId}), 'Alguém') || ` : sql``}${rule.body},
        ${JSON.stringify(rule.data)}::jsonb, ${String(event.id)}, ${pushEnabled ? 'queued' : 'none'}
      from recipients r
      on conflict (source_event_id, user_id) do nothing
      returning id, org_id
    ),
    requeued as (
      update notifications set push_status = 'queued'
      where ${pushEnabled} and source_event_id = ${String(event.id)} and push_status = 'none'
      returning id, org_id
    )
    select id, org_id from inserted union all select id, org_id from requeued`);
  return [...rows].map((r) => ({ id: r.id, orgId: r.org_id }));
}

/** The event's notifications still waiting to be sent (a redelivery looks them up: the first may have died before enqueueing). */
export async function findUnsentNotificationsOfEvent(db: Executor, eventId: number): Promise<{ id: string; orgId: string }[]> {
  return db
    .select({ id: notifications.id, orgId: notifications.orgId })
    .from(notifications)
    .where(and(eq(notifications.sourceEventId, String(eventId)), inArray(notifications.pushStatus, ['queued', 'sending'])));
}

/**
 * A push not to be sent (push switched off for the org): the notification stays in the bell, `none` — whether it was
 * queued, being retried (`sending`) or retried from the dead-letter queue (`failed`). A sent one stays sent.
 */
export async function keepInBellOnly(db: Executor, notificationId: string): Promise<void> {
  await db
    .update(notifications)
    .set({ pushStatus: 'none' })
    .where(and(eq(notifications.id, notificationId), inArray(notifications.pushStatus, ['queued', 'sending', 'failed'])));
}

/** A push that dead-lettered: it failed for good (the dead-letter queue has the job, for a retry). */
export async function markPushFailed(db: Executor, notificationId: string): Promise<void> {
  await db.update(notifications).set({ pushStatus: 'failed' }).where(eq(notifications.id, notificationId));
}

/** The push state of a notification, or undefined when there is no such notification. */
export async function findPushStatus(db: Executor, notificationId: string) {
  const [row] = await db.select({ status: notifications.pushStatus }).from(notifications).where(eq(notifications.id, notificationId));
  return row?.status;
}

export async function listNotifications(db: Executor, orgId: string, userId: string, params: { cursor?: string | null; limit: number; unreadOnly?: boolean | null }) {
  const after = decodeCursor<[string, string]>(params.cursor, ['time', 'uuid']);
  const [rows, [unread]] = await Promise.all([
    db
      .select({
        id: notifications.id,
        kind: notifications.kind,
        title: notifications.title,
        body: notifications.body,
        data: notifications.data,
        readAt: notifications.readAt,
        createdAt: notifications.createdAt,
      })
      .from(notifications)
      .where(
        and(
          eq(notifications.orgId, orgId),
          eq(notifications.userId, userId),
          params.unreadOnly ? isNull(notifications.readAt) : undefined,
          after ? sql`(${notifications.createdAt}, ${notifications.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
        ),
      )
      .orderBy(newestFirst(notifications.createdAt), newestFirst(notifications.id))
      .limit(params.limit + 1),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), eq(notifications.orgId, orgId), isNull(notifications.readAt))),
  ]);
  return { ...toPage(rows, params.limit, (r) => [r.createdAt.toISOString(), r.id]), unreadCount: unread?.n ?? 0 };
}

/** Marks the given notifications (or all) of this user as read; idempotent. */
export async function markNotificationsRead(db: Executor, orgId: string, userId: string, ids: string[] | 'all') {
  const rows = await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(
      and(
        eq(notifications.orgId, orgId),
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        ids === 'all' ? undefined : inArray(notifications.id, ids),
      ),
    )
    .returning({ id: notifications.id });
  return rows.length;
}

/** SQL for `appendEvent`'s `alongside`: the push was delivered (its `notification.sent` is the event). */
export const markNotificationSent = (notificationId: string): SQL =>
  sql`update notifications set push_status = 'sent', push_sent_at = now() where id = ${notificationId}`;

export type PushClaim = {
  id: string;
  orgId: string;
  userId: string;
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  /** The user's devices this notification has not reached yet. */
  tokens: string[];
  /** Devices an earlier, partly failed try reached. */
  deliveredBefore: number;
};

/**
 * Marks a notification `sending` (from queued, a send interrupted before, or failed) and returns it with the
 * device tokens of its user it has not been delivered to, in one statement; null when it is not in a sendable state.
 */
export async function claimNotificationForPush(db: Executor, notificationId: string): Promise<PushClaim | null> {
  const rows = await db.execute<{
    id: string;
    org_id: string;
    user_id: string;
    kind: string;
    title: string;
    body: string;
    data: Record<string, unknown>;
    tokens: string[];
    delivered_before: number;
  }>(sql`
    with claimed as (
      update notifications set push_status = 'sending'
      where id = ${notificationId} and push_status in ('queued', 'sending', 'failed')
      returning id, org_id, user_id, kind, title, body, data, push_delivered_tokens
    )
    select c.id, c.org_id, c.user_id, c.kind, c.title, c.body, c.data, cardinality(c.push_delivered_tokens) as delivered_before,
      coalesce((select array_agg(d.token order by d.created_at) from device_tokens d where d.user_id = c.user_id and d.token <> all(c.push_delivered_tokens)), '{}') as tokens
    from claimed c`);
  const row = [...rows][0];
  return row
    ? { id: row.id, orgId: row.org_id, userId: row.user_id, kind: row.kind, title: row.title, body: row.body, data: row.data, tokens: row.tokens, deliveredBefore: Number(row.delivered_before) }
    : null;
}

/** Devices FCM accepted a notification for, before a retry of the ones it did not: the retry skips these. */
export async function recordDeliveredTokens(db: Executor, notificationId: string, tokens: string[]): Promise<void> {
  if (tokens.length === 0) return;
  await db.execute(sql`update notifications set push_delivered_tokens = push_delivered_tokens || array(select jsonb_array_elements_text(${JSON.stringify(tokens)}::jsonb)) where id = ${notificationId}`);
}

/** A token moves to whoever registered it last (a shared tablet changes hands). */
export async function upsertDeviceToken(db: Executor, values: { orgId: string; userId: string; token: string; platform: string }) {
  await db
    .insert(deviceTokens)
    .values(values)
    .onConflictDoUpdate({ target: deviceTokens.token, set: { orgId: values.orgId, userId: values.userId, platform: values.platform, lastSeenAt: sql`now()` } });
}

export async function deleteDeviceToken(db: Executor, userId: string, token: string) {
  const rows = await db
    .delete(deviceTokens)
    .where(and(eq(deviceTokens.userId, userId), eq(deviceTokens.token, token)))
    .returning({ id: deviceTokens.id });
  return rows.length;
}

/** Tokens FCM says no longer reach a device (unregistered, invalid, another sender's). */
export async function removeDeviceTokens(db: Executor, tokens: string[]): Promise<void> {
  if (tokens.length > 0) await db.delete(deviceTokens).where(inArray(deviceTokens.token, tokens));
}

/**
 * A notice to the active admins of every organization (an incident of the platform they all run on), once per
 * source and admin; `queued` for push when push is on. Returns what is queued.
 */
export async function insertAdminNotices(
  tx: Executor,
  notice: { sourceId: string; kind: string; title: string; body: string; data: Record<string, unknown> },
  pushEnabled: boolean,
): Promise<{ id: string; orgId: string }[]> {
  const rows = await tx.execute<{ id: string; org_id: string }>(sql`
    insert into notifications (org_id, user_id, kind, title, body, data, source_event_id, push_status)
    select u.org_id, u.id, ${notice.kind}, ${notice.title}, ${notice.body}, ${JSON.stringify(notice.data)}::jsonb, ${notice.sourceId}, ${pushEnabled ? 'queued' : 'none'}
    from users u where u.active and u.role = 'admin'
    on conflict (source_event_id, user_id) do nothing
    returning id, org_id`);
  return [...rows].map((r) => ({ id: r.id, orgId: r.org_id }));
}
