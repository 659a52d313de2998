/**
 * `npm run bench:watching [-- --duration 10] [-- --rounds 4] [-- --sample 1 | --no-tracing] [-- --as-app-server]`: the cost of watching. bench:dashboard's cached scenario
 * (dashboard.summary from the cache, 50 connections: see CONNECTIONS) against two API servers built alike, one watched — metrics
 * scraped every 5 s (METRICS_TOKEN), every request traced to an OTLP collector (a local sink), the cluster's figures
 * written — and one not (no scrape, no tracing; prom-client's counters count in both: they are not optional). Rounds
 * alternate the two so the machine's drift falls on both; written to bench/results/watching.json.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { parseEnv } from '~/env';
import { startApiServer } from './lib/api-server';
import { cpuMsOf } from './lib/proc';
import { dropDashboardBenchDatabase, prepareDashboardBench } from './lib/dashboard-setup';
import { round } from './lib/stats';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const DURATION = arg('duration', 10);
const ROUNDS = arg('rounds', 4);
/** The watched server's OTEL_TRACES_SAMPLE_RATE; unset: the default an operator gets (src/env.ts). */
const SAMPLE = process.argv.includes('--sample') ? arg('sample', 1) : null;
/** `--no-tracing`: the watched server with metrics only (scraped), to tell their cost from tracing's. */
const NO_TRACING = process.argv.includes('--no-tracing');
/**
 * `--as-app-server`: both servers as `npm start`'s is once a page has been rendered (bench/serve-api.ts,
 * BENCH_AS_APP_SERVER): Node's promise hooks already on, as Next's AsyncLocalStorage leaves them. Tracing's context
 * needs those hooks too; in this API-only process the default run charges them to tracing.
 */
const AS_APP_SERVER = process.argv.includes('--as-app-server');
/** `--same`: both servers unwatched (an A/A run): the ratio this machine gives two identical servers, the noise floor. */
const SAME = process.argv.includes('--same');
/**
 * Enough to keep the server's CPU busy, below where load shedding starts (a quarter of LOAD_SHED_MAX_IN_FLIGHT while
 * the loop lags): at bench:dashboard's 500, what a run sheds swings from 1 % to 40 % between runs of the same
 * server, and the ratio measures that, not the cost of watching.
 */
const CONNECTIONS = 50;
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
const log = (msg: string) => process.stderr.write(`${msg}\n`);

type Run = { rps: number; okRps: number; p50Ms: number; p99Ms: number; errors: number; timeouts: number; non2xx: number; cpuMsPerRequest: number };

async function closedLoop(url: string, headers: Record<string, string>, pid: number, duration = DURATION): Promise<Run> {
  await new Promise((r) => setTimeout(r, 1000));
  const cpuBefore = await cpuMsOf(pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers, timeout: 10 });
  const cpuMs = (await cpuMsOf(pid)) - cpuBefore;
  return {
    cpuMsPerRequest: round(cpuMs / Math.max(1, result.requests.total), 3),
    rps: round(result.requests.average, 1),
    okRps: round((result.requests.total - result.non2xx) / duration, 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

async function main() {
  const { dbUrl, token } = await prepareDashboardBench({ database: 'mi_bench_watching', scale: 1, log });
  const sink = spawn(process.execPath, ['--import', 'tsx', path.resolve('bench/lib/otlp-sink.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: sink.stdout! });
  const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
  const sinkPort = Number(await nextLine());
  const common = {
    DATABASE_URL: dbUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `bench-w-${randomBytes(3).toString('hex')}:`,
    RATE_LIMIT_USER_PER_MINUTE: '1000000000',
    RATE_LIMIT_ANON_PER_MINUTE: '1000000000',
    DATABASE_POOL_MAX: '10',
    ...(AS_APP_SERVER ? { BENCH_AS_APP_SERVER: '1' } : {}),
  };
  const watchedEnv = SAME
    ? common
    : {
        ...common,
        METRICS_TOKEN,
        ...(NO_TRACING ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` }),
        ...(SAMPLE === null ? {} : { OTEL_TRACES_SAMPLE_RATE: String(SAMPLE) }),
      };
  const headers = { authorization: `Bearer ${token}` };
  let scrapes = 0;
  let scrapeMs = 0;
  const runs: { plain: Run[]; watched: Run[] } = { plain: [], watched: [] };
  for (let round_ = 1; round_ <= ROUNDS; round_++) {
    // ABBA in every round: a machine that drifts (this one's throughput swings ±25 % between identical runs) weighs
    // on both sides alike. Each run gets a fresh server on the same port, so no side keeps a slot or a warm heap.
    const order = ['plain', 'watched', 'watched', 'plain'] as const;
    for (const side of order) {
      log(`round ${round_}: ${side}…`);
      const server = await startApiServer({ port: 3410, env: side === 'plain' ? common : watchedEnv });
      // Prometheus's part: a scrape every 5 s of the watched server while it runs.
      const scraper =
        side === 'watched' && !SAME
          ? setInterval(() => {
              const started = performance.now();
              void fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
                .then((r) => r.text())
                .then(() => {
                  scrapes++;
                  scrapeMs += performance.now() - started;
                });
            }, 5_000)
          : undefined;
      try {
        // Warmed up (JIT, connections, the cache entry) before it is measured.
        await closedLoop(`${server.url}/api/trpc/dashboard.summary`, headers, server.child.pid!, 3);
        runs[side].push(await closedLoop(`${server.url}/api/trpc/dashboard.summary`, headers, server.child.pid!));
      } finally {
        clearInterval(scraper);
        await server.stop();
      }
    }
  }
  sink.stdin!.write('stats\n');
  const sinkStats = JSON.parse(await nextLine()) as { requests: number; bytes: number };
  sink.kill('SIGTERM');
  await once(sink, 'exit');

  // Medians: one run disturbed by the machine moves a mean, not a median.
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const mean = (rs: Run[], key: keyof Run) => round(median(rs.map((r) => r[key])), 1);
  const meanCpu = (rs: Run[]) => round(median(rs.map((r) => r.cpuMsPerRequest)), 3);
  const result = {
    generatedAt: new Date().toISOString(),
    command: 'npm run bench:watching',
    machine: '2 cores; load generator, the server, PostgreSQL, Redis and the OTLP sink on the same box',
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    rounds: ROUNDS,
    processes: AS_APP_SERVER
      ? "both as npm start's app server is once Next.js has rendered a page: Node's promise hooks on (an AsyncLocalStorage entered)"
      : "API only (no Next.js): nothing but tracing turns on Node's promise hooks",
    watched: 'METRICS_TOKEN set and /api/metrics scraped every 5 s; OTEL_EXPORTER_OTLP_ENDPOINT set, this share of requests traced (HTTP, tRPC, Redis spans) and exported',
    sampleRate: SAME || NO_TRACING ? null : (SAMPLE ?? parseEnv({}).OTEL_TRACES_SAMPLE_RATE),
    ratio: {
      okRpsWatchedVsPlain: round(mean(runs.watched, 'okRps') / mean(runs.plain, 'okRps'), 3),
      cpuPerRequestPlainVsWatched: round(meanCpu(runs.plain) / meanCpu(runs.watched), 3),
      target: 0.9,
    },
    plain: { okRps: mean(runs.plain, 'okRps'), p50Ms: mean(runs.plain, 'p50Ms'), p99Ms: mean(runs.plain, 'p99Ms'), cpuMsPerRequest: meanCpu(runs.plain), runs: runs.plain },
    watchedRuns: { okRps: mean(runs.watched, 'okRps'), p50Ms: mean(runs.watched, 'p50Ms'), p99Ms: mean(runs.watched, 'p99Ms'), cpuMsPerRequest: meanCpu(runs.watched), runs: runs.watched },
    scrapes: { count: scrapes, meanMs: scrapes ? round(scrapeMs / scrapes, 1) : null },
    otlp: { exportRequests: sinkStats.requests, bytes: sinkStats.bytes },
  };
  await mkdir('bench/results', { recursive: true });
  const variant = SAME ? '-same' : NO_TRACING ? '-metrics-only' : SAMPLE === null ? '' : `-sample${SAMPLE}`;
  const file = `bench/results/watching${variant}${AS_APP_SERVER ? '-app-server' : ''}.json`;
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify({ ratio: result.ratio, plain: [result.plain.okRps, result.plain.cpuMsPerRequest], watched: [result.watchedRuns.okRps, result.watchedRuns.cpuMsPerRequest], scrapes: result.scrapes, otlp: result.otlp })}\n`);
  await dropDashboardBenchDatabase('mi_bench_watching');
}

await main();
