/**
 * `npm run bench:dashboard [-- --scale 10] [-- --duration 20]`: the dashboard against the seed's N+1 baseline
 * and the machine's limits, in one run, written to bench/results/dashboard.json (issue 4 describes each scenario).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';
import { parseEnv } from '~/env';
import { buildDashboard } from '~/server/dashboard/service';
import { countQueries } from '~/server/db/query-count';
import { createLogger } from '~/server/logger';
import { createServices } from '~/server/services';
import { naiveDashboard } from './dashboard/naive';
import { startApiServer } from './lib/api-server';
import { dropDashboardBenchDatabase, prepareDashboardBench } from './lib/dashboard-setup';
import { steadyLoad } from './lib/open-loop';
import { round } from './lib/stats';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const SCALE = arg('scale', 1);
const DURATION = arg('duration', 20);
const CONNECTIONS = 500;
const NAIVE_CONNECTIONS = arg('naive-connections', 10);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE = 'mi_bench_dashboard';
const API_PORT = 3400;
const BARE_PORT = 3401;
const log = (msg: string) => process.stderr.write(`${msg}\n`);

type Scenario = {
  p50Ms: number;
  p99Ms: number;
  /** All answers per second, 503s included; `okRps` counts the 2xx only. */
  rps: number;
  okRps?: number;
  shed503Share?: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  shed503?: number;
  connections?: number;
  rate?: number;
  queriesPerRequest?: number;
  hitRate?: number;
  /** Answers 304 Not Modified (the `revalidate` scenario), counted as answered. */
  notModified?: number;
  /** Bytes received per answer, headers included (autocannon's throughput over its answers). */
  bytesPerRequest?: number;
  /** The API server's CPU time (user + system, from /proc) per answer during the scenario. */
  serverCpuMsPerRequest?: number;
};

/** CPU seconds a process has used so far (Linux /proc: utime + stime in clock ticks of 1/100 s). */
async function cpuSecondsOf(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Runs a scenario and adds the server's CPU per answer to it. */
async function withServerCpu<T extends Scenario>(pid: number | undefined, run: () => Promise<T>): Promise<T> {
  const before = await cpuSecondsOf(pid);
  const scenario = await run();
  const after = await cpuSecondsOf(pid);
  const answered = scenario.requests - scenario.errors - scenario.timeouts;
  if (before !== null && after !== null && answered > 0) scenario.serverCpuMsPerRequest = round(((after - before) * 1000) / answered, 3);
  return scenario;
}

async function closedLoop(url: string, headers: Record<string, string>, connections = CONNECTIONS): Promise<Scenario> {
  await new Promise((r) => setTimeout(r, 2000)); // let the previous scenario's connections drain
  const result = await autocannon({ url, connections, duration: DURATION, headers, timeout: 10 });
  const codes = result.statusCodeStats as unknown as Record<string, { count: number }> | undefined;
  const notModified = codes?.['304']?.count ?? 0;
  return {
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    rps: round(result.requests.average, 1),
    requests: result.requests.total,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    shed503: codes?.['503']?.count ?? 0,
    okRps: round((result.requests.total - result.non2xx + notModified) / DURATION, 1),
    shed503Share: round((codes?.['503']?.count ?? 0) / Math.max(1, result.requests.total), 4),
    connections,
    ...(notModified ? { notModified } : {}),
    bytesPerRequest: round(result.throughput.total / Math.max(1, result.requests.total), 0),
  };
}

async function main() {
  const { dbUrl, token, orgId } = await prepareDashboardBench({ database: DATABASE, scale: SCALE, log });
  const seeded = { orgId };

  // Queries per request, counted by the driver's hook (architecture.md's definition), in this process.
  const env = parseEnv({ DATABASE_URL: dbUrl, REDIS_URL, REDIS_KEY_PREFIX: `bench-q-${randomBytes(3).toString('hex')}:`, LOG_LEVEL: 'warn', DATABASE_POOL_MAX: '4' });
  const services = createServices(env, { logger: createLogger({ level: 'warn' }), databaseUrl: dbUrl, countQueries: true });
  await services.sql`select 1`; // the driver's first connection fetches types: not the dashboard's query
  const missQueries = (await countQueries(() => buildDashboard(services.db, seeded.orgId, null))).queries.count;
  log('counting the naive path’s queries…');
  const naiveQueries = (await countQueries(() => naiveDashboard(services.sql, seeded.orgId))).queries.count;
  await services.close();

  const server = await startApiServer({
    port: API_PORT,
    env: {
      DATABASE_URL: dbUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: `bench-${randomBytes(3).toString('hex')}:`,
      // The limiter stays on in every scenario, its limit raised so it never rejects.
      RATE_LIMIT_USER_PER_MINUTE: '1000000000',
      RATE_LIMIT_ANON_PER_MINUTE: '1000000000',
      DATABASE_POOL_MAX: process.env.BENCH_POOL ?? '10',
    },
  });
  const headers = { authorization: `Bearer ${token}` };
  const api = (procedure: string) => `${server.url}/api/trpc/${procedure}`;
  const body = await (await fetch(api('dashboard.summary'), { headers })).text();
  await fetch(api('bench.ceiling'), { headers });
  const bare = spawn(process.execPath, ['--import', 'tsx', path.resolve('bench/lib/bare-server.ts'), String(BARE_PORT)], { stdio: ['pipe', 'pipe', 'inherit'] });
  bare.stdin.end(body);
  await once(bare.stdout, 'data');

  const scenarios: Record<string, Scenario> = {};
  try {
    log(`payload ${body.length} bytes; scenarios of ${DURATION} s each`);
    log('bare…');
    scenarios.bare = await closedLoop(`http://127.0.0.1:${BARE_PORT}/`, {});
    log('ceiling…');
    scenarios.ceiling = await closedLoop(api('bench.ceiling'), headers);
    log('miss…');
    scenarios.miss = { ...(await closedLoop(api('bench.miss'), headers)), queriesPerRequest: missQueries };
    log('cached…');
    await fetch(api('bench.resetStats'), { method: 'POST', headers });
    const pid = server.child.pid;
    scenarios.cached = { ...(await withServerCpu(pid, () => closedLoop(api('dashboard.summary'), headers))), queriesPerRequest: 0 };
    const stats = (await (await fetch(api('bench.stats'), { headers })).json()) as { result: { data: { json: { dashboard: { hitRate: number } } } } };
    scenarios.cached.hitRate = round(stats.result.data.json.dashboard.hitRate, 4);
    // The same answers for a client that accepts brotli (what a browser sends), then for one holding the answer's ETag.
    log('cachedCompressed…');
    scenarios.cachedCompressed = { ...(await withServerCpu(pid, () => closedLoop(api('dashboard.summary'), { ...headers, 'accept-encoding': 'br, gzip' }))), queriesPerRequest: 0 };
    log('revalidate…');
    // A client that holds the answer it read last: the entry is rebuilt first (the earlier scenarios aged it; its
    // 60 s of freshness then outlast the scenario), and the ETag is the uncompressed `fresh` answer's (fetch would ask
    // for brotli, whose answer has an ETag of its own; the rebuilding read says `rebuilt`, the next ones `fresh`).
    await fetch(api('bench.outdate'), { method: 'POST', headers });
    const read = () => fetch(api('dashboard.summary'), { headers: { ...headers, 'accept-encoding': 'identity' } });
    await (await read()).arrayBuffer();
    const etag = (await read()).headers.get('etag') ?? '';
    scenarios.revalidate = { ...(await withServerCpu(pid, () => closedLoop(api('dashboard.summary'), { ...headers, 'if-none-match': etag }))), queriesPerRequest: 0 };
    const steady = (procedure: string, rate: number) =>
      steadyLoad({ url: server.url, path: `/api/trpc/${procedure}`, headers, rate, durationSeconds: DURATION, connections: CONNECTIONS });
    log('steadyCached (100 req/s)…');
    scenarios.steadyCached = { ...(await steady('dashboard.summary', 100)), rate: 100 };
    log('steadyMiss (100 req/s)…');
    scenarios.steadyMiss = { ...(await steady('bench.miss', 100)), rate: 100, queriesPerRequest: missQueries };
    log('steady10x (1000 req/s)…');
    scenarios.steady10x = { ...(await steady('dashboard.summary', 1000)), rate: 1000 };
    log('steady20x (2000 req/s)…');
    scenarios.steady20x = { ...(await withServerCpu(pid, () => steady('dashboard.summary', 2000))), rate: 2000 };
    // Last: its requests outlive the client's 10 s timeout and would keep the server busy during the next scenario.
    log(`naive (${NAIVE_CONNECTIONS} connections)…`);
    scenarios.naive = { ...(await closedLoop(api('bench.naive'), headers, NAIVE_CONNECTIONS)), queriesPerRequest: naiveQueries };
  } finally {
    bare.kill('SIGTERM');
    await server.stop();
  }

  const result = {
    generatedAt: new Date().toISOString(),
    connections: CONNECTIONS,
    scale: SCALE,
    durationSeconds: DURATION,
    payloadBytes: body.length,
    machine: '2 cores; load generator, server, PostgreSQL and Redis on the same box',
    notes: [`naive ran at ${NAIVE_CONNECTIONS} connections: at 500 it answers nothing within the 10 s timeout`],
    targets: { cachedVsBare: 0.5, steady10xP99Ms: 50, steady20xP99Ms: 200 },
    ratios: {
      cachedVsBare: round(scenarios.cached!.okRps! / scenarios.bare!.rps, 3),
      revalidateVsBare: round(scenarios.revalidate!.okRps! / scenarios.bare!.rps, 3),
      compressedBytesVsPlain: round(scenarios.cachedCompressed!.bytesPerRequest! / scenarios.cached!.bytesPerRequest!, 3),
      cachedVsCeiling: round(scenarios.cached!.okRps! / scenarios.ceiling!.okRps!, 3),
      cachedVsNaive: round(scenarios.cached!.rps / Math.max(0.01, scenarios.naive!.rps), 1),
      ceilingVsBare: round(scenarios.ceiling!.rps / scenarios.bare!.rps, 3),
    },
    scenarios,
  };
  await mkdir('bench/results', { recursive: true });
  const file = SCALE === 1 ? 'bench/results/dashboard.json' : `bench/results/dashboard-scale${SCALE}.json`;
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  const rows = Object.entries(scenarios).map(([name, s]) =>
    [name, s.rps, s.p50Ms, s.p99Ms, s.requests, s.errors, s.timeouts, s.non2xx, s.shed503 ?? '', s.queriesPerRequest ?? '', s.hitRate ?? '', s.bytesPerRequest ?? '', s.serverCpuMsPerRequest ?? ''].join('\t'),
  );
  process.stdout.write(`${['scenario', 'rps', 'p50Ms', 'p99Ms', 'requests', 'errors', 'timeouts', 'non2xx', '503', 'queries', 'hitRate', 'bytes', 'cpuMs'].join('\t')}\n${rows.join('\n')}\n`);
  log(`wrote ${file}`);
  await dropDashboardBenchDatabase(DATABASE);
}

await main();
