import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from './free-port';
import { removeKeysUnder } from './redis-keys';

/**
 * The layout of docs/deploy.md on one machine: PgBouncer (transaction pooling) in front of the local PostgreSQL,
 * app instances (`src/server/main.ts`, a production build) and worker processes (`workers/main.ts`) on one Redis,
 * HAProxy in front of the apps with ops/cluster/haproxy.cfg. Every process can be stopped (SIGTERM) and started
 * again; `stop()` ends them all and removes the database, the Redis keys and the files.
 */
export type Cluster = Awaited<ReturnType<typeof startCluster>>;

const ADMIN_URL = process.env.E2E_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, exited?: () => string | null) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited?.();
    if (gone) throw new Error(`${what}: ${gone}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type Managed = { name: string; child: ChildProcess | null; start: () => Promise<void>; stop: (signal?: NodeJS.Signals) => Promise<number | null>; output: () => string };

function managed(name: string, spawnIt: () => ChildProcess, ready: () => Promise<boolean>, timeoutMs = 90_000): Managed {
  let log = '';
  const self: Managed = {
    name,
    child: null,
    output: () => log,
    async start() {
      const child = spawnIt();
      self.child = child;
      const keep = (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-20_000));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      await waitFor(`${name} start`, ready, timeoutMs, () => (child.exitCode !== null ? `exited with ${child.exitCode}: ${log.slice(-2000)}` : null));
    },
    async stop(signal = 'SIGTERM') {
      const child = self.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return self;
}

async function httpOk(url: string) {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

export async function startCluster(
  opts: {
    apps?: number;
    workers?: number;
    env?: Record<string, string>;
    /** Runs against the new database (PostgreSQL itself) before any process starts: migrate and seed it here. */
    prepare?: (directUrl: string) => Promise<void>;
  } = {},
) {
  const apps = opts.apps ?? 2;
  const workerCount = opts.workers ?? 2;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mi-cluster-'));
  chmodSync(dir, 0o777);
  const database = `mi_cluster_${randomBytes(4).toString('hex')}`;
  const prefix = `mi-cluster-${randomBytes(4).toString('hex')}:`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${database}`);
  await admin.end();
  const direct = new URL(ADMIN_URL);
  direct.pathname = `/${database}`;
  const dropEverything = async () => {
    const cleanup = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`drop database if exists ${database} with (force)`).catch(() => {});
    await cleanup.end();
    await removeKeysUnder(REDIS_URL, prefix).catch(() => 0);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await opts.prepare?.(direct.toString());
  } catch (error) {
    await dropEverything();
    throw error;
  }

  // PgBouncer, from ops/cluster/pgbouncer.ini with this run's paths and ports (it refuses to run as root).
  const bouncerPort = await freePort();
  const ini = readFileSync('ops/cluster/pgbouncer.ini', 'utf8')
    .replaceAll('@DIR@', dir)
    .replaceAll('@PORT@', String(bouncerPort))
    .replaceAll('@PG_HOST@', direct.hostname)
    .replaceAll('@PG_PORT@', direct.port || '5432');
  writeFileSync(path.join(dir, 'pgbouncer.ini'), ini, { mode: 0o644 });
  writeFileSync(path.join(dir, 'users.txt'), `"${decodeURIComponent(direct.username || 'postgres')}" ""\n`, { mode: 0o644 });
  const pooled = new URL(direct.toString());
  pooled.host = `127.0.0.1:${bouncerPort}`;
  const bouncer = managed(
    'pgbouncer',
    () => spawn('pgbouncer', [...(process.getuid?.() === 0 ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] }),
    async () => {
      const sql = postgres(pooled.toString(), { max: 1, prepare: false, connect_timeout: 2, onnotice: () => {} });
      try {
        await sql`select 1`;
        return true;
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
    20_000,
  );
  try {
    await bouncer.start();
  } catch (error) {
    await bouncer.stop().catch(() => null);
    await dropEverything();
    throw error;
  }

  const dataDir = path.join(dir, 'data');
  const ports = await Promise.all(Array.from({ length: apps }, () => freePort()));
  const lbPort = await freePort();
  const common: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production' as const,
    LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL ?? 'warn',
    DATABASE_URL: pooled.toString(),
    DATABASE_DIRECT_URL: direct.toString(),
    DATABASE_PREPARE: 'false',
    DATABASE_POOL_MAX: '10',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    DATA_DIR: dataDir,
    APP_INSTANCES: String(apps),
    WORKER_PROCESSES: String(workerCount),
    DATABASE_MAX_CONNECTIONS: '400',
    WORKER_NICE: '0',
    TRUST_PROXY: 'true',
    ...opts.env,
  };
  const appProcesses = ports.map((port, i) =>
    managed(
      `app${i + 1}`,
      () =>
        // node itself (not tsx's wrapper): its pid is the server's, for CPU accounting and signals.
        // CLUSTER_APP_NODE_FLAGS: flags for the app instances' node (a benchmark's profile: `--cpu-prof --cpu-prof-dir=…`).
        spawn(process.execPath, [...(process.env.CLUSTER_APP_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', 'src/server/main.ts'], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...common, PORT: String(port), HOST: '127.0.0.1', DEMO_SEED: opts.prepare ? 'false' : 'true', WORKERS_IN_PROCESS: 'false', SHUTDOWN_DRAIN_DELAY_MS: '4500', INSTANCE_NAME: `app${i + 1}` },
        }),
      () => httpOk(`http://127.0.0.1:${port}/api/health/ready`),
    ),
  );
  const workerProcesses = Array.from({ length: workerCount }, (_, i) =>
    managed(
      `worker${i + 1}`,
      () => spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...common, INSTANCE_NAME: `worker${i + 1}` } }),
      async () => {
        const sql = postgres(direct.toString(), { max: 1, onnotice: () => {} });
        try {
          const [row] = await sql<{ n: number }[]>`select count(*)::int as n from process_heartbeats where role = 'workers' and stopped_at is null and beat_at > now() - interval '30 seconds'`;
          return row!.n >= i + 1;
        } finally {
          await sql.end({ timeout: 1 });
        }
      },
    ),
  );
  const lb = managed(
    'haproxy',
    () =>
      spawn('haproxy', ['-db', '-f', 'ops/cluster/haproxy.cfg'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        // The config names two servers: one app instance stands for both.
        env: { ...process.env, MI_LB_BIND: `127.0.0.1:${lbPort}`, MI_APP1: `127.0.0.1:${ports[0]}`, MI_APP2: `127.0.0.1:${ports[1] ?? ports[0]}` },
      }),
    () => httpOk(`http://127.0.0.1:${lbPort}/api/health/ready`),
    20_000,
  );

  const all = () => [lb, ...appProcesses, ...workerProcesses, bouncer];
  const stop = async () => {
    for (const p of all()) await p.stop().catch(() => null);
    await dropEverything();
  };
  try {
    // The first app migrates the database (through DATABASE_DIRECT_URL) and seeds the demo organization.
    await appProcesses[0]!.start();
    await Promise.all([...appProcesses.slice(1).map((p) => p.start()), ...workerProcesses.map((p) => p.start())]);
    await lb.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${lbPort}`,
    appUrls: ports.map((port) => `http://127.0.0.1:${port}`),
    apps: appProcesses,
    workers: workerProcesses,
    /** HAProxy itself: its stdout carries the health checks' verdicts (`Server app/app1 is DOWN, reason: …`). */
    proxy: lb,
    directUrl: direct.toString(),
    /** The processes' ids now (CPU accounting): apps, then workers. */
    pids: () => ({ apps: appProcesses.map((p) => p.child?.pid ?? 0), workers: workerProcesses.map((p) => p.child?.pid ?? 0) }),
    prefix,
    /** Waits until HAProxy's health checks see an instance up again (after its restart). */
    waitReady: (i: number) => waitFor(`app${i + 1} ready`, () => httpOk(`http://127.0.0.1:${ports[i]}/api/health/ready`), 60_000),
    logs: () => Object.fromEntries(all().map((p) => [p.name, p.output()])),
    stop,
  };
}
