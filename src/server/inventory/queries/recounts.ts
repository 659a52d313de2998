import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { jsonArray, textSet } from '../../db/json';

/**
 * Marks lines for recount, set-based. An EAN is accepted when it is a line of the session (in the snapshot, or
 * counted); returns the EANs marked (also those marked before) and the unknown ones.
 */
export async function insertRecountRequests(tx: Executor, s: { id: string; orgId: string }, eans: string[], requestedBy: string) {
  const rows = await tx.execute<{ ean: string; product_id: string | null; known: boolean }>(sql`
    with wanted as (select distinct w as ean from jsonb_array_elements_text(${jsonArray(eans)}) w),
    known as (
      select w.ean,
             coalesce(
               (select x.product_id from inventory_expected x join products p on p.id = x.product_id where x.session_id = ${s.id} and p.ean = w.ean),
               (select p.id from products p where p.org_id = ${s.orgId} and p.ean = w.ean
                   and exists (select 1 from count_entries e where e.session_id = ${s.id} and e.product_id = p.id))
             ) as product_id,
             exists (select 1 from count_entries e where e.session_id = ${s.id} and e.product_id is null and e.ean = w.ean) as unmatched_counted
        from wanted w
    ),
    ins as (
      insert into inventory_recounts (session_id, ean, product_id, requested_by)
      select ${s.id}, ean, product_id, ${requestedBy} from known where product_id is not null or unmatched_counted
      on conflict do nothing
      returning ean
    )
    select k.ean, k.product_id, (k.product_id is not null or k.unmatched_counted) as known from known k order by k.ean`);
  const all = [...rows];
  return { marked: all.filter((r) => r.known).map((r) => r.ean), unknown: all.filter((r) => !r.known).map((r) => r.ean) };
}

/**
 * The lines (by line EAN: the product's, or an unmatched code's own) among `lineEans` that `userId` counted in
 * the session's first count, i.e. with entries not marked as recount.
 */
export async function findFirstCountLines(db: Executor, sessionId: string, userId: string, lineEans: string[]): Promise<Set<string>> {
  if (lineEans.length === 0) return new Set();
  const rows = await db.execute<{ ean: string }>(sql`
    select distinct coalesce(p.ean, e.ean) as ean
      from count_entries e left join products p on p.id = e.product_id
     where e.session_id = ${sessionId} and e.counted_by = ${userId} and not e.recount
       and coalesce(p.ean, e.ean) in ${textSet(lineEans)}`);
  return new Set([...rows].map((r) => r.ean));
}

/** Of these requested lines, those a recount entry has already arrived for. */
export async function findRecountedLines(db: Executor, sessionId: string, eans: string[]): Promise<string[]> {
  if (eans.length === 0) return [];
  const rows = await db.execute<{ ean: string }>(sql`
    select distinct coalesce(p.ean, e.ean) as ean
      from count_entries e left join products p on p.id = e.product_id
     where e.session_id = ${sessionId} and e.recount and coalesce(p.ean, e.ean) in ${textSet(eans)}
     order by 1`);
  return [...rows].map((r) => r.ean);
}

/** Withdraws recount requests; returns the EANs whose request existed (and is now gone). */
export async function deleteRecountRequests(tx: Executor, sessionId: string, eans: string[]): Promise<string[]> {
  if (eans.length === 0) return [];
  const rows = await tx.execute<{ ean: string }>(sql`
    delete from inventory_recounts where session_id = ${sessionId} and ean in ${textSet(eans)} returning ean`);
  return [...rows].map((r) => r.ean).sort();
}

// ---- the offline lookup table
