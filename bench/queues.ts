/**
 * `npm run bench:queues`: notifications through the whole event path — a purchase request submitted (commit) →
 * outbox → relay → `domain-events` → push consumer → `fcm-notifications` job → firebase-admin → local FCM
 * stand-in — on Redis and on BullMQ's PostgreSQL backend. Per backend, three rounds of BENCH_NOTIFICATIONS:
 * latency at the rated load (BENCH_RATE, 84/s = 5,040/min), capacity (offered at BENCH_CAPACITY_RATE, more than
 * the machine takes: what it delivers per minute), and the rated load again while the worker process is killed
 * with SIGKILL once. Writes bench/results/queues.json (one entry per backend).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { parseEnv } from '~/env';
import { createCaller } from '~/server/api/root';
import { createContext } from '~/server/api/trpc';
import { hashPassword } from '~/server/auth/password';
import { newSessionSecret, sha256 } from '~/server/auth/secrets';
import { runMigrations } from '~/server/db/migrate';
import { createLogger } from '~/server/logger';
import { createServices, type Services } from '~/server/services';
import type { Delivery } from '../tests/helpers/fcm-standin';
import { removeKeysUnder } from '../tests/helpers/redis-keys';
import { BENCH_WORKER_APPLICATION } from './lib/bench-worker-name';
import { percentile, round } from './lib/stats';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NOTIFICATIONS = Number(process.env.BENCH_NOTIFICATIONS ?? 5000);
/** The rated load: 84/s is 5,040 notifications a minute, the issue's throughput target. Latency is measured here. */
const RATE = Number(process.env.BENCH_RATE ?? 84);
/** The capacity round offers more than the machine can take, to measure the most it delivers per minute. */
const CAPACITY_RATE = Number(process.env.BENCH_CAPACITY_RATE ?? 150);
/** Seconds of notifications at RATE before anything is measured. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const log = (m: string) => process.stderr.write(`${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every child process of this run, ended on every way out (see the end of this file). */
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Ends `child` (SIGTERM, then SIGKILL after `graceMs`) and waits for it, never longer than that. */
async function stopChild(child: ChildProcess, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit').catch(() => {});
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** `promise`, or an error naming `what` after `ms`: no wait of this benchmark is unbounded. */
async function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Refuses to start while a worker of an earlier run is still attached to PostgreSQL (one run's worker once drained
 * the next run's pushes into its own dead FCM stand-in); then drops what crashed runs left (their databases).
 */
async function refuseLeftovers() {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    const attached = await admin<{ application_name: string; datname: string }[]>`
      select distinct application_name, datname from pg_stat_activity where application_name like ${`${BENCH_WORKER_APPLICATION}-%`}`;
    if (attached.length > 0) {
      const pids = [...new Set(attached.map((a) => a.application_name.slice(BENCH_WORKER_APPLICATION.length + 1)))];
      throw new Error(`a worker of an earlier bench:queues run is still attached (process ${pids.join(', ')}, database ${attached[0]!.datname}): stop it first (kill ${pids.join(' ')})`);
    }
    const stale = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'mi\_bench\_queues\_%'`;
    for (const { datname } of stale) await admin.unsafe(`drop database if exists ${datname} with (force)`);
  } finally {
    await admin.end();
  }
}

async function setup(backend: 'redis' | 'postgres') {
  // A database of this run's own: nothing of an earlier run can find it.
  const name = `mi_bench_queues_${backend}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await runMigrations(databaseUrl);
  const prefix = `bench-q-${randomBytes(3).toString('hex')}:`;
  const env = parseEnv({
    DATABASE_URL: databaseUrl,
    REDIS_URL: backend === 'redis' ? REDIS_URL : '',
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_USER_PER_MINUTE: '100000000',
  });
  const services = createServices(env, { logger: createLogger({ level: 'warn' }), databaseUrl });
  const sql = services.sql;
  const hash = await hashPassword('bench-password');
  const [org] = await sql<{ id: string }[]>`insert into organizations (name, slug) values ('Bench', 'bench') returning id`;
  // Requests spread over 20 stores, as a chain's would: one store would serialize every submit on its counters.
  const stores = await sql<{ id: string }[]>`insert into stores (org_id, code, name) select ${org!.id}, 'B' || i, 'Loja ' || i from generate_series(1, 20) i returning id`;
  const [clerk] = await sql<{ id: string }[]>`insert into users (org_id, email, name, role, password_hash) values (${org!.id}, 'clerk@bench.test', 'Clerk', 'clerk', ${hash}) returning id`;
  const [buyer] = await sql<{ id: string }[]>`insert into users (org_id, email, name, role, password_hash) values (${org!.id}, 'buyer@bench.test', 'Buyer', 'buyer', ${hash}) returning id`;
  await sql`insert into store_memberships (org_id, user_id, store_id) select ${org!.id}, ${clerk!.id}, id from stores where org_id = ${org!.id}`;
  const [product] = await sql<{ id: string }[]>`insert into products (org_id, ean, name, reference_price, buyer_id) values (${org!.id}, '7891000100103', 'Leite', 4.5, ${buyer!.id}) returning id`;
  await sql`insert into device_tokens (org_id, user_id, token) values (${org!.id}, ${buyer!.id}, ${`bench-device-${'d'.repeat(24)}`})`;
  const secret = newSessionSecret();
  await sql`insert into login_sessions (id, org_id, user_id, expires_at) values (${sha256(secret)}, ${org!.id}, ${clerk!.id}, now() + interval '1 day')`;
  const caller = createCaller(
    await createContext({ services, requestId: 'bench', ip: '127.0.0.1', userAgent: 'bench', credentials: { sessionSecret: secret, bearer: null }, secure: false, setHeader: () => {} }),
  );
  return { services, caller, databaseUrl, prefix, storeIds: stores.map((st) => st.id), productId: product!.id, buyerId: buyer!.id, dropName: name };
}

function startWorker(backend: 'redis' | 'postgres', databaseUrl: string, prefix: string, fcmUrl: string): ChildProcess {
  // BENCH_WORKER_CPU_PROF=<dir>: a V8 CPU profile of the worker (written when it exits on SIGTERM).
  const profile = process.env.BENCH_WORKER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_CPU_PROF}`] : [];
  return track(spawn(process.execPath, [...profile, '--import', 'tsx', path.resolve('bench/lib/bench-worker.ts')], {
    env: {
      ...process.env,
      NODE_ENV: 'production' as const,
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_URL: backend === 'redis' ? REDIS_URL : '',
      REDIS_KEY_PREFIX: prefix,
      FCM_PROJECT_ID: 'stand-in',
      FCM_ENDPOINT_OVERRIDE: fcmUrl,
      WORKER_LOCK_DURATION_MS: '5000',
    },
    // The IPC channel is how the worker knows this benchmark is gone (bench/lib/bench-worker.ts).
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  }));
}

/**
 * The same-run baseline (Redis only): BARE_JOBS jobs at the same rate through a bare BullMQ worker process that
 * posts each to the same FCM stand-in (bench/lib/bare-queue-worker.ts). Latency from add to the stand-in's receipt.
 */
const BARE_JOBS = Number(process.env.BENCH_BARE_JOBS ?? 2000);
async function bareBaseline(fcm: StandIn) {
  const prefix = `bench-bare-${randomBytes(3).toString('hex')}`;
  const worker = track(
    spawn(process.execPath, ['--import', 'tsx', path.resolve('bench/lib/bare-queue-worker.ts')], {
      env: { ...process.env, REDIS_URL, BARE_PREFIX: prefix, FCM_URL: fcm.url },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bench-bare', { connection, prefix });
  try {
    await sleep(3000);
    const added = new Map<string, number>();
    const adds: Promise<unknown>[] = [];
    await paced(BARE_JOBS, RATE, (i) => {
      added.set(`bare-${i + 1}`, Date.now());
      adds.push(queue.add('send', { i }, { jobId: `bare-${i + 1}`, removeOnComplete: { count: 100 } }));
    });
    await Promise.all(adds);
    const deliveries: Delivery[] = [];
    for (let i = 0; i < 120 && deliveries.length < BARE_JOBS; i++) {
      await sleep(250);
      deliveries.push(...(await fcm.take()).filter((d) => d.notificationId?.startsWith('bare-')));
    }
    const latencies = deliveries.flatMap((d) => (d.notificationId && added.has(d.notificationId) ? [d.at - added.get(d.notificationId)!] : []));
    return { jobs: BARE_JOBS, delivered: latencies.length, p50LatencyMs: percentile(latencies, 50), p99LatencyMs: percentile(latencies, 99) };
  } finally {
    await stopChild(worker);
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await connection.quit();
  }
}

/** The FCM stand-in in its own process (bench/lib/fcm-standin-process.ts). */
async function startStandInProcess() {
  const child = track(spawn(process.execPath, ['--import', 'tsx', path.resolve('bench/lib/fcm-standin-process.ts')], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const [ready] = (await within('the FCM stand-in starting', 30_000, once(child, 'message'))) as [{ url: string }];
  return {
    url: ready.url,
    pid: child.pid!,
    /** The deliveries since the last call. */
    async take(): Promise<Delivery[]> {
      child.send('take');
      const [answer] = (await within('the FCM stand-in', 30_000, once(child, 'message'))) as [{ deliveries: Delivery[] }];
      return answer.deliveries;
    },
    async close() {
      const exited = once(child, 'exit');
      if (child.connected) child.disconnect();
      await within('the FCM stand-in stopping', 10_000, exited).catch(() => stopChild(child));
    },
  };
}
type StandIn = Awaited<ReturnType<typeof startStandInProcess>>;

type Round = { committed: Map<string, number>; killedAt?: number; inFlightAtKill?: number };

/** Calls `fn(i)` `count` times, `rate` a second on a fixed schedule (a late call does not push the next ones back). */
async function paced(count: number, rate: number, fn: (i: number) => void | Promise<void>) {
  const interval = 1000 / rate;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = started + i * interval - performance.now();
    if (wait > 1) await sleep(wait);
    await fn(i);
  }
}

/** Submits one request per tick at `rate`/s; each commits one buyer notification. */
async function produce(ctx: Awaited<ReturnType<typeof setup>>, round: Round, onHalf?: () => Promise<void>, count = NOTIFICATIONS, rate = RATE) {
  const inflight: Promise<string>[] = [];
  await paced(count, rate, async (i) => {
    if (i === count / 2 && onHalf) await onHalf();
    inflight.push(
      ctx.caller.purchaseRequests
        .create({ id: randomUUID(), storeId: ctx.storeIds[i % ctx.storeIds.length]!, items: [{ productId: ctx.productId, quantity: 1 }], submit: true })
        .then((request) => request.id),
    );
  });
  const requestIds = await Promise.all(inflight);
  // Commit time as PostgreSQL saw it: when the event row was written (clock_timestamp(), the submitting
  // transaction's last statements; the commit follows it, so latencies are slightly overestimated). Read once
  // for the whole round, after it: a lookup per request would load the database under measurement.
  const rows = await ctx.services.sql<{ id: string; committed_ms: number }[]>`
    select n.id, (extract(epoch from e.created_at) * 1000)::float8 as committed_ms
    from notifications n join event_log e on e.id = n.source_event_id::bigint
    where n.data->>'requestId' = any(${requestIds}::text[])`;
  for (const row of rows) round.committed.set(row.id, row.committed_ms);
}

async function waitForDeliveries(services: Services, count: number, buyerId: string, timeoutMs: number) {
  const started = Date.now();
  for (;;) {
    const [row] = await services.sql<{ n: number }[]>`select count(*)::int as n from notifications where user_id = ${buyerId} and push_status = 'sent'`;
    if (row!.n >= count || Date.now() - started > timeoutMs) return row!.n;
    await sleep(250);
  }
}

/** Each notification of the round and when the stand-in first received it, and how many times it did. */
function firstDeliveries(r: Round, deliveries: { notificationId: string | null; at: number }[]) {
  const first = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const d of deliveries) {
    if (!d.notificationId || !r.committed.has(d.notificationId)) continue;
    counts.set(d.notificationId, (counts.get(d.notificationId) ?? 0) + 1);
    if (!first.has(d.notificationId)) first.set(d.notificationId, d.at);
  }
  return { first, counts };
}

function summarize(r: Round, deliveries: { notificationId: string | null; at: number }[]) {
  const { first, counts } = firstDeliveries(r, deliveries);
  const latencies = [...first].map(([id, at]) => at - r.committed.get(id)!);
  const times = [...first.values()];
  const commits = [...r.committed.values()];
  const spanMinutes = (Math.max(...times) - Math.min(...commits)) / 60_000;
  return {
    p50LatencyMs: percentile(latencies, 50),
    p99LatencyMs: percentile(latencies, 99),
    throughputPerMin: round(first.size / spanMinutes, 0),
    /** How fast the app committed the round's requests: below the offered rate, the app was the limit. */
    committedPerMin: round(commits.length / ((Math.max(...commits) - Math.min(...commits)) / 60_000), 0),
    lost: [...r.committed.keys()].filter((id) => !first.has(id)).length,
    duplicates: [...counts.values()].filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0),
    lastDeliveryAt: Math.max(...times),
  };
}

/** BENCH_TIMELINE=<file>: one line per notification, `committedMs deliveredMs` (epoch ms), to find where a tail comes from. */
function timeline(r: Round, deliveries: { notificationId: string | null; at: number }[]) {
  return [...firstDeliveries(r, deliveries).first].map(([id, at]) => `${r.committed.get(id)!.toFixed(1)} ${at}`).sort().join('\n') + '\n';
}

/**
 * Where the time goes, per notification of the steady round (p50/p99, ms): event written → relay took it
 * (published_at), → its domain-events job started, consumers ran, → FCM job started, → delivered. Uses the
 * jobs BullMQ still keeps (the last 2,000 completed per queue), so it covers the round's tail.
 */
async function stageBreakdown(ctx: Awaited<ReturnType<typeof setup>>, deliveries: { notificationId: string | null; at: number }[]) {
  const domain = ctx.services.queues.queue('domain-events');
  const push = ctx.services.queues.queue('fcm-notifications');
  const [domainJobs, pushJobs] = await Promise.all([domain.getJobs(['completed'], 0, 2000), push.getJobs(['completed'], 0, 2000)]);
  // A relay batch's job carries several events (`eventIds`), each of the others one (`eventId`).
  const byEvent = new Map(domainJobs.flatMap((j) => (Array.isArray(j.data.eventIds) ? (j.data.eventIds as number[]) : [Number(j.data.eventId)]).map((id) => [id, j] as const)));
  const byNotification = new Map(pushJobs.map((j) => [String(j.data.notificationId), j]));
  const delivered = new Map(deliveries.map((d) => [d.notificationId, d.at]));
  const rows = await ctx.services.sql<{ id: string; written: number; published: number; event_id: string }[]>`
    select n.id, extract(epoch from e.created_at) * 1000 as written, extract(epoch from e.published_at) * 1000 as published, e.id::text as event_id
    from notifications n join event_log e on e.id = n.source_event_id::bigint where n.id = any(${[...byNotification.keys()]}::uuid[])`;
  const stage: Record<string, number[]> = { toRelay: [], toConsumer: [], consumers: [], toPushJob: [], push: [] };
  for (const r of rows) {
    const d = byEvent.get(Number(r.event_id));
    const p = byNotification.get(r.id);
    const at = delivered.get(r.id);
    if (!d?.processedOn || !d.finishedOn || !p?.processedOn || !at) continue;
    stage.toRelay!.push(Number(r.published) - Number(r.written));
    stage.toConsumer!.push(d.processedOn - Number(r.published));
    stage.consumers!.push(d.finishedOn - d.processedOn);
    stage.toPushJob!.push(p.processedOn - d.finishedOn);
    stage.push!.push(at - p.processedOn);
  }
  return Object.fromEntries(Object.entries(stage).map(([k, v]) => [k, [percentile(v, 50), percentile(v, 99)]]));
}

/**
 * CPU seconds (user + system) and write syscalls (each a wake-up of some other process here: a query, a reply, a
 * Redis command) used so far by the processes `match` selects, read from /proc (Linux).
 */
function usage(match: (pid: number, comm: string) => boolean): { cpu: number; writes: number } {
  let ticks = 0;
  let writes = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!match(Number(entry), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (in clock ticks of 1/100 s)
      writes += Number(/^syscw: (\d+)/m.exec(readFileSync(`/proc/${entry}/io`, 'utf8'))?.[1] ?? 0);
    } catch {
      // The process ended meanwhile.
    }
  }
  return { cpu: ticks / 100, writes };
}

/**
 * CPU and write syscalls per notification of each part of the system on this one machine: the app (this
 * process: the tRPC calls), the worker process, the FCM stand-in, every PostgreSQL backend and Redis.
 * PostgreSQL answers its clients with send(), which /proc does not count: its writes are its own files (WAL).
 */
function cpuMeter(workerPid: () => number | undefined, standInPid: number) {
  const read = () => ({
    at: performance.now(),
    parts: {
      app: usage((pid) => pid === process.pid),
      worker: usage((pid) => pid === workerPid()),
      fcmStandIn: usage((pid) => pid === standInPid),
      postgres: usage((_, comm) => comm === 'postgres'),
      redis: usage((_, comm) => comm.startsWith('redis-server')),
    },
  });
  const start = read();
  return (count: number) => {
    const end = read();
    const seconds = (end.at - start.at) / 1000;
    const diff = (key: 'cpu' | 'writes') =>
      Object.fromEntries(Object.entries(end.parts).map(([name, u]) => [name, u[key] - start.parts[name as keyof typeof end.parts][key]]));
    const cpu = diff('cpu');
    const writes = diff('writes');
    const total = Object.values(cpu).reduce((a, b) => a + b, 0);
    return {
      msPerNotification: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round((v * 1000) / count, 2)])),
      writesPerNotification: Object.fromEntries(Object.entries(writes).map(([k, v]) => [k, round(v / count, 1)])),
      coresBusy: round(total / seconds, 2),
      cores: availableParallelism(),
    };
  };
}

async function runBackend(backend: 'redis' | 'postgres') {
  log(`— ${backend}: setting up`);
  const ctx = await setup(backend);
  const fcm = await startStandInProcess();
  let worker = startWorker(backend, ctx.databaseUrl, ctx.prefix, fcm.url);
  await sleep(3000);
  try {
    // Warm-up (not measured): the worker's first jobs pay for JIT compilation, prepared statements and pools.
    const warmup = Math.round(RATE * WARMUP_SECONDS);
    log(`— ${backend}: warm-up, ${warmup} notifications`);
    await produce(ctx, { committed: new Map() }, undefined, warmup);
    await waitForDeliveries(ctx.services, warmup, ctx.buyerId, 60_000);
    await sleep(1000);
    await fcm.take();

    // The baseline right before the measured round, on the same machine at about the same moment.
    let bare: Awaited<ReturnType<typeof bareBaseline>> | undefined;
    if (backend === 'redis' && BARE_JOBS > 0) {
      log(`— ${backend}: baseline, ${BARE_JOBS} jobs through a bare BullMQ worker at ${RATE}/s`);
      bare = await bareBaseline(fcm);
      log(`— ${backend}: baseline ${JSON.stringify(bare)}`);
      await sleep(1000);
      await fcm.take();
    }

    log(`— ${backend}: ${NOTIFICATIONS} notifications at ${RATE}/s`);
    const clean: Round = { committed: new Map() };
    const meter = cpuMeter(() => worker.pid, fcm.pid);
    await produce(ctx, clean);
    await waitForDeliveries(ctx.services, warmup + NOTIFICATIONS, ctx.buyerId, 120_000);
    const cpu = meter(NOTIFICATIONS);
    log(`— ${backend}: cpu ${JSON.stringify(cpu)}`);
    await sleep(1000);
    const deliveries = await fcm.take();
    const steady = summarize(clean, deliveries);
    if (process.env.BENCH_TIMELINE) await writeFile(process.env.BENCH_TIMELINE, timeline(clean, deliveries));
    const stages = await stageBreakdown(ctx, deliveries);
    log(`— ${backend}: stages p50/p99 ms ${JSON.stringify(stages)}`);

    const baseline = bare && { ...bare, p99Ratio: round(steady.p99LatencyMs / Math.max(1, bare.p99LatencyMs), 1) };
    let delivered = warmup + NOTIFICATIONS;
    let capacity: (Omit<ReturnType<typeof summarize>, 'lastDeliveryAt'> & { producedPerSecond: number }) | undefined;
    if (CAPACITY_RATE > 0) {
      log(`— ${backend}: capacity, ${NOTIFICATIONS} notifications offered at ${CAPACITY_RATE}/s`);
      const burst: Round = { committed: new Map() };
      await produce(ctx, burst, undefined, NOTIFICATIONS, CAPACITY_RATE);
      delivered += NOTIFICATIONS;
      await waitForDeliveries(ctx.services, delivered, ctx.buyerId, 600_000);
      await sleep(1000);
      const { lastDeliveryAt: _, ...measured } = summarize(burst, await fcm.take());
      capacity = { producedPerSecond: CAPACITY_RATE, ...measured };
      log(`— ${backend}: capacity ${JSON.stringify(capacity)}`);
    }
    if (process.env.BENCH_SKIP_CRASH) return { backend, notifications: NOTIFICATIONS, producedPerSecond: RATE, ...steady, lastDeliveryAt: undefined, stages, cpu, baseline, capacity };
    log(`— ${backend}: again, killing the worker (SIGKILL) halfway`);
    const crash: Round = { committed: new Map() };
    await produce(ctx, crash, async () => {
      worker.kill('SIGKILL');
      await within('the killed worker exiting', 10_000, once(worker, 'exit'));
      // Counted once the worker is dead: what it left `sending` is exactly what was mid-send at the kill.
      const [row] = await ctx.services.sql<{ n: number }[]>`select count(*)::int as n from notifications where push_status = 'sending'`;
      crash.inFlightAtKill = row!.n;
      crash.killedAt = Date.now();
      worker = startWorker(backend, ctx.databaseUrl, ctx.prefix, fcm.url);
    });
    await waitForDeliveries(ctx.services, delivered + NOTIFICATIONS, ctx.buyerId, 600_000);
    await sleep(1000);
    const crashed = summarize(crash, await fcm.take());
    return {
      backend,
      notifications: NOTIFICATIONS,
      producedPerSecond: RATE,
      ...steady,
      lastDeliveryAt: undefined,
      stages,
      cpu,
      baseline,
      capacity,
      withCrash: {
        lost: crashed.lost,
        duplicates: crashed.duplicates,
        inFlightAtKill: crash.inFlightAtKill ?? 0,
        recoverySeconds: round((crashed.lastDeliveryAt - crash.killedAt!) / 1000, 1),
        p50LatencyMs: crashed.p50LatencyMs,
        p99LatencyMs: crashed.p99LatencyMs,
      },
    };
  } finally {
    await stopChild(worker);
    await fcm.close();
    await ctx.services.close();
    if (!process.env.BENCH_KEEP_DB) {
      const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${ctx.dropName} with (force)`);
      await admin.end();
      if (backend === 'redis') await removeKeysUnder(REDIS_URL, ctx.prefix);
    }
  }
}

// Every way out ends the children: a normal end, an error, Ctrl-C, a SIGTERM. (Killed with SIGKILL, this process
// cannot: the worker then stops itself when its IPC channel closes, and the stand-in likewise.)
const endChildren = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.on('exit', endChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`— ${signal}: stopping`);
    endChildren();
    process.exit(130);
  });
}

try {
  await refuseLeftovers();
  const backends = (process.env.BENCH_BACKENDS ?? 'redis,postgres').split(',') as ('redis' | 'postgres')[];
  const results = [];
  for (const backend of backends) results.push(await runBackend(backend));
  await mkdir('bench/results', { recursive: true });
  await writeFile(process.env.BENCH_OUT ?? 'bench/results/queues.json', `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results)}\n`);
  process.exit(0);
} catch (error) {
  log(`bench:queues failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
