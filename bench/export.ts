/**
 * `npm run bench:export`: what streaming exports cost the server (issue 16), written to bench/results/export.json.
 * One scratch database seeded at scale 100 (1,000,000 products, src/server/seed/scale.ts). Each round runs against
 * a fresh server process (bench/serve-api.ts: our HTTP server, Redis off) and downloads through the real route,
 * GET /api/export/catalogue.<csv|xlsx>, signed in as an admin:
 *  - baseline: the products under one 5-digit EAN prefix (~10,000 rows: the same query path, an index range);
 *  - full: the whole catalogue (1,000,000 rows, name order), twice in a row in the same process (2,000,000 rows):
 *    memory held per row would raise the peak again the second time; a heap sized for the work would not;
 *  - stalled: the whole catalogue, but the reader stops after the first 2 MB and waits (15 s for CSV, 75 s for XLSX:
 *    the kernel's socket buffers, up to ~36 MB here, take data first, and XLSX is produced at ~0.7 MB/s), then hangs
 *    up. Backpressure: the server's RSS must stop growing once those buffers are full.
 * For each: rows, seconds, bytes, and the server's peak resident memory (VmHWM) over its idle RSS, read from
 * /proc/<pid>/status after a warm-up export (which loads exceljs and the query path) and at the end; the RSS is also
 * sampled every 250 ms against the bytes received.
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
/** How long the stalled reader waits, per format, and the window at its end where the server's RSS must stay level. */
const STALL_MS = { csv: 15_000, xlsx: 75_000 };
const STALL_WINDOW_MS = 10_000;

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

type Download = { status: number; bytes: number; seconds: number; stalled?: { rssAtPauseMb: number; windowStartMb: number; endMb: number } };

/**
 * GETs an export, counting its bytes (`onBytes` sees the running total); `stallMs`: stop reading after 2 MB, note the
 * server's RSS then, at the start of the last STALL_WINDOW_MS of the wait, and at its end, then hang up.
 */
function download(url: string, cookie: string, opts: { pid?: number; stallMs?: number; onBytes?: (bytes: number) => void } = {}): Promise<Download> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { cookie }, agent: false }, (response) => {
      let bytes = 0;
      let stalled = false;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        opts.onBytes?.(bytes);
        if (!opts.stallMs || stalled || bytes < STALL_AFTER_BYTES) return;
        stalled = true;
        response.pause();
        void (async () => {
          const rssAtPauseMb = await memoryMb(opts.pid!, 'VmRSS');
          await new Promise((r) => setTimeout(r, opts.stallMs! - STALL_WINDOW_MS));
          const windowStartMb = await memoryMb(opts.pid!, 'VmRSS');
          await new Promise((r) => setTimeout(r, STALL_WINDOW_MS));
          const endMb = await memoryMb(opts.pid!, 'VmRSS');
          request.destroy();
          resolve({ status: response.statusCode ?? 0, bytes, seconds: (performance.now() - started) / 1000, stalled: { rssAtPauseMb, windowStartMb, endMb } });
        })();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes, seconds: (performance.now() - started) / 1000 }));
      response.on('error', (error) => (stalled ? undefined : reject(error)));
    });
    request.on('error', (error) => (opts.stallMs ? undefined : reject(error)));
  });
}

async function round(name: string, path: string, rows: number, cookie: string, port: number, opts: { stallMs?: number; twice?: boolean } = {}) {
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
    const result = await download(`${server.url}${path}`, cookie, { pid, stallMs: opts.stallMs, onBytes: (b) => (received = b) });
    clearInterval(sampler);
    const peak = await memoryMb(pid, 'VmHWM');
    const again = opts.twice ? await download(`${server.url}${path}`, cookie) : null;
    const peakAfterSecond = again ? await memoryMb(pid, 'VmHWM') : null;
    /** The highest RSS over idle seen until `share` of the file had arrived. */
    const peakUntil = (share: number) => Math.round(Math.max(idleRss, ...timeline.filter((t) => t.bytes <= share * result.bytes).map((t) => t.rssMb)) - idleRss);
    const out = {
      name,
      path,
      rows: opts.stallMs ? null : rows,
      status: result.status,
      seconds: Math.round(result.seconds * 10) / 10,
      bytes: result.bytes,
      rowsPerSecond: opts.stallMs ? null : Math.round(rows / result.seconds),
      idleRssMb: Math.round(idleRss),
      peakRssMb: Math.round(peak),
      peakOverIdleMb: Math.round(peak - idleRss),
      sampledPeakOverIdleMbBy: opts.stallMs ? null : { tenthOfRows: peakUntil(0.1), halfOfRows: peakUntil(0.5), allRows: peakUntil(1) },
      secondRun: again ? { status: again.status, seconds: Math.round(again.seconds * 10) / 10, bytes: again.bytes, peakOverIdleMbAfterBoth: Math.round(peakAfterSecond! - idleRss) } : null,
      stall: result.stalled
        ? {
            waitedMs: opts.stallMs,
            rssAtPauseOverIdleMb: Math.round(result.stalled.rssAtPauseMb - idleRss),
            growthUntilWindowMb: Math.round((result.stalled.windowStartMb - result.stalled.rssAtPauseMb) * 10) / 10,
            growthInLastWindowMb: Math.round((result.stalled.endMb - result.stalled.windowStartMb) * 10) / 10,
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
  const whole = `/api/export/catalogue.${format}?active=all`;
  rounds.push(await round(`baseline ${format}: ${prefix!.n} rows`, `/api/export/catalogue.${format}?search=${prefix!.prefix}&active=all`, prefix!.n, cookie, port + rounds.length));
  rounds.push(await round(`full ${format}: ${all!.n} rows, twice in one process`, whole, all!.n, cookie, port + rounds.length, { twice: true }));
  rounds.push(await round(`stalled ${format}: the reader stops after 2 MB for ${STALL_MS[format] / 1000} s`, whole, all!.n, cookie, port + rounds.length, { stallMs: STALL_MS[format] }));
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
        peakOverIdleMb: { baseline: base.peakOverIdleMb, full: full.peakOverIdleMb, fullTwice: full.secondRun?.peakOverIdleMbAfterBoth ?? null },
        fullSampledPeakOverIdleMbBy: full.sampledPeakOverIdleMbBy,
        stalledRssGrowthMb: { untilLastWindow: stalled.stall?.growthUntilWindowMb ?? null, inLast10s: stalled.stall?.growthInLastWindowMb ?? null },
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
    'server process VmHWM minus its VmRSS before the round (after the warm-up); fullTwice: the same after exporting the million rows a ' +
    'second time in the same process. sampledPeakOverIdleMbBy: the highest VmRSS (sampled every 250 ms) over idle until a tenth, half ' +
    'and all of the file had arrived. stalledRssGrowthMb: VmRSS growth from the reader pausing until the last 10 s of its wait (the ' +
    "kernel's socket buffers still take data), and within those last 10 s (the server holding the file back). " +
    `Seeding: src/server/seed/scale.ts at scale ${SCALE}.`,
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
