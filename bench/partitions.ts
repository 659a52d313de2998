/**
 * `npm run bench:partitions` (issue 22): what removing a month of events costs, the way the workers do it (deletes
 * in bounded batches, then the vacuum that makes the space reusable) against a table partitioned by month (detach
 * the month's partition, drop it). Both tables have event_log's columns, indexes and row size, and hold the same
 * rows: BENCH_PARTITION_ROWS a month (default 1,000,000) for two months, the older to remove. While each removal
 * runs, a writer inserts an event every 10 ms; its insert latency is compared with the same writer just before.
 * Measured per method: wall time, WAL written (what a replica and the backups must carry), the writer's p50/p99.
 * Writes bench/results/partitions.json.
 *
 * A month at the rated load is 72M events (2.4M a day); deletes cost in proportion to rows (the figures per
 * million rows say how much), a partition drop does not.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import postgres from 'postgres';
import { percentile, round } from './lib/stats';

const ROWS = Number(process.env.BENCH_PARTITION_ROWS ?? 1_000_000);
/** The retention round's batch (RETENTION_BATCH's default). */
const BATCH = Number(process.env.BENCH_PARTITION_BATCH ?? 5000);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'mi_bench_partitions';
const log = (m: string) => process.stderr.write(`${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const OLD_MONTH = '2025-01-01';
const CURRENT_MONTH = '2025-02-01';
const NEXT_MONTH = '2025-03-01';

const columns = `
  id bigserial not null,
  org_id uuid,
  type text not null,
  aggregate_type text not null,
  aggregate_id text not null,
  aggregate_seq integer not null,
  payload jsonb not null,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamp(3) with time zone not null default now(),
  published_at timestamp with time zone,
  processed_at timestamp with time zone`;

/** event_log's indexes. A partitioned table's unique keys must hold the partition key: the per-aggregate sequence is then unique only within a month. */
function indexes(table: string, partitioned: boolean) {
  const key = partitioned ? ', created_at' : '';
  return [
    `alter table ${table} add primary key (id${key})`,
    `alter table ${table} add unique (aggregate_type, aggregate_id, aggregate_seq${key})`,
    `create index on ${table} (org_id, created_at desc nulls last)`,
    `create index on ${table} (id) where published_at is null`,
    `create index on ${table} (id) where processed_at is null`,
  ];
}

/** A month of events, spread over its days, published and processed (what retention may remove). */
const fill = (table: string, month: string) => `
  insert into ${table} (org_id, type, aggregate_type, aggregate_id, aggregate_seq, payload, metadata, created_at, published_at, processed_at)
  select '00000000-0000-4000-8000-000000000001'::uuid, 'purchaseRequest.created', 'purchaseRequest', md5(g::text || '${month}'), 1,
    jsonb_build_object('requestId', md5(g::text), 'storeId', '00000000-0000-4000-8000-000000000002', 'number', g, 'items', 3, 'total', g % 997),
    jsonb_build_object('correlationId', md5(g::text || 'c'), 'userId', '00000000-0000-4000-8000-000000000003'),
    t, t, t
  from generate_series(1, ${ROWS}) g, lateral (select '${month}'::timestamptz + ((g - 1)::float8 / ${ROWS}) * interval '28 days' as t) d`;

/** A steady writer: one event every 10 ms, each insert timed. */
function startWriter(sql: postgres.Sql, table: string) {
  const ms: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const begun = performance.now();
      await sql.unsafe(
        `insert into ${table} (org_id, type, aggregate_type, aggregate_id, aggregate_seq, payload, created_at) values ($1, 'product.updated', 'product', $2, 1, '{"changed":["name"]}', '${CURRENT_MONTH}'::timestamptz + interval '27 days')`,
        ['00000000-0000-4000-8000-000000000001', randomUUID()],
      );
      ms.push(performance.now() - begun);
      await sleep(10);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { inserts: ms.length, p50Ms: round(percentile(ms, 50), 2), p99Ms: round(percentile(ms, 99), 2), maxMs: round(Math.max(...ms), 1) };
    },
  };
}

async function walNow(sql: postgres.Sql): Promise<string> {
  const [row] = await sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
  return row!.lsn;
}
async function walSince(sql: postgres.Sql, from: string): Promise<number> {
  const [row] = await sql<{ bytes: string }[]>`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${from}::pg_lsn)::bigint as bytes`;
  return Number(row!.bytes);
}
const size = async (sql: postgres.Sql, table: string) => {
  const [row] = await sql<{ bytes: string }[]>`
    select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint as bytes from pg_class c
    where c.oid = ${table}::regclass or c.oid in (select inhrelid from pg_inherits where inhparent = ${table}::regclass)`;
  return Number(row!.bytes);
};

/** The writer alone for `ms`, then `removal` with the writer on: what the removal costs, and costs the writer. */
async function measure(sql: postgres.Sql, writerSql: postgres.Sql, table: string, removal: () => Promise<Record<string, number>>) {
  const quiet = startWriter(writerSql, table);
  await sleep(5000);
  const writerQuiet = await quiet.stop();
  await sql`checkpoint`;
  const sizeBefore = await size(sql, table);
  const wal = await walNow(sql);
  const writer = startWriter(writerSql, table);
  const begun = performance.now();
  const details = await removal();
  const seconds = (performance.now() - begun) / 1000;
  const writerDuring = await writer.stop();
  const walBytes = await walSince(sql, wal);
  return {
    seconds: round(seconds, 2),
    walMiB: round(walBytes / 2 ** 20, 1),
    perMillionRows: { seconds: round((seconds * 1_000_000) / ROWS, 2), walMiB: round(walBytes / 2 ** 20 / (ROWS / 1_000_000), 1) },
    sizeBeforeMiB: round(sizeBefore / 2 ** 20, 1),
    sizeAfterMiB: round((await size(sql, table)) / 2 ** 20, 1),
    ...details,
    writerQuiet,
    writerDuring,
  };
}

const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
await admin.unsafe(`create database ${DATABASE}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${DATABASE}`;
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
const writerSql = postgres(url.toString(), { max: 1, onnotice: () => {} });
try {
  const began = performance.now();
  log(`— two tables of ${(2 * ROWS).toLocaleString('en')} events (${ROWS.toLocaleString('en')} a month, two months)`);
  // Autovacuum would run on its own schedule and land in either measurement: off here, and the plain table's
  // vacuum is measured as a step of its removal (what autovacuum then does, at some point, for the delete).
  await sql.unsafe(`create table events_plain (${columns}) with (autovacuum_enabled = off)`);
  await sql.unsafe(`create table events_monthly (${columns}) partition by range (created_at)`);
  await sql.unsafe(`create table events_monthly_2025_01 partition of events_monthly for values from ('${OLD_MONTH}') to ('${CURRENT_MONTH}') with (autovacuum_enabled = off)`);
  await sql.unsafe(`create table events_monthly_2025_02 partition of events_monthly for values from ('${CURRENT_MONTH}') to ('${NEXT_MONTH}') with (autovacuum_enabled = off)`);
  for (const table of ['events_plain', 'events_monthly']) {
    for (const month of [OLD_MONTH, CURRENT_MONTH]) await sql.unsafe(fill(table, month));
    for (const statement of indexes(table, table === 'events_monthly')) await sql.unsafe(statement);
    await sql.unsafe(`analyze ${table}`);
  }
  const generatedSeconds = round((performance.now() - began) / 1000, 0);

  log('— batched deletes (the workers\' retention), then VACUUM');
  const deletes = await measure(sql, writerSql, 'events_plain', async () => {
    let batches = 0;
    let deleted = 0;
    for (;;) {
      const [row] = await sql<{ n: number }[]>`
        with doomed as (select id from events_plain where created_at < ${CURRENT_MONTH}::timestamptz order by id limit ${BATCH}),
        gone as (delete from events_plain e using doomed d where e.id = d.id returning 1)
        select count(*)::int as n from gone`;
      batches++;
      deleted += row!.n;
      if (row!.n < BATCH) break;
    }
    const vacuumBegun = performance.now();
    await sql`vacuum events_plain`;
    return { deleted, batches, vacuumSeconds: round((performance.now() - vacuumBegun) / 1000, 2) };
  });
  log(`  ${JSON.stringify(deletes)}`);

  log('— detach and drop the month\'s partition');
  const drop = await measure(sql, writerSql, 'events_monthly', async () => {
    // CONCURRENTLY: no lock that stops the writer (it must run outside a transaction block, as here).
    await sql.unsafe('alter table events_monthly detach partition events_monthly_2025_01 concurrently');
    await sql.unsafe('drop table events_monthly_2025_01');
    return { deleted: ROWS };
  });
  log(`  ${JSON.stringify(drop)}`);

  const result = {
    generatedAt: new Date().toISOString(),
    command: `${process.env.BENCH_PARTITION_ROWS ? `BENCH_PARTITION_ROWS=${ROWS} ` : ''}npm run bench:partitions`,
    machine: '2 cores; PostgreSQL 15 on the same box',
    setup: { rowsPerMonth: ROWS, months: 2, batch: BATCH, generatedSeconds, ratedMonthRows: 72_000_000 },
    batchedDeletes: deletes,
    partitionDrop: drop,
    ratio: { seconds: round(deletes.seconds / drop.seconds, 0), walBytes: round(deletes.walMiB / Math.max(drop.walMiB, 0.1), 0) },
    /** Linear in rows for the deletes (measured per million), constant for a drop: a rated month, estimated. */
    ratedMonthEstimate: { batchedDeletes: { seconds: round(deletes.perMillionRows.seconds * 72, 0), walGiB: round((deletes.perMillionRows.walMiB * 72) / 1024, 1) } },
    notes: [
      'A partitioned table\'s primary and unique keys must include created_at: event_log\'s per-aggregate sequence (unique today) would be unique only within a month, and id alone no longer a key.',
      'Autovacuum off on both: the plain table\'s vacuum is measured as part of its removal (vacuumSeconds), which autovacuum would otherwise do later.',
    ],
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/partitions.json', `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await sql.end();
  await writerSql.end();
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.end();
}
