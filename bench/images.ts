/**
 * `npm run bench:images`: new products through the whole image pipeline — `products.create` as a buyer (commit) →
 * outbox → relay → `images` consumer (`processing`, a job) → `image-processing` worker: Open Food Facts lookup →
 * photo download → sharp → storage (files under a temporary DATA_DIR) → OpenAI score → `approved` — against the
 * OFF and OpenAI stand-ins in their own processes, answering as slowly as the real services (OFF API ~150 ms, image
 * ~200 ms, OpenAI ~800 ms). Redis backend.
 *
 * The workers run as production runs them with a separate database (`npm run workers`): `startWorkers(services)` in
 * a worker process of their own, this same file started with BENCH_IMAGES_ROLE=worker (workers/main.ts plus an IPC
 * channel). Their own process, so that the benchmark's work (1,000 tRPC creates at once, the polling) does not
 * share their event loop; this file rather than workers/main.ts, so that the OpenAI breaker's state
 * (`services.integrations.get('openai').status()`) can be read where it lives instead of guessed from the calls.
 *
 * Rounds (each product's commit time is its `product.created` event's `created_at`, the transaction's last
 * statement, as bench/queues.ts; its decision time is `products.image_checked_at`, which the pipeline sets when it
 * decides):
 *  1. Light load: BENCH_LIGHT_PRODUCTS paced at BENCH_LIGHT_RATE/s, nothing queues: one product's latency next to
 *     the stand-ins' floor (150 + 200 + 800 = 1,150 ms), and its time in the pipeline, which the worker-slot bound
 *     of the bursts is computed from.
 *  2. `withDefaults`: BENCH_PRODUCTS (1,000) created 50 at a time in parallel, the workers at the defaults of
 *     src/env.ts (IMAGE_CONCURRENCY 32, OPENAI_CONCURRENCY 16: at most 16 / 0.8 s = 1,200 scores a minute).
 *  3. The headline: the same burst with the concurrency raised (BENCH_IMAGE_CONCURRENCY 32,
 *     BENCH_OPENAI_CONCURRENCY 32, BENCH_OFF_CONCURRENCY 16; `settings` says which): what more calls in flight
 *     buy when the worker's CPU is the limit. Throughput = products / (last decision − first commit); p50/p99 of decision − commit (a
 *     burst: mostly the wait in the queue); `stagesMs` splits it (to the job, queued, in the pipeline) from
 *     BullMQ's job timestamps; `bounds` gives what each limit allows (worker slots, OpenAI's bulkhead, CPU).
 *  4. Outage: BENCH_OUTAGE_PRODUCTS (300) more; once the first 50 are approved the OpenAI stand-in answers 503 to
 *     every call. Measured: seconds from its first failing call (and from the outage's start) to breaker `open`, the
 *     calls OpenAI got while open (at most one per OPENAI_HALF_OPEN_AFTER_MS, 30 s by default, is the target),
 *     products in review `scoring_unavailable`, dead letters of `image-processing`; watched for
 *     BENCH_OUTAGE_INTERVALS (2.5) half-open intervals after it opened. Then OpenAI recovers: how long until every
 *     waiting product is re-scored and approved.
 * CPU per product of each process (this one, the worker, the stand-ins, PostgreSQL, Redis) from /proc, and the
 * machine's other load (2 cores, shared). Writes bench/results/images.json (BENCH_OUT); drops its database, Redis
 * keys and files at the end (BENCH_KEEP_DB keeps them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { parseEnv } from '~/env';
import { withCheckDigit } from '~/lib/ean';
import { createCaller } from '~/server/api/root';
import { createContext } from '~/server/api/trpc';
import { hashPassword } from '~/server/auth/password';
import { newSessionSecret, sha256 } from '~/server/auth/secrets';
import { runMigrations } from '~/server/db/migrate';
import type { IntegrationStatus } from '~/server/integrations/resilience';
import { createLogger } from '~/server/logger';
import { preparePhoto } from '~/server/images/photo';
import { RESCORABLE } from '~/server/images/queries';
import { queueNames } from '~/server/queues/definitions';
import { startWorkers } from '~/server/runtime/workers';
import { createServices, type Services } from '~/server/services';
import { makePhotoJpeg } from '../tests/helpers/openfoodfacts-standin';
import { removeKeysUnder } from '../tests/helpers/redis-keys';
import { startOpenAIStandInProcess } from './lib/openai-standin-process';
import { startOpenFoodFactsStandInProcess } from './lib/openfoodfacts-standin-process';
import { percentile, round } from './lib/stats';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 1000);
/** Creates in flight at once: a buyer's import screen or a script sends batches, not one product at a time. */
const BATCH = Number(process.env.BENCH_BATCH ?? 50);
const LIGHT_PRODUCTS = Number(process.env.BENCH_LIGHT_PRODUCTS ?? 60);
const LIGHT_RATE = Number(process.env.BENCH_LIGHT_RATE ?? 2);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);
const OUTAGE_PRODUCTS = Number(process.env.BENCH_OUTAGE_PRODUCTS ?? 300);
/** How many half-open intervals the open breaker is watched (the brief: at least 2). */
const OUTAGE_INTERVALS = Number(process.env.BENCH_OUTAGE_INTERVALS ?? 2.5);
const HALF_OPEN_AFTER_MS = Number(process.env.BENCH_OPENAI_HALF_OPEN_AFTER_MS ?? 30_000);
/** The raised concurrency of the headline round (each bulkhead queues at least 3 × IMAGE_CONCURRENCY calls: registry.ts). */
const TUNED = {
  IMAGE_CONCURRENCY: process.env.BENCH_IMAGE_CONCURRENCY ?? '32',
  OPENAI_CONCURRENCY: process.env.BENCH_OPENAI_CONCURRENCY ?? '32',
  OPENFOODFACTS_CONCURRENCY: process.env.BENCH_OFF_CONCURRENCY ?? '16',
};
/** src/env.ts's defaults, as a deployment that sets nothing runs. */
const DEFAULTS = (() => {
  const env = parseEnv({});
  return { IMAGE_CONCURRENCY: String(env.IMAGE_CONCURRENCY), OPENAI_CONCURRENCY: String(env.OPENAI_CONCURRENCY), OPENFOODFACTS_CONCURRENCY: String(env.OPENFOODFACTS_CONCURRENCY) };
})();
/** The stand-ins' answer times (their defaults, as the real services): the floor of one product's latency. */
const LATENCY = { offApiMs: 150, offImageMs: 200, openaiMs: 800 };
const FLOOR_MS = LATENCY.offApiMs + LATENCY.offImageMs + LATENCY.openaiMs;
const log = (m: string) => process.stderr.write(`${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ——— The worker process ————————————————————————————————————————————————————————————————————————————————————————

type Transition = { state: IntegrationStatus['state']; at: number; opens: number };
type WorkerReply = { transitions: Transition[] };

/**
 * workers/main.ts, plus: the OpenAI breaker's transitions (each with its exact time, `since`), polled every 20 ms
 * (a half-open test lasts one OpenAI answer, ~800 ms: none is missed), sent to the parent on request.
 */
async function workerMain() {
  const env = parseEnv(process.env);
  const logger = createLogger({ level: env.LOG_LEVEL });
  const services = createServices(env, { logger, databaseUrl: env.DATABASE_URL!, applicationName: 'myinventory-workers' });
  const runtime = await startWorkers(services);
  const transitions: Transition[] = [];
  let last = '';
  const poll = setInterval(() => {
    const status = services.integrations.get('openai')?.status();
    if (!status || status.since === last) return;
    last = status.since;
    transitions.push({ state: status.state, at: Date.parse(status.since), opens: status.opens });
  }, 20);
  process.on('message', (message: { cmd: 'status'; id: number }) => {
    if (message.cmd === 'status') process.send!({ id: message.id, transitions } satisfies WorkerReply & { id: number });
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(poll);
    await runtime.stop(env.SHUTDOWN_TIMEOUT_MS);
    await Promise.race([services.close(), sleep(5_000)]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  process.send!({ ready: true });
}

type Worker = { child: ChildProcess; transitions(): Promise<Transition[]>; stop(): Promise<void> };

async function startWorker(ctx: Ctx, extra: Record<string, string>): Promise<Worker> {
  // BENCH_WORKER_CPU_PROF=<dir>: a V8 CPU profile of the worker (written when it exits).
  const profile = process.env.BENCH_WORKER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: {
      ...process.env,
      BENCH_IMAGES_ROLE: 'worker',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: ctx.databaseUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: ctx.prefix,
      DATA_DIR: ctx.dataDir,
      OPENFOODFACTS_URL: ctx.off.url,
      IMAGE_ALLOWED_HOSTS: new URL(ctx.off.url).host,
      OPENAI_API_KEY: 'bench-key',
      OPENAI_BASE_URL: `${ctx.openai.url}/v1`,
      OPENAI_HALF_OPEN_AFTER_MS: String(HALF_OPEN_AFTER_MS),
      // OFF asks API clients for at most 100 product reads a minute, and the pipeline spaces its lookups to that by
      // default (OPENFOODFACTS_MAX_PER_MINUTE): against the local stand-in that politeness is not what is measured.
      OPENFOODFACTS_MAX_PER_MINUTE: '0',
      // 2,400 scored photos in one org on one day spend ~1.1 M tokens, past the default daily budget (500 k): the
      // budget is a cost guard, not what is measured here, and past it photos would go to review unscored.
      OPENAI_DAILY_TOKEN_BUDGET: '1000000000',
      ...extra,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await once(child, 'message');
  let ids = 0;
  return {
    child,
    async transitions() {
      const id = ++ids;
      child.send({ cmd: 'status', id });
      for (;;) {
        const [reply] = (await once(child, 'message')) as [WorkerReply & { id: number }];
        if (reply.id === id) return reply.transitions;
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ——— Set-up ——————————————————————————————————————————————————————————————————————————————————————————————————————

async function setup() {
  const name = 'mi_bench_images';
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await runMigrations(databaseUrl);
  const prefix = `bench-img-${randomBytes(3).toString('hex')}:`;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mi-bench-images-'));
  // This process only creates products (tRPC) and reads results: no OFF, no OpenAI here.
  const env = parseEnv({
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    DATA_DIR: dataDir,
    OPENFOODFACTS_URL: 'off',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_USER_PER_MINUTE: '100000000',
  });
  const services = createServices(env, { logger: createLogger({ level: 'warn' }), databaseUrl });
  const sql = services.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (name, slug) values ('Bench', 'bench') returning id`;
  const [buyer] = await sql<{ id: string }[]>`insert into users (org_id, email, name, role, password_hash) values (${org!.id}, 'buyer@bench.test', 'Buyer', 'buyer', ${await hashPassword('bench-password')}) returning id`;
  const secret = newSessionSecret();
  await sql`insert into login_sessions (id, org_id, user_id, expires_at) values (${sha256(secret)}, ${org!.id}, ${buyer!.id}, now() + interval '1 day')`;
  const caller = createCaller(
    await createContext({ services, requestId: 'bench', ip: '127.0.0.1', userAgent: 'bench', credentials: { sessionSecret: secret, bearer: null }, secure: false, setHeader: () => {} }),
  );
  const [off, openai] = await Promise.all([startOpenFoodFactsStandInProcess(), startOpenAIStandInProcess()]);
  return { services, caller, databaseUrl, prefix, dataDir, dropName: name, off, openai };
}
type Ctx = Awaited<ReturnType<typeof setup>>;

// ——— Products and their outcome —————————————————————————————————————————————————————————————————————————————————

let nextEan = 1;
/** `count` products through `products.create` as the buyer, `batch` at a time in parallel; their ids. */
async function createProducts(ctx: Ctx, count: number, batch = BATCH): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += batch) {
    const size = Math.min(batch, count - i);
    const created = await Promise.all(
      Array.from({ length: size }, () => {
        const n = nextEan++;
        // Every 13-digit code is found by the OFF stand-in, with its photo.
        return ctx.caller.products.create({ ean: withCheckDigit(`789${String(n).padStart(9, '0')}`), name: `Produto Bench ${n}` });
      }),
    );
    ids.push(...created.map((p) => p.id));
  }
  return ids;
}

/** Products created one at a time at `rate` a second on a fixed schedule (a late create does not push the next back). */
async function createPaced(ctx: Ctx, count: number, rate: number): Promise<string[]> {
  const started = performance.now();
  const inflight: Promise<string[]>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    inflight.push(createProducts(ctx, 1, 1));
  }
  return (await Promise.all(inflight)).flat();
}

type State = { id: string; status: string; reason: string | null };
type Outcome = State & { committed: number; decided: number | null };

/** Where the products stand: primary-key lookups only, cheap enough to poll while the pipeline is measured. */
async function states(services: Services, ids: string[]): Promise<State[]> {
  return services.sql<State[]>`select id, image_status::text as status, image_review_reason as reason from products where id = any(${ids}::uuid[])`;
}

/** Their commit and decision times too: read once the round is over (it looks the events up). */
async function outcomes(services: Services, ids: string[]): Promise<Outcome[]> {
  const rows = await services.sql<{ id: string; status: string; reason: string | null; committed: number; decided: number | null }[]>`
    select p.id, p.image_status::text as status, p.image_review_reason as reason,
      (extract(epoch from e.created_at) * 1000)::float8 as committed,
      (extract(epoch from p.image_checked_at) * 1000)::float8 as decided
    from products p join event_log e on e.aggregate_type = 'product' and e.aggregate_id = p.id::text and e.type = 'product.created'
    where p.id = any(${ids}::uuid[])`;
  return rows.map((r) => ({ ...r, committed: Number(r.committed), decided: r.decided === null ? null : Number(r.decided) }));
}

/** Polls (once a second) until `done` holds for every product or the time is up; then their outcomes. */
async function waitFor(services: Services, ids: string[], done: (o: State) => boolean, timeoutMs: number, label: string): Promise<Outcome[]> {
  const started = Date.now();
  let lastLog = 0;
  for (;;) {
    const finished = (await states(services, ids)).filter(done).length;
    if (finished === ids.length || Date.now() - started > timeoutMs) {
      if (finished < ids.length) log(`  ${label}: timed out with ${finished}/${ids.length}`);
      return outcomes(services, ids);
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${label}: ${finished}/${ids.length}`);
    }
    await sleep(1000);
  }
}
const decided = (o: State) => o.status !== 'processing' && o.status !== 'pending';
const approved = (o: State) => o.status === 'approved';
/** Decided for good: not in review waiting for a re-score (scoring_unavailable, budget_exceeded), which the pipeline itself clears. */
const final = (o: State) => decided(o) && !(o.status === 'manual_review' && (RESCORABLE as readonly (string | null)[]).includes(o.reason));

/** How many times the pipeline put each product in review before its final decision (image.processed events). */
async function reviewDecisions(services: Services, ids: string[]) {
  const [row] = await services.sql<{ n: number }[]>`
    select count(*)::int as n from event_log where type = 'image.processed' and aggregate_id = any(${ids}::text[]) and payload->>'status' = 'manual_review'`;
  return row!.n;
}

async function deadLetters(services: Services) {
  const [row] = await services.sql<{ n: number }[]>`select count(*)::int as n from dead_letter_queue where source_queue = ${queueNames.images}`;
  return row!.n;
}

/** Where each product's time went (p50/p99 ms), from the BullMQ jobs still kept (the last 1,000 completed). */
async function stages(ctx: Ctx, rows: Outcome[]) {
  const jobs = await ctx.services.queues.queue(queueNames.images).getJobs(['completed'], 0, 1000);
  const byProduct = new Map(jobs.map((j) => [String(j.data.productId), j]));
  const s = { toJob: [] as number[], queued: [] as number[], inPipeline: [] as number[] };
  for (const r of rows) {
    const job = byProduct.get(r.id);
    if (!job?.processedOn || r.decided === null) continue;
    // Commit → the consumer queued the job (relay + domain-events job); → a worker took it; → decided.
    s.toJob.push(job.timestamp - r.committed);
    s.queued.push(job.processedOn - job.timestamp);
    s.inPipeline.push(r.decided - job.processedOn);
  }
  const mean = (v: number[]) => (v.length ? round(v.reduce((a, b) => a + b, 0) / v.length, 0) : NaN);
  return {
    jobs: s.inPipeline.length,
    ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { p50: percentile(v, 50), p99: percentile(v, 99), mean: mean(v) }])),
  } as { jobs: number } & Record<keyof typeof s, { p50: number; p99: number; mean: number }>;
}

/** How many of `items` fall under each key (Object.groupBy is Node 21+). */
function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function latencySummary(rows: Outcome[]) {
  const done = rows.filter((r) => r.decided !== null);
  const latencies = done.map((r) => r.decided! - r.committed);
  const firstCommit = Math.min(...rows.map((r) => r.committed));
  const lastDecision = Math.max(...done.map((r) => r.decided!));
  const commits = rows.map((r) => r.committed);
  return {
    products: rows.length,
    throughputPerMin: round((done.length / (lastDecision - firstCommit)) * 60_000, 0),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    approved: rows.filter(approved).length,
    /** How fast the creates committed: far above the pipeline's rate, so the pipeline is what is measured. */
    committedPerMin: round((commits.length / Math.max(1, Math.max(...commits) - firstCommit)) * 60_000, 0),
    spanSeconds: round((lastDecision - firstCommit) / 1000, 1),
  };
}

// ——— CPU ————————————————————————————————————————————————————————————————————————————————————————————————————————

/** CPU seconds (user + system) used so far by the processes `match` selects, from /proc (Linux). */
function cpuSeconds(match: (pid: number, comm: string) => boolean): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!match(Number(entry), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (clock ticks of 1/100 s)
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / 100;
}

/**
 * The worker process's CPU seconds per thread (id → kind, seconds): its JavaScript thread, libvips' threads (sharp's
 * pixel work), and the rest (libuv's pool, where sharp's pipelines and file writes run, V8's GC and compiler).
 */
function workerThreads(pid: number | undefined): Map<string, { kind: 'js' | 'libvips' | 'other'; seconds: number }> {
  const threads = new Map<string, { kind: 'js' | 'libvips' | 'other'; seconds: number }>();
  if (!pid) return threads;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(tid, { kind: Number(tid) === pid ? 'js' : comm.startsWith('libvips') ? 'libvips' : 'other', seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
    }
  } catch {
    // The process or a thread ended meanwhile.
  }
  return threads;
}

/**
 * What each kind of thread used between two readings; libvips starts and ends threads as it goes, and what the
 * threads that ended meanwhile used is only in the process's total: `endedThreads`.
 */
function threadUse(start: ReturnType<typeof workerThreads>, end: ReturnType<typeof workerThreads>, processSeconds: number) {
  const use = { js: 0, libvips: 0, other: 0, endedThreads: 0 };
  for (const [tid, t] of end) use[t.kind] += t.seconds - (start.get(tid)?.seconds ?? 0);
  use.endedThreads = processSeconds - use.js - use.libvips - use.other;
  return use;
}

/** The whole machine's busy CPU seconds (all processes, all cores), from /proc/stat. */
function machineBusySeconds(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
}

/**
 * CPU per product of each part of the system (this process: the tRPC creates; the worker; the stand-ins; the
 * PostgreSQL backends serving this benchmark's database; the Redis server, shared with whatever else runs here)
 * and what the rest of the machine used meanwhile (another engineer's tests).
 */
async function cpuMeter(ctx: Ctx, worker: () => number | undefined) {
  // Only our database's backends: other databases on this server are someone else's load.
  const backends = async () =>
    (await ctx.services.sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`).map((r) => Number(r.pid));
  const ours = new Set(await backends());
  const read = () => ({
    at: performance.now(),
    machine: machineBusySeconds(),
    threads: workerThreads(worker()),
    parts: {
      app: cpuSeconds((pid) => pid === process.pid),
      worker: cpuSeconds((pid) => pid === worker()),
      offStandIn: cpuSeconds((pid) => pid === ctx.off.pid),
      openaiStandIn: cpuSeconds((pid) => pid === ctx.openai.pid),
      postgres: cpuSeconds((pid, comm) => comm === 'postgres' && ours.has(pid)),
      redis: cpuSeconds((_, comm) => comm.startsWith('redis-server')),
    },
  });
  const start = read();
  return async (count: number) => {
    for (const pid of await backends()) if (!ours.has(pid)) ours.add(pid);
    const end = read();
    const seconds = (end.at - start.at) / 1000;
    const used = Object.fromEntries(Object.entries(end.parts).map(([k, v]) => [k, v - start.parts[k as keyof typeof start.parts]]));
    const total = Object.values(used).reduce((a, b) => a + b, 0);
    return {
      msPerProduct: Object.fromEntries(Object.entries(used).map(([k, v]) => [k, round((v * 1000) / count, 1)])),
      workerMsPerProductByThread: Object.fromEntries(Object.entries(threadUse(start.threads, end.threads, used.worker!)).map(([k, v]) => [k, round((v * 1000) / count, 1)])),
      coresBusy: { ours: round(total / seconds, 2), workerProcess: round(used.worker! / seconds, 2), rest: round((end.machine - start.machine - total) / seconds, 2) },
      cores: availableParallelism(),
    };
  };
}

// ——— Rounds ——————————————————————————————————————————————————————————————————————————————————————————————————————

type Concurrency = { image: number; openai: number };

/**
 * A burst of PRODUCTS. Done when each is decided for good: a product put in review `scoring_unavailable` while
 * OpenAI is up (its bulkhead full) is re-scored later, and `reviewDecisions` counts those detours.
 * `bounds`: the most each limit allows, per minute — the worker's slots (IMAGE_CONCURRENCY over one product's time
 * in the pipeline when nothing queues, `uncontendedMs`), OpenAI's bulkhead (OPENAI_CONCURRENCY over its 800 ms), and
 * the CPU (the cores the rest of the machine left over, over the CPU one product costs all our processes).
 */
async function burstRound(ctx: Ctx, worker: Worker, label: string, concurrency: Concurrency, uncontendedMs: number) {
  log(`— ${label}: ${PRODUCTS} products, ${BATCH} at a time`);
  const callsBefore = (await ctx.openai.stats()).calls;
  const meter = await cpuMeter(ctx, () => worker.child.pid);
  const ids = await createProducts(ctx, PRODUCTS);
  const rows = await waitFor(ctx.services, ids, final, 900_000, label);
  const cpu = await meter(PRODUCTS);
  const summary = latencySummary(rows);
  const st = await stages(ctx, rows);
  const openaiCalls = (await ctx.openai.stats()).calls - callsBefore;
  // Little's law: products in the pipeline at once on average = rate × time each spends in it. Next to
  // IMAGE_CONCURRENCY it says whether the worker's slots were the limit; OpenAI calls in flight likewise.
  const perMs = summary.products / (summary.spanSeconds * 1000);
  const result = {
    ...summary,
    reviewDecisions: await reviewDecisions(ctx.services, ids),
    openaiCalls,
    stagesMs: st,
    inPipelineAvg: round(perMs * st.inPipeline.mean, 1),
    openaiInFlightAvg: round((openaiCalls / (summary.spanSeconds * 1000)) * LATENCY.openaiMs, 1),
    cpu,
    bounds: {
      workerSlotsPerMin: round((concurrency.image * 60_000) / uncontendedMs, 0),
      openaiBulkheadPerMin: round((concurrency.openai * 60_000) / LATENCY.openaiMs, 0),
      cpuLeftToUsPerMin: round(((cpu.cores - cpu.coresBusy.rest) * 60_000) / Object.values(cpu.msPerProduct).reduce((a, b) => a + b, 0), 0),
      cpuWholeMachinePerMin: round((cpu.cores * 60_000) / Object.values(cpu.msPerProduct).reduce((a, b) => a + b, 0), 0),
    },
  };
  log(`  ${JSON.stringify(result)}`);
  return result;
}

async function lightRound(ctx: Ctx) {
  log(`— light load: ${LIGHT_PRODUCTS} products at ${LIGHT_RATE}/s`);
  const ids = await createPaced(ctx, LIGHT_PRODUCTS, LIGHT_RATE);
  const rows = await waitFor(ctx.services, ids, decided, 120_000, 'light');
  const { p50Ms, p99Ms, approved: ok } = latencySummary(rows);
  const result = {
    products: LIGHT_PRODUCTS,
    ratePerSec: LIGHT_RATE,
    p50Ms,
    p99Ms,
    approved: ok,
    p50OverFloor: round(p50Ms / FLOOR_MS, 2),
    stagesMs: await stages(ctx, rows),
    sharpCpuMsPerPhoto: await sharpCost(),
  };
  log(`  ${JSON.stringify(result)}`);
  return result;
}

/** CPU (all threads) one preparePhoto of the stand-in's photo costs, here, one at a time: sharp's share of a product. */
async function sharpCost(n = 20) {
  const photo = await makePhotoJpeg();
  await preparePhoto(photo, { maxPixels: 40_000_000 });
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await preparePhoto(photo, { maxPixels: 40_000_000 });
  const used = process.cpuUsage(before);
  return round((used.user + used.system) / 1000 / n, 1);
}

async function outageRound(ctx: Ctx, worker: Worker) {
  log(`— outage: ${OUTAGE_PRODUCTS} products, OpenAI answering 503 to every call once the first are approved`);
  const ids = await createProducts(ctx, OUTAGE_PRODUCTS);
  // The outage starts while the pipeline is busy, as a real one would.
  while ((await states(ctx.services, ids)).filter(approved).length < Math.min(50, OUTAGE_PRODUCTS / 4)) await sleep(100);
  const failAt = Date.now();
  await ctx.openai.command({ cmd: 'fail', kind: '503' });
  const approvedBefore = (await states(ctx.services, ids)).filter(approved).length;

  // Until the breaker opens, then OUTAGE_INTERVALS half-open intervals more.
  let openedAt: number | undefined;
  while (!openedAt && Date.now() - failAt < 120_000) {
    await sleep(200);
    openedAt = (await worker.transitions()).find((t) => t.state === 'open' && t.at >= failAt)?.at;
  }
  if (!openedAt) throw new Error('the OpenAI breaker did not open within 120 s of the outage');
  log(`  breaker open ${((openedAt - failAt) / 1000).toFixed(2)} s after the outage; watching ${OUTAGE_INTERVALS} half-open intervals`);
  await sleep(Math.max(0, openedAt + OUTAGE_INTERVALS * HALF_OPEN_AFTER_MS - Date.now()));

  const during = await outcomes(ctx.services, ids);
  const stats = await ctx.openai.stats();
  const recoverAt = Date.now();
  const failing = stats.callTimes.filter((t) => t >= failAt);
  const whileOpen = failing.filter((t) => t > openedAt);
  const transitions = (await worker.transitions()).filter((t) => t.at >= failAt);
  // The most calls in any window of one half-open interval after it opened (sliding, each window starting at a call).
  const maxPerInterval = whileOpen.reduce((max, t, i) => Math.max(max, whileOpen.slice(i).filter((u) => u < t + HALF_OPEN_AFTER_MS).length), 0);
  const manualReview = during.filter((o) => o.status === 'manual_review' && o.reason === 'scoring_unavailable').length;
  log(`  ${whileOpen.length} calls while open, ${manualReview} in review; recovering`);

  await ctx.openai.command({ cmd: 'recover' });
  const waiting = during.filter((o) => o.status === 'manual_review' && o.reason === 'scoring_unavailable').map((o) => o.id);
  const after = await waitFor(ctx.services, waiting, approved, HALF_OPEN_AFTER_MS * 2 + 180_000, 'rescoring');
  const rescoredAll = after.every(approved);
  const rescoredAt = after.filter(approved).map((o) => o.decided!);
  const closedAt = (await worker.transitions()).find((t) => t.state === 'closed' && t.at >= recoverAt)?.at;
  const result = {
    products: OUTAGE_PRODUCTS,
    approvedBeforeOutage: approvedBefore,
    // From the first call that failed (the breaker's detection); from the command, it includes the wait for a call.
    secondsToOpen: round((openedAt - failing[0]!) / 1000, 2),
    secondsFromOutageStartToOpen: round((openedAt - failAt) / 1000, 2),
    failingCallsBeforeOpen: failing.filter((t) => t <= openedAt).length,
    callsWhileOpen: whileOpen.length,
    callsWhileOpenSecondsAfterOpen: whileOpen.map((t) => round((t - openedAt) / 1000, 2)),
    maxCallsPerHalfOpenInterval: maxPerInterval,
    watchedSeconds: round((recoverAt - openedAt) / 1000, 1),
    breaker: transitions.map((t) => ({ state: t.state, secondsAfterOutage: round((t.at - failAt) / 1000, 2) })),
    manualReview,
    otherStatuses: countBy(during.filter((o) => !(o.status === 'manual_review' && o.reason === 'scoring_unavailable')), (o) => `${o.status}${o.reason ? `:${o.reason}` : ''}`),
    deadLetters: await deadLetters(ctx.services),
    recovery: {
      rescored: after.filter(approved).length,
      of: waiting.length,
      allRescored: rescoredAll,
      breakerClosedAfterRecoveryMs: closedAt ? closedAt - recoverAt : null,
      firstRescoredAfterRecoveryMs: rescoredAt.length ? Math.round(Math.min(...rescoredAt) - recoverAt) : null,
      rescoredAfterRecoveryMs: rescoredAt.length ? Math.round(Math.max(...rescoredAt) - recoverAt) : null,
    },
  };
  log(`  ${JSON.stringify(result)}`);
  return result;
}

async function main() {
  const loadAtStart = loadavg().map((l) => round(l, 2));
  log(`— setting up (load average ${loadAtStart.join(' ')} on ${availableParallelism()} cores)`);
  const ctx = await setup();
  let worker: Worker | undefined;
  try {
    const tuned = { image: Number(TUNED.IMAGE_CONCURRENCY), openai: Number(TUNED.OPENAI_CONCURRENCY) };
    const warmUp = async (w: Worker, label: string) => {
      log(`— ${label}: warm-up, ${WARMUP} products`);
      await waitFor(ctx.services, await createProducts(ctx, WARMUP), final, 120_000, 'warm-up');
      return w;
    };
    // One product at a time first (its time does not depend on the concurrency settings): the uncontended time in
    // the pipeline that the worker-slot bound of both bursts is computed from.
    let withDefaults: Awaited<ReturnType<typeof burstRound>> | undefined;
    let light: Awaited<ReturnType<typeof lightRound>>;
    if (!process.env.BENCH_SKIP_DEFAULTS) {
      worker = await warmUp(await startWorker(ctx, {}), 'defaults');
      light = await lightRound(ctx);
      withDefaults = await burstRound(
        ctx,
        worker,
        `defaults (IMAGE_CONCURRENCY ${DEFAULTS.IMAGE_CONCURRENCY}, OPENAI_CONCURRENCY ${DEFAULTS.OPENAI_CONCURRENCY})`,
        { image: Number(DEFAULTS.IMAGE_CONCURRENCY), openai: Number(DEFAULTS.OPENAI_CONCURRENCY) },
        light.stagesMs.inPipeline.mean,
      );
      await worker.stop();
      worker = await warmUp(await startWorker(ctx, TUNED), `raised concurrency ${JSON.stringify(TUNED)}`);
    } else {
      worker = await warmUp(await startWorker(ctx, TUNED), `raised concurrency ${JSON.stringify(TUNED)}`);
      light = await lightRound(ctx);
    }
    const headline = await burstRound(ctx, worker, 'raised concurrency', tuned, light.stagesMs.inPipeline.mean);
    const outage = await outageRound(ctx, worker);
    const deadLettersAtEnd = await deadLetters(ctx.services);

    const result = {
      products: headline.products,
      throughputPerMin: headline.throughputPerMin,
      p50Ms: headline.p50Ms,
      p99Ms: headline.p99Ms,
      // The issue's four fields first, then the rest of what was measured.
      outage: (({ secondsToOpen, callsWhileOpen, manualReview, deadLetters: letters, ...more }) => ({ secondsToOpen, callsWhileOpen, manualReview, deadLetters: letters, ...more }))(outage),
      approved: headline.approved,
      halfOpenIntervalMs: HALF_OPEN_AFTER_MS,
      maxCallsPerHalfOpenInterval: outage.maxCallsPerHalfOpenInterval,
      rescoredAfterRecoveryMs: outage.recovery.rescoredAfterRecoveryMs,
      deadLettersAtEnd,
      settings: {
        workers: 'startWorkers(services) in a worker process of its own (this file, BENCH_IMAGES_ROLE=worker), Redis backend',
        headline: { ...TUNED, OPENAI_HALF_OPEN_AFTER_MS: String(HALF_OPEN_AFTER_MS), OPENAI_DAILY_TOKEN_BUDGET: '1000000000' },
        defaults: DEFAULTS,
        standInLatencyMs: LATENCY,
        batch: BATCH,
      },
      baseline: {
        floorMs: FLOOR_MS,
        p50OverFloor: round(headline.p50Ms / FLOOR_MS, 1),
        lightLoad: light,
      },
      headline,
      withDefaults,
      machine: { cores: availableParallelism(), loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg().map((l) => round(l, 2)) },
    };
    await mkdir('bench/results', { recursive: true });
    await writeFile(process.env.BENCH_OUT ?? 'bench/results/images.json', `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await worker?.stop();
    await Promise.allSettled([ctx.off.close(), ctx.openai.close()]);
    await ctx.services.close();
    if (!process.env.BENCH_KEEP_DB) {
      const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${ctx.dropName} with (force)`);
      await admin.end();
      await removeKeysUnder(REDIS_URL, ctx.prefix);
      await rm(ctx.dataDir, { recursive: true, force: true });
    }
  }
}

if (process.env.BENCH_IMAGES_ROLE === 'worker') {
  await workerMain();
} else {
  await main();
  process.exit(0);
}
