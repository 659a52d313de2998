/**
 * `npm run bench:export`: what streaming exports cost the server (issue 16), written to bench/results/export.json.
 * One scratch database seeded at scale 100 (1,000,000 products, src/server/seed/scale.ts). Each round runs against
 * a fresh server process (bench/serve-api.ts: our HTTP server, Redis off) and downloads one export through the real
 * route, GET /api/export/catalogue.<csv|xlsx>, signed in as an admin:
 *  - baseline: the products under one 5-digit EAN prefix (~10,000 rows: the same query path, an index range);
 *  - full: the whole catalogue (1,000,000 rows, name order);
 *  - stalled: the whole catalogue, but the reader stops after the first 2 MB for 5 s, then hangs up (backpressure:
 *    the server must hold the file back, not buffer it).
 * For each: rows, seconds, bytes, and the server's peak resident memory (VmHWM) over its idle RSS, read from
 * /proc/<pid>/status after a warm-up export (which loads exceljs and the query path) and again at the end. The
 * claim: the peak does not grow with the rows (1M vs 10k).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import postgres from 'postgres';
import { newSessionSecret, sha256 } from '~/server/auth/secrets';
import { runMigrations } from '~/server/db/migrate';
import { SCALE_ORG_SLUG, seedScale } from '~/server/seed/scale';
import { startApiServer } from './lib/api-server';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'mi_bench_export';
const SCALE = Number(process.env.BENCH_EXPORT_SCALE ?? 100);
const STALL_AFTER_BYTES = 2 * 1024 * 1024;
const STALL_MS = 5000;

const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DATABASE}`;
  return u.toString();
})();

async function prepareDatabase() {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  await admin.end();
  await runMigrations(dbUrl);
}

const memoryMb = async (pid: number, field: 'VmHWM' | 'VmRSS') => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
};

type Download = { status: number; bytes: number; seconds: number; stalled?: { rssAtPauseMb: number; after1sMb: number; after5sMb: number } };

/**
 * GETs an export, counting its bytes (`onBytes` sees the running total); `stall`: stop reading after 2 MB, note the
 * server's RSS then, 1 s later (the kernel's socket buffers filled meanwhile) and 5 s later, hang up.
 */
function download(url: string, cookie: string, opts: { pid?: number; stall?: boolean; onBytes?: (bytes: number) => void } = {}): Promise<Download> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { cookie }, agent: false }, (response) => {
      let bytes = 0;
      let stalled = false;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        opts.onBytes?.(bytes);
        if (!opts.stall || stalled || bytes < STALL_AFTER_BYTES) return;
        stalled = true;
        response.pause();
        void (async () => {
          const rssAtPauseMb = await memoryMb(opts.pid!, 'VmRSS');
          await new Promise((r) => setTimeout(r, 1000));
          const after1sMb = await memoryMb(opts.pid!, 'VmRSS');
          await new Promise((r) => setTimeout(r, STALL_MS - 1000));
          const after5sMb = await memoryMb(opts.pid!, 'VmRSS');
          request.destroy();
          resolve({ status: response.statusCode ?? 0, bytes, seconds: (performance.now() - started) / 1000, stalled: { rssAtPauseMb, after1sMb, after5sMb } });
        })();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes, seconds: (performance.now() - started) / 1000 }));
      response.on('error', (error) => (stalled ? undefined : reject(error)));
    });
    request.on('error', (error) => (opts.stall ? undefined : reject(error)));
  });
}

async function round(name: string, path: string, rows: number, cookie: string, port: number, opts: { stall?: boolean } = {}) {
  const server = await startApiServer({
    port,
    env: { DATABASE_URL: dbUrl, REDIS_URL: '', RATE_LIMIT_USER_PER_MINUTE: '100000', LOG_LEVEL: 'warn', EXPORT_TIMEOUT_MS: String(60 * 60_000) },
  });
  try {
    const pid = server.child.pid!;
    // Warm-up: one tiny export of each format loads what every later one uses (exceljs, the query path).
    for (const format of ['csv', 'xlsx']) await download(`${server.url}/api/export/catalogue.${format}?search=7899999`, cookie);
    const idleRss = await memoryMb(pid, 'VmRSS');
    // The server's RSS against the bytes received so far: whether the peak keeps growing with the rows or levels off.
    let received = 0;
    const timeline: { bytes: number; rssMb: number }[] = [];
    const sampler = setInterval(() => void memoryMb(pid, 'VmRSS').then((rssMb) => timeline.push({ bytes: received, rssMb })), 250);
    const result = await download(`${server.url}${path}`, cookie, { pid, stall: opts.stall, onBytes: (b) => (received = b) });
    clearInterval(sampler);
    const peak = await memoryMb(pid, 'VmHWM');
    /** The highest RSS over idle seen until `share` of the file had arrived. */
    const peakUntil = (share: number) => Math.round(Math.max(idleRss, ...timeline.filter((t) => t.bytes <= share * result.bytes).map((t) => t.rssMb)) - idleRss);
    const out = {
      name,
      path,
      rows: opts.stall ? null : rows,
      status: result.status,
      seconds: Math.round(result.seconds * 10) / 10,
      bytes: result.bytes,
      rowsPerSecond: opts.stall ? null : Math.round(rows / result.seconds),
      idleRssMb: Math.round(idleRss),
      peakRssMb: Math.round(peak),
      peakOverIdleMb: Math.round(peak - idleRss),
      sampledPeakOverIdleMbBy: opts.stall ? null : { tenthOfRows: peakUntil(0.1), halfOfRows: peakUntil(0.5), allRows: peakUntil(1) },
      stall: result.stalled
        ? {
            rssAtPauseOverIdleMb: Math.round(result.stalled.rssAtPauseMb - idleRss),
            growthFirstSecondMb: Math.round((result.stalled.after1sMb - result.stalled.rssAtPauseMb) * 10) / 10,
            growthNext4sMb: Math.round((result.stalled.after5sMb - result.stalled.after1sMb) * 10) / 10,
          }
        : null,
    };
    process.stderr.write(`${JSON.stringify(out)}\n`);
    return out;
  } finally {
    await server.stop();
  }
}

await prepareDatabase();
const sql = postgres(dbUrl, { max: 4, onnotice: () => {} });
process.stderr.write(`seeding scale ${SCALE}…\n`);
const seeded = await seedScale(sql, { scale: SCALE, onProgress: (m) => process.stderr.write(`  ${m}\n`) });
const [admin] = await sql<{ id: string; org_id: string }[]>`
  select u.id, u.org_id from users u join organizations o on o.id = u.org_id
  where o.slug = ${SCALE_ORG_SLUG} and u.role = 'admin' order by u.email limit 1`;
const secret = newSessionSecret();
await sql`insert into login_sessions (id, org_id, user_id, expires_at) values (${sha256(secret)}, ${admin!.org_id}, ${admin!.id}, now() + interval '1 day')`;
const cookie = `mi_session=${secret}`;
// The 5-digit EAN prefix whose products number closest to 10,000: the baseline's rows.
const [prefix] = await sql<{ prefix: string; n: number }[]>`
  select left(ean, 5) as prefix, count(*)::int as n from products where org_id = ${seeded.orgId}
  group by 1 order by abs(count(*) - 10000) limit 1`;
const [all] = await sql<{ n: number }[]>`select count(*)::int as n from products where org_id = ${seeded.orgId}`;
await sql.end();

const port = 4500 + Math.floor(Math.random() * 200);
const rounds: Awaited<ReturnType<typeof round>>[] = [];
for (const format of ['csv', 'xlsx'] as const) {
  rounds.push(await round(`baseline ${format}: ${prefix!.n} rows`, `/api/export/catalogue.${format}?search=${prefix!.prefix}&active=all`, prefix!.n, cookie, port + rounds.length));
  rounds.push(await round(`full ${format}: ${all!.n} rows`, `/api/export/catalogue.${format}?active=all`, all!.n, cookie, port + rounds.length));
  rounds.push(await round(`stalled ${format}: the reader stops after 2 MB for ${STALL_MS / 1000} s`, `/api/export/catalogue.${format}?active=all`, all!.n, cookie, port + rounds.length, { stall: true }));
}

const byName = (start: string) => rounds.find((r) => r.name.startsWith(start))!;
const summary = Object.fromEntries(
  (['csv', 'xlsx'] as const).map((format) => {
    const base = byName(`baseline ${format}`);
    const full = byName(`full ${format}`);
    const stalled = byName(`stalled ${format}`);
    return [
      format,
      {
        rows: { baseline: base.rows, full: full.rows },
        seconds: { baseline: base.seconds, full: full.seconds },
        megabytes: { baseline: Math.round(base.bytes / 1e5) / 10, full: Math.round(full.bytes / 1e5) / 10 },
        peakOverIdleMb: { baseline: base.peakOverIdleMb, full: full.peakOverIdleMb, stalled: stalled.peakOverIdleMb },
        fullMinusBaselinePeakMb: full.peakOverIdleMb - base.peakOverIdleMb,
        rowsRatio: Math.round((full.rows ?? 0) / (base.rows ?? 1)),
        fullSampledPeakOverIdleMbBy: full.sampledPeakOverIdleMbBy,
        stalledRssGrowthMb: { firstSecond: stalled.stall?.growthFirstSecondMb ?? null, next4s: stalled.stall?.growthNext4sMb ?? null },
      },
    ];
  }),
);
const out = {
  at: new Date().toISOString(),
  command: 'npm run bench:export',
  node: process.version,
  machine: '2 cores shared with other work; server, client and PostgreSQL on the same box',
  note:
    'Each round on a fresh server process (bench/serve-api.ts, Redis off), after a warm-up export of each format. peakOverIdleMb: the ' +
    'server process VmHWM after the round minus its VmRSS before it (after the warm-up). sampledPeakOverIdleMbBy: the highest VmRSS ' +
    '(sampled every 250 ms) over idle until a tenth, half and all of the file had arrived: V8 grows its heap to a working size early ' +
    'in a long export, then the peak stays level. stalledRssGrowthMb (stall): VmRSS growth in the first second after the reader paused (the ' +
    `kernel's socket buffers still take data) and in the next 4 s (the server held back). Seeding: src/server/seed/scale.ts at scale ${SCALE}.`,
  dataset: { products: all!.n, seedSeconds: Math.round(seeded.timings.total! / 1000) },
  summary,
  rounds,
};
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/export.json', `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
const cleanup = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await cleanup.unsafe(`drop database if exists ${DATABASE} with (force)`);
await cleanup.end();
