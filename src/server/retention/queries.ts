import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';

/**
 * One bounded batch of each table's deletions. Each runs in its own short transaction (the caller's), takes at most
 * `limit` rows, skips the rows of events and notifications someone holds (SKIP LOCKED: a writer or the relay keeps
 * its rows, a later round takes them), and returns how many rows went and where the next batch starts (`next`:
 * null when the walk reached rows too young), so the walk goes on from there instead of rescanning what it keeps.
 */
export type Batch = { deleted: number; next: number | null };

type Executor = Pick<Database, 'execute'>;

/**
 * Events older than the cutoff, with their processed marks. Kept whatever their age: an event a consumer has not
 * processed (`processed_at` null), one with a dead letter (it may be retried), and the newest event of each aggregate
 * (the next event's `aggregate_seq` counts on from it). Walked by id, oldest first: ids follow creation, so the walk
 * stops at the first batch with nothing older than the cutoff.
 */
export async function deleteOldEvents(tx: Executor, opts: { cutoff: Date; after: number; limit: number; consumers: string[] }): Promise<Batch> {
  const [row] = await tx.execute<{ deleted: number; last: string | null; reached: boolean }>(sql`
    with walked as (
      select id, created_at, processed_at, aggregate_type, aggregate_id, aggregate_seq
      from event_log where id > ${opts.after} order by id limit ${opts.limit}
    ), doomed as (
      select e.id from event_log e join walked w on w.id = e.id
      where w.created_at < ${opts.cutoff.toISOString()}::timestamptz
        and w.processed_at is not null
        and exists (select 1 from event_log n where n.aggregate_type = w.aggregate_type and n.aggregate_id = w.aggregate_id and n.aggregate_seq > w.aggregate_seq)
        and not exists (select 1 from dead_letter_queue d where d.source_queue = 'domain-events' and (d.payload->>'eventId' = w.id::text or d.payload->'eventIds' @> to_jsonb(w.id)))
      for update of e skip locked
    ), marks as (
      delete from processed_events p using doomed d where p.consumer = any(string_to_array(${opts.consumers.join(',')}, ',')) and p.event_id = d.id
    ), gone as (
      delete from event_log e using doomed d where e.id = d.id returning e.id
    )
    select (select count(*)::int from gone) as deleted,
           (select max(id)::text from walked) as last,
           coalesce((select bool_and(created_at >= ${opts.cutoff.toISOString()}::timestamptz) from walked), true) as reached`);
  return { deleted: row!.deleted, next: row!.reached || row!.last === null ? null : Number(row!.last) };
}

/** Audit rows older than the cutoff (kept longest: who changed what), oldest first by id. */
export async function deleteOldAudit(tx: Executor, opts: { cutoff: Date; after: number; limit: number }): Promise<Batch> {
  const [row] = await tx.execute<{ deleted: number; last: string | null; reached: boolean }>(sql`
    with walked as (
      select id, created_at from audit_log where id > ${opts.after} order by id limit ${opts.limit}
    ), gone as (
      delete from audit_log a using walked w where a.id = w.id and w.created_at < ${opts.cutoff.toISOString()}::timestamptz returning a.id
    )
    select (select count(*)::int from gone) as deleted,
           (select max(id)::text from walked) as last,
           coalesce((select bool_and(created_at >= ${opts.cutoff.toISOString()}::timestamptz) from walked), true) as reached`);
  return { deleted: row!.deleted, next: row!.reached || row!.last === null ? null : Number(row!.last) };
}

/**
 * Notifications older than the cutoff (the bell shows the recent ones), except those whose push is still to be
 * sent or failed (the push queue's, or a dead letter's, to finish), from the created_at index.
 */
export async function deleteOldNotifications(tx: Executor, opts: { cutoff: Date; limit: number }): Promise<Batch> {
  const [row] = await tx.execute<{ deleted: number }>(sql`
    with doomed as (
      select id from notifications
      where created_at < ${opts.cutoff.toISOString()}::timestamptz and push_status in ('none', 'sent')
      order by created_at limit ${opts.limit}
      for update skip locked
    ), gone as (delete from notifications n using doomed d where n.id = d.id returning n.id)
    select count(*)::int as deleted from gone`);
  return { deleted: row!.deleted, next: row!.deleted < opts.limit ? null : 0 };
}

/**
 * The scans of counts finalized or cancelled before the cutoff, and of deliveries closed before it. What they
 * produced stays: the count's totals and variances, the stock movements, the receipt's outcome. Open counts and
 * deliveries keep every scan.
 */
export async function deleteOldScans(tx: Executor, opts: { cutoff: Date; limit: number }): Promise<Batch> {
  const cutoff = opts.cutoff.toISOString();
  const [row] = await tx.execute<{ deleted: number }>(sql`
    with counts as (
      select e.id from count_entries e
      where e.session_id in (
        select id from inventory_sessions
        where status in ('finalized', 'cancelled') and coalesce(finalized_at, cancelled_at) < ${cutoff}::timestamptz)
      limit ${opts.limit}
      for update skip locked
    ), deliveries as (
      select e.id from receipt_entries e
      where e.receipt_id in (select id from receipts where status = 'closed' and closed_at < ${cutoff}::timestamptz)
      limit ${opts.limit}
      for update skip locked
    ), counted as (delete from count_entries c using counts d where c.id = d.id returning c.id),
       received as (delete from receipt_entries r using deliveries d where r.id = d.id returning r.id)
    select (select count(*)::int from counted) + (select count(*)::int from received) as deleted`);
  return { deleted: row!.deleted, next: row!.deleted === 0 ? null : 0 };
}
