import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';

export type Heartbeat = {
  instance: string;
  role: 'app' | 'workers';
  pid: number;
  version: string;
  startedAt: Date;
  beatAt: Date;
  stoppedAt: Date | null;
  integrations: { name: string; state: string }[];
  /** Seconds since its last beat, by the database's clock (every instance's beats are judged by one clock). */
  ageSeconds: number;
};

export async function beat(db: Executor, row: { instance: string; role: 'app' | 'workers'; pid: number; version: string; startedAt: Date; integrations: { name: string; state: string }[] }) {
  await db.execute(sql`
    insert into process_heartbeats (instance, role, pid, version, started_at, beat_at, stopped_at, integrations)
    values (${row.instance}, ${row.role}, ${row.pid}, ${row.version}, ${row.startedAt.toISOString()}::timestamptz, now(), null, ${JSON.stringify(row.integrations)}::jsonb)
    on conflict (instance) do update set role = excluded.role, pid = excluded.pid, version = excluded.version, started_at = excluded.started_at,
      beat_at = now(), stopped_at = null, integrations = excluded.integrations`);
}

/** A graceful stop: the instance is gone on purpose, not down. Only its own row (a successor may have taken it). */
export async function markStopped(db: Executor, instance: string, pid: number) {
  await db.execute(sql`update process_heartbeats set stopped_at = now() where instance = ${instance} and pid = ${pid}`);
}

/** Instances seen in the last week (older rows are machines long gone), oldest beat first. */
/** The database's clock: every instance's judgments are ordered by it. */
export async function databaseNow(db: Executor): Promise<Date> {
  const [row] = await db.execute<{ now: string }>(sql`select clock_timestamp() as now`);
  return new Date(row!.now);
}

export async function listHeartbeats(db: Executor): Promise<Heartbeat[]> {
  const rows = await db.execute<{
    instance: string;
    role: 'app' | 'workers';
    pid: number;
    version: string;
    started_at: string;
    beat_at: string;
    stopped_at: string | null;
    integrations: { name: string; state: string }[];
    age_seconds: number;
  }>(sql`
    select instance, role, pid, version, started_at, beat_at, stopped_at, integrations, extract(epoch from now() - beat_at)::float8 as age_seconds
    from process_heartbeats where beat_at > now() - interval '7 days' order by beat_at`);
  return [...rows].map((r) => ({
    instance: r.instance,
    role: r.role,
    pid: r.pid,
    version: r.version,
    startedAt: new Date(r.started_at),
    beatAt: new Date(r.beat_at),
    stoppedAt: r.stopped_at ? new Date(r.stopped_at) : null,
    integrations: r.integrations,
    ageSeconds: r.age_seconds,
  }));
}

export async function countUnresolvedDeadLetters(db: Executor): Promise<{ unresolved: number; lastQuarterHour: number }> {
  const [row] = await db.execute<{ unresolved: number; recent: number }>(sql`
    select count(*)::int as unresolved, count(*) filter (where created_at > now() - interval '15 minutes')::int as recent
    from dead_letter_queue where resolved_at is null`);
  return { unresolved: row?.unresolved ?? 0, lastQuarterHour: row?.recent ?? 0 };
}

export type IncidentRow = {
  id: string;
  key: string;
  kind: string;
  component: string;
  severity: 'degraded' | 'down';
  title: string;
  detail: Record<string, unknown>;
  startedAt: Date;
  resolvedAt: Date | null;
};

type IncidentDbRow = { id: string; key: string; kind: string; component: string; severity: 'degraded' | 'down'; title: string; detail: Record<string, unknown>; started_at: string; resolved_at: string | null };
const toIncident = (r: IncidentDbRow): IncidentRow => ({
  id: r.id,
  key: r.key,
  kind: r.kind,
  component: r.component,
  severity: r.severity,
  title: r.title,
  detail: r.detail,
  startedAt: new Date(r.started_at),
  resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
});

/**
 * Opens an incident unless one with its key is open (at most one per key: the one that opened it gets it back), or
 * one was resolved since `judgedAt`: a judgment made before a newer one saw it clear must not open it again.
 */
export async function openIncident(
  db: Executor,
  c: { key: string; kind: string; component: string; severity: 'degraded' | 'down'; title: string; detail: Record<string, unknown> },
  judgedAt: Date,
): Promise<IncidentRow | null> {
  const rows = await db.execute<IncidentDbRow>(sql`
    insert into incidents (key, kind, component, severity, title, detail)
    select ${c.key}, ${c.kind}, ${c.component}, ${c.severity}, ${c.title}, ${JSON.stringify(c.detail)}::jsonb
    where not exists (select 1 from incidents where key = ${c.key} and resolved_at >= ${judgedAt.toISOString()}::timestamptz)
    on conflict (key) where resolved_at is null do nothing
    returning id, key, kind, component, severity, title, detail, started_at, resolved_at`);
  return rows[0] ? toIncident(rows[0]) : null;
}

/**
 * Resolves the open incidents no longer firing: those whose key is not among `firingKeys`, except the kinds this
 * round could not judge (their source did not answer) and those opened since `judgedAt` (by a newer judgment).
 */
export async function resolveIncidentsExcept(db: Executor, firingKeys: string[], unjudgedKinds: string[], judgedAt: Date): Promise<IncidentRow[]> {
  const rows = await db.execute<IncidentDbRow>(sql`
    update incidents set resolved_at = now()
    where resolved_at is null and started_at < ${judgedAt.toISOString()}::timestamptz
      and key not in (select jsonb_array_elements_text(${JSON.stringify(firingKeys)}::jsonb))
      and kind not in (select jsonb_array_elements_text(${JSON.stringify(unjudgedKinds)}::jsonb))
    returning id, key, kind, component, severity, title, detail, started_at, resolved_at`);
  return [...rows].map(toIncident);
}

export async function listOpenIncidents(db: Executor): Promise<IncidentRow[]> {
  const rows = await db.execute<IncidentDbRow>(sql`
    select id, key, kind, component, severity, title, detail, started_at, resolved_at from incidents where resolved_at is null order by started_at`);
  return [...rows].map(toIncident);
}

export async function listRecentIncidents(db: Executor, days: number): Promise<IncidentRow[]> {
  const rows = await db.execute<IncidentDbRow>(sql`
    select id, key, kind, component, severity, title, detail, started_at, resolved_at from incidents
    where started_at > now() - make_interval(days => ${days}) or resolved_at is null
    order by started_at desc limit 500`);
  return [...rows].map(toIncident);
}

const NOTICE_DUE = sql`(open_notice_at is null or (resolved_at is not null and resolve_notice_at is null))`;

/** Incidents whose opening or resolution nobody was told of yet, oldest first. */
export async function listDueNotices(db: Executor, limit: number): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`select id from incidents where ${NOTICE_DUE} order by started_at limit ${limit}`);
  return [...rows].map((r) => r.id);
}

/**
 * One incident whose notice is due, locked for the caller's (short) transaction: null when another instance holds
 * it or it was told meanwhile. An opening first, then its resolution.
 */
export async function claimDueNotice(tx: Executor, id: string): Promise<(IncidentRow & { notice: 'opened' | 'resolved' }) | null> {
  const [row] = await tx.execute<IncidentDbRow & { open_notice_at: string | null }>(sql`
    select id, key, kind, component, severity, title, detail, started_at, resolved_at, open_notice_at from incidents
    where id = ${id} and ${NOTICE_DUE} for update skip locked`);
  return row ? { ...toIncident(row), notice: row.open_notice_at === null ? 'opened' : 'resolved' } : null;
}

/** Told: an opening that is already resolved when first told is told as resolved in one go. */
export async function markNoticeSent(tx: Executor, id: string, notice: 'opened' | 'resolved') {
  await tx.execute(
    notice === 'opened'
      ? sql`update incidents set open_notice_at = now(), resolve_notice_at = case when resolved_at is not null then now() end where id = ${id}`
      : sql`update incidents set resolve_notice_at = now() where id = ${id}`,
  );
}
