/**
 * `npm run bench:retention` (issue 22): what a year at the rated load leaves in the tables that grow with use, with
 * and without retention, and what retention costs the writers.
 *
 * A generator, not a real year: one org's year is written at 1/SAMPLE of the rated load (5,000 notifications a
 * minute; per rated day 2.4M events with 3 processed marks each, 7.2M notifications, 1.2M audit rows, 1M scans in
 * finished counts), every row dated on its day of the year; sizes are measured (pg_total_relation_size: rows,
 * indexes, TOAST) and multiplied by SAMPLE for the rated load. Then the workers' retention round
 * (src/server/retention) runs with the default policy while a writer inserts events and notifications at a steady
 * rate; its insert latency is compared with the same writer before the round. After it, VACUUM FULL measures what
 * retention keeps (a live table reuses the space a round frees, so its size stays near this). Writes
 * bench/results/retention.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import pino from 'pino';
import postgres from 'postgres';
import { createDatabase } from '~/server/db/client';
import { runMigrations } from '~/server/db/migrate';
import { runRetention } from '~/server/retention/retention';
import { consumerNames } from '~/server/runtime/consumers';
import { percentile, round } from './lib/stats';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SAMPLE = num('BENCH_RETENTION_SAMPLE', 2000);
const DAYS = 365;
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'mi_bench_retention';
const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** Rows a day at the rated load. */
const RATED_PER_DAY = { events: 2_400_000, marksPerEvent: 3, notifications: 7_200_000, audit: 1_200_000, scans: 1_000_000 };
const TABLES = ['event_log', 'processed_events', 'notifications', 'audit_log', 'count_entries'] as const;

async function sizes(sql: postgres.Sql) {
  const out: Record<string, { rows: number; bytes: number }> = {};
  for (const table of TABLES) {
    const [row] = await sql.unsafe<{ rows: number; bytes: string }[]>(`select (select count(*) from ${table})::int as rows, pg_total_relation_size('${table}')::bigint as bytes`);
    out[table] = { rows: row!.rows, bytes: Number(row!.bytes) };
  }
  return out;
}

const rated = (measured: Record<string, { rows: number; bytes: number }>) =>
  Object.fromEntries(Object.entries(measured).map(([t, v]) => [t, { rows: v.rows * SAMPLE, gib: round((v.bytes * SAMPLE) / 2 ** 30, 1) }]));

/** A steady writer: one event (with its marks) and three notifications every 20 ms, each insert timed. */
function startWriter(sql: postgres.Sql, orgId: string, userId: string) {
  const ms: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const begun = performance.now();
      await sql.begin(async (tx) => {
        const [e] = await tx<{ id: number }[]>`
          insert into event_log (org_id, type, aggregate_type, aggregate_id, aggregate_seq, payload, published_at, processed_at)
          values (${orgId}, 'product.updated', 'product', ${randomUUID()}, 1, '{}', now(), now()) returning id`;
        await tx`insert into processed_events (consumer, event_id) select c, ${e!.id} from unnest(${['analytics', 'push', 'live-and-cache']}::text[]) c`;
        await tx`insert into notifications (org_id, user_id, kind, title, body, source_event_id) select ${orgId}, ${userId}, 'bench', 't', 'b', ${String(e!.id)} || '-' || g from generate_series(1, 3) g`;
      });
      ms.push(performance.now() - begun);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return { stop: async () => ((running = false), await done, ms) };
}

async function main() {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  await runMigrations(url.toString());
  const sql = postgres(url.toString(), { max: 4, onnotice: () => {} });
  try {
    await sql`set statement_timeout = 0`;
    const [org] = await sql<{ id: string }[]>`insert into organizations (name, slug) values ('Retenção', 'retention') returning id`;
    const [store] = await sql<{ id: string }[]>`insert into stores (org_id, code, name) values (${org!.id}, 'R1', 'Loja R') returning id`;
    const [user] = await sql<{ id: string }[]>`insert into users (org_id, email, name, role, password_hash) values (${org!.id}, 'r@r.test', 'R', 'manager', 'x') returning id`;
    const perDay = (n: number) => Math.max(1, Math.round(n / SAMPLE));
    const day = { events: perDay(RATED_PER_DAY.events), notifications: perDay(RATED_PER_DAY.notifications), audit: perDay(RATED_PER_DAY.audit), scans: perDay(RATED_PER_DAY.scans) };
    log(`generating ${DAYS} days at 1/${SAMPLE} of the rated load: per day ${JSON.stringify(day)}…`);
    const started = performance.now();
    // Oldest first, as a year of use writes them (ids follow time).
    for (let d = DAYS; d >= 1; d--) {
      const at = sql`now() - ${`${d} days`}::interval`;
      await sql.begin(async (tx) => {
        await tx`
          with e as (
            insert into event_log (org_id, type, aggregate_type, aggregate_id, aggregate_seq, payload, created_at, published_at, processed_at)
            select ${org!.id}, 'purchaseRequest.itemDecided', 'purchaseRequest', md5(${d}::text || '-' || (g / 5)), g % 5 + 1,
                   jsonb_build_object('storeId', ${store!.id}::text, 'itemId', md5(g::text), 'decision', 'approved'), ${at}, ${at}, ${at}
            from generate_series(1, ${day.events}) g
            returning id, created_at)
          insert into processed_events (consumer, event_id, processed_at)
          select c, e.id, e.created_at from e cross join unnest(${['analytics', 'push', 'live-and-cache']}::text[]) c`;
        await tx`
          insert into notifications (org_id, user_id, kind, title, body, data, source_event_id, push_status, created_at)
          select ${org!.id}, ${user!.id}, 'purchaseRequest.itemDecided', 'Item aprovado', 'O comprador aprovou 3 un. de Leite UHT Integral Piracanjuba 1L',
                 jsonb_build_object('requestId', md5(g::text)), ${`d${d}-`} || g, 'sent', ${at}
          from generate_series(1, ${day.notifications}) g`;
        await tx`
          insert into audit_log (org_id, actor_id, action, entity_type, entity_id, before, after, request_id, ip, created_at)
          select ${org!.id}, ${user!.id}, 'purchaseRequestItem.approved', 'purchase_request_item', md5(g::text),
                 jsonb_build_object('status', 'pending'), jsonb_build_object('status', 'approved', 'quantity', 3), md5(g::text), '10.0.0.1', ${at}
          from generate_series(1, ${day.audit}) g`;
        const [session] = await tx<{ id: string }[]>`
          insert into inventory_sessions (org_id, store_id, status, opened_by, opened_at, finalized_at, finalized_by)
          values (${org!.id}, ${store!.id}, 'finalized', ${user!.id}, ${at}, ${at}, ${user!.id}) returning id`;
        await tx`
          insert into count_entries (id, org_id, session_id, ean, quantity, zone, counted_by, device_id, seq, counted_at, received_at)
          select gen_random_uuid(), ${org!.id}, ${session!.id}, lpad((7890000000000 + g)::text, 13, '0'), 1, 'A', ${user!.id}, 'tab-bench', g, ${at}, ${at}
          from generate_series(1, ${day.scans}) g`;
      });
    }
    await sql`analyze`;
    const generatedSeconds = (performance.now() - started) / 1000;
    const withoutRetention = await sizes(sql);
    log(`a year without retention: ${JSON.stringify(rated(withoutRetention))}`);

    // The writers alone, then during a retention round.
    const quiet = startWriter(sql, org!.id, user!.id);
    await new Promise((r) => setTimeout(r, 10_000));
    const quietMs = await quiet.stop();
    const database = createDatabase({ url: url.toString(), poolMax: 4, prepare: true, statementTimeoutMs: 60_000 });
    const busy = startWriter(sql, org!.id, user!.id);
    const policy = { eventDays: 30, auditDays: 730, notificationDays: 90, scanDays: 365, batch: 5000 };
    const rounds = [];
    const retentionStarted = performance.now();
    for (;;) {
      const round = await runRetention({ db: database.db, logger: pino({ level: 'silent' }) }, policy, { consumers: consumerNames });
      rounds.push(round);
      if (round.events + round.audit + round.notifications + round.scans === 0) break;
    }
    const retentionSeconds = (performance.now() - retentionStarted) / 1000;
    const busyMs = await busy.stop();
    await database.close();
    const deleted = rounds.reduce((sum, r) => sum + r.events + r.audit + r.notifications + r.scans, 0);
    log(`retention: ${deleted} rows in ${retentionSeconds.toFixed(1)} s, ${rounds.length} rounds`);
    for (const table of TABLES) await sql.unsafe(`vacuum full ${table}`);
    await sql`analyze`;
    const withRetention = await sizes(sql);
    log(`a year with retention: ${JSON.stringify(rated(withRetention))}`);

    // The rows `deleted` counts (an event's processed marks go with it, uncounted): events, notifications, scans.
    const ratedDayDeletes = RATED_PER_DAY.events + RATED_PER_DAY.notifications + RATED_PER_DAY.scans;
    const total = (m: Record<string, { bytes: number }>) => round((Object.values(m).reduce((s, v) => s + v.bytes, 0) * SAMPLE) / 2 ** 30, 1);
    const result = {
      generatedAt: new Date().toISOString(),
      command: 'npm run bench:retention',
      machine: '2 cores; PostgreSQL 15 on the same box',
      setup: { sample: SAMPLE, days: DAYS, ratedPerDay: RATED_PER_DAY, sampledPerDay: day, policyDays: { events: 30, audit: 730, notifications: 90, scans: 365 }, batch: policy.batch, generatedSeconds: round(generatedSeconds, 1) },
      measured: { withoutRetention, withRetention },
      ratedYear: { withoutRetention: rated(withoutRetention), withRetention: rated(withRetention), totalGiB: { withoutRetention: total(withoutRetention), withRetention: total(withRetention) } },
      retentionRun: {
        deletedRows: deleted,
        seconds: round(retentionSeconds, 1),
        rowsPerSecond: Math.round(deleted / retentionSeconds),
        rounds: rounds.length,
        // In the steady state a day's rounds delete a rated day's events (and their marks), notifications and scans.
        ratedDayDeletes: ratedDayDeletes,
        secondsPerRatedDay: round(ratedDayDeletes / (deleted / retentionSeconds), 0),
      },
      writers: {
        quiet: { inserts: quietMs.length, p50Ms: percentile(quietMs, 50), p99Ms: percentile(quietMs, 99), maxMs: round(Math.max(...quietMs)) },
        duringRetention: { inserts: busyMs.length, p50Ms: percentile(busyMs, 50), p99Ms: percentile(busyMs, 99), maxMs: round(Math.max(...busyMs)) },
      },
      notMeasured: 'Monthly partitions (dropping a month instead of deleting it) were not built; this measures the batched deletes that run.',
    };
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/retention.json', `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify({ ratedYear: result.ratedYear.totalGiB, retentionRun: result.retentionRun, writers: result.writers })}\n`);
  } finally {
    await sql.end();
    const cleanup = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`drop database if exists ${DATABASE} with (force)`);
    await cleanup.end();
  }
}

main().catch((error: unknown) => {
  log((error as Error).stack ?? String(error));
  process.exit(1);
});
