import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { notifications } from '../db/schema';
import { decodeCursor, toPage } from '../db/cursor';

export type NewNotification = { orgId: string; userId: string; kind: string; title: string; body: string; data: Record<string, unknown> };

/**
 * The insert of notifications announced by an outbox event, as SQL for `appendEvent`'s `alongside`, so they go
 * out in the event's own statement: `sourceEventId` is the SQL of that event's id (the push consumer sends the
 * notifications of each event).
 */
export function notificationsOfEvent(rows: NewNotification[], sourceEventId: SQL): SQL {
  const recordset = rows.map((r) => ({ org_id: r.orgId, user_id: r.userId, kind: r.kind, title: r.title, body: r.body, data: r.data }));
  return sql`insert into notifications (org_id, user_id, kind, title, body, data, source_event_id)
    select n.org_id, n.user_id, n.kind, n.title, n.body, n.data, (${sourceEventId})::text
    from jsonb_to_recordset(${JSON.stringify(recordset)}::jsonb) as n(org_id uuid, user_id uuid, kind text, title text, body text, data jsonb)
    on conflict (source_event_id, user_id) do nothing`;
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
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
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
