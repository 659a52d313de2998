/**
 * `npm run bench:load` (issue 22; the seed's Part 7): 500 simulated people over HTTP with the seed's roles, against
 * one app instance and against the two-instance layout (docs/deploy.md: HAProxy, PgBouncer, one Redis; the same
 * processes and config as e2e/cluster.spec.ts), each for BENCH_LOAD_SECONDS after a warm-up:
 *   clerks   scan lookups (products.byEan), count (inventory.sync of 1-5 scans), make purchase requests, list theirs;
 *   buyers   read their inbox, decide lines (decideItems), search the catalogue;
 *   managers keep the dashboard's live stream open (a change: the summary again, as the screen does), read count
 *            progress and requests;
 *   admins   their users, stores and audit pages.
 * Think time between actions: exponential, 3 s mean (a clerk's scans 1.5 s). Scale 1 dataset (50 stores, 500
 * people, 10,000 products); each person calls with an API token of their own. Measured per procedure p50/p95/p99,
 * errors, timeouts (10 s), the app processes' CPU per request (from /proc) and every other process's (PostgreSQL,
 * HAProxy, PgBouncer, the load itself), what PostgreSQL's busy connections wait on (pg_stat_activity, sampled), and
 * every acknowledged write (requests, scans) present exactly once afterwards. Writes bench/results/load.json. Needs `npm run build` first.
 * Targets: every procedure p99 < 500 ms and p50 < 100 ms at 500 users, errors < 0.5 %, 0 timeouts.
 * Trials: BENCH_LOAD_LAYOUTS (one,two), BENCH_LOAD_SECONDS, BENCH_LOAD_POOL_MAX (each process's DATABASE_POOL_MAX, 20),
 * BENCH_OUT (elsewhere than the committed figures), CLUSTER_APP_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=…`).
 */
import { fork } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import superjson from 'superjson';
import { newApiToken, sha256 } from '~/server/auth/secrets';
import { runMigrations } from '~/server/db/migrate';
import { SCALE_ORG_SLUG, seedScale } from '~/server/seed/scale';
import { startCluster } from '../tests/helpers/cluster';
import { samplePgActivity } from './lib/pg-activity';
import { cpuBetween, cpuMsOf, machineCpu, runQueueMsOf } from './lib/proc';
import { percentile, round } from './lib/stats';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const USERS = num('BENCH_LOAD_USERS', 500);
const SECONDS = num('BENCH_LOAD_SECONDS', 180);
const WARMUP_SECONDS = num('BENCH_LOAD_WARMUP_SECONDS', 20);
const TIMEOUT_MS = 10_000;
const log = (msg: string) => process.stderr.write(`${msg}\n`);

type Role = 'clerk' | 'buyer' | 'manager' | 'admin';
type Person = { role: Role; token: string; userId: string; storeIds: string[]; sessionId?: string };
type Setup = { url: string; people: Person[]; eans: string[]; productIds: string[]; seconds: number; warmupSeconds: number };
/** `at`: seconds into the measured part, when the call was made. */
type Sample = { procedure: string; ms: number; at: number; ok: boolean; timeout: boolean; status: number | '503 proxy' | `no answer: ${string}` };
/** `cpuMs`: the people's own CPU while measured (they exit before the parent reads the machine's). */
type LoadResult = { samples: Sample[]; requests: string[]; scans: string[]; streamsOpen: number; liveEvents: number; cpuMs: number };

// ---------------------------------------------------------------------------------------------------------------
// The people (a child process at nice 10: on a 2-core box the load must not take the server's CPU).

async function people(setup: Setup): Promise<LoadResult> {
  setPriority(10);
  const samples: Sample[] = [];
  const requests: string[] = [];
  const scans: string[] = [];
  const started = performance.now();
  const end = started + (setup.warmupSeconds + setup.seconds) * 1000;
  // Measured: the calls begun in the window (after the warm-up, before the end); the calls begun by people whose think
  // time ran past the end (up to 5 means) are made but not counted, so the rate is the window's.
  const measuring = () => {
    const elapsed = performance.now() - started;
    return elapsed >= setup.warmupSeconds * 1000 && elapsed < (setup.warmupSeconds + setup.seconds) * 1000;
  };
  const secondsIn = (at: number) => (at - started) / 1000 - setup.warmupSeconds;
  let cpuAtStart: NodeJS.CpuUsage | null = null;
  let cpuInWindow: NodeJS.CpuUsage | null = null;
  const cpuTimer = setTimeout(() => (cpuAtStart = process.cpuUsage()), setup.warmupSeconds * 1000);
  const cpuEndTimer = setTimeout(() => (cpuInWindow = process.cpuUsage(cpuAtStart ?? undefined)), (setup.warmupSeconds + setup.seconds) * 1000);
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
  const think = (meanMs: number) => new Promise((r) => setTimeout(r, Math.min(-Math.log(1 - Math.random()) * meanMs, meanMs * 5)));

  async function call<T>(person: Person, procedure: string, input: unknown, method: 'GET' | 'POST'): Promise<T | null> {
    // As the typed client sends it: superjson (dates and the like keep their type).
    const json = JSON.stringify(superjson.serialize(input));
    const url = method === 'GET' ? `${setup.url}/api/trpc/${procedure}?input=${encodeURIComponent(json)}` : `${setup.url}/api/trpc/${procedure}`;
    const begun = performance.now();
    const record = measuring();
    try {
      const res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${person.token}`, 'content-type': 'application/json', 'accept-encoding': 'gzip, br' },
        body: method === 'POST' ? json : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const text = await res.text();
      // A 503 from HAProxy (no instance up: its HTML page) is not an instance shedding load (JSON): told apart.
      const status = res.status === 503 && res.headers.get('content-type')?.includes('text/html') ? '503 proxy' : res.status;
      if (record) samples.push({ procedure, ms: performance.now() - begun, at: secondsIn(begun), ok: res.ok, timeout: false, status });
      return res.ok ? ((JSON.parse(text) as { result: { data: { json: T } } }).result.data.json) : null;
    } catch (error) {
      const timeout = (error as Error).name === 'TimeoutError';
      // Why a call got no answer (a connection closed or reset under it, say): fetch's error and its cause.
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      const reason = cause ? `${cause.code ?? ''} ${cause.message ?? ''}`.trim() : (error as Error).message;
      if (record) samples.push({ procedure, ms: performance.now() - begun, at: secondsIn(begun), ok: false, timeout, status: timeout ? 'no answer: timeout' : `no answer: ${reason}` });
      return null;
    }
  }

  let streamsOpen = 0;
  let liveEvents = 0;
  const clerk = async (p: Person) => {
    const deviceSecret = randomBytes(32).toString('base64url');
    const deviceId = `tab-${createHash('sha256').update(deviceSecret).digest().subarray(0, 12).toString('base64url')}`;
    let seq = 0;
    while (performance.now() < end) {
      await think(1500);
      const roll = Math.random();
      if (roll < 0.5) await call(p, 'products.byEan', { ean: pick(setup.eans) }, 'GET');
      else if (roll < 0.75 && p.sessionId) {
        const entries = Array.from({ length: 1 + Math.floor(Math.random() * 5) }, () => ({ id: randomUUID(), ean: pick(setup.eans), quantity: 1 + Math.floor(Math.random() * 4), zone: 'A', countedAt: new Date(), seq: ++seq }));
        const done = await call(p, 'inventory.sync', { sessionId: p.sessionId, deviceId, deviceSecret, pendingCount: 0, entries }, 'POST');
        if (done) scans.push(...entries.map((e) => e.id));
      } else if (roll < 0.85) {
        const id = randomUUID();
        const items = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => ({ productId: pick(setup.productIds), quantity: 1 + Math.floor(Math.random() * 10) }));
        const unique = [...new Map(items.map((i) => [i.productId, i])).values()];
        if (await call(p, 'purchaseRequests.create', { id, storeId: p.storeIds[0], items: unique, submit: true }, 'POST')) requests.push(id);
      } else await call(p, 'purchaseRequests.list', { limit: 20, mine: true }, 'GET');
    }
  };
  const buyer = async (p: Person) => {
    while (performance.now() < end) {
      await think(3000);
      const roll = Math.random();
      if (roll < 0.4) await call(p, 'purchaseRequests.inbox', { limit: 25 }, 'GET');
      else if (roll < 0.7) {
        const inbox = await call<{ items: { itemId?: string; id?: string }[] }>(p, 'purchaseRequests.inbox', { limit: 5 }, 'GET');
        const ids = (inbox?.items ?? []).map((i) => i.itemId ?? i.id).filter((id): id is string => Boolean(id)).slice(0, 3);
        if (ids.length > 0) await call(p, 'purchaseRequests.decideItems', { decisions: ids.map((itemId) => ({ itemId, decision: Math.random() < 0.8 ? 'approve' : 'reject' })) }, 'POST');
      } else await call(p, 'products.list', { limit: 25, search: pick(['leite', 'arroz', 'café', 'sabão', 'biscoito']) }, 'GET');
    }
  };
  const manager = async (p: Person) => {
    const storeId = p.storeIds[0] ?? null;
    // The live stream, open all along, as the dashboard screen uses it (use-live-dashboard.ts): an event is the
    // summary again (coalesced over 200 ms), unless it is progress only or carries the version the summary has.
    const stream = new AbortController();
    let pending: NodeJS.Timeout | null = null;
    let version: number | undefined;
    const summary = async () => {
      const answer = await call<{ version: number }>(p, 'dashboard.summary', { storeId }, 'GET');
      if (answer) version = answer.version;
    };
    const heard = (event: { kind?: string; version?: number; progressOnly?: boolean }) => {
      liveEvents++;
      if (event.progressOnly || (event.version !== undefined && event.version === version)) return;
      pending ??= setTimeout(() => {
        pending = null;
        void summary();
      }, 200);
    };
    void (async () => {
      try {
        const res = await fetch(`${setup.url}/api/trpc/dashboard.live?input=${encodeURIComponent(JSON.stringify({ json: { storeId } }))}`, { headers: { authorization: `Bearer ${p.token}`, accept: 'text/event-stream' }, signal: stream.signal });
        if (!res.ok || !res.body) return;
        streamsOpen++;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffered = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const lines = (buffered + value).split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            if (!line.startsWith('data:') || !line.includes('"kind"')) continue;
            let data: { json?: unknown };
            try {
              data = JSON.parse(line.slice(5)) as { json?: unknown };
            } catch {
              continue; // not an event of ours
            }
            heard((data.json ?? data) as Parameters<typeof heard>[0]);
          }
        }
      } catch {
        // aborted at the end
      }
    })();
    await summary();
    while (performance.now() < end) {
      await think(4000);
      const roll = Math.random();
      if (roll < 0.4 && p.sessionId) await call(p, 'inventory.progress', { sessionId: p.sessionId }, 'GET');
      else if (roll < 0.8) await call(p, 'purchaseRequests.list', { limit: 20, storeId }, 'GET');
      else await summary();
    }
    stream.abort();
    if (pending) clearTimeout(pending);
  };
  const admin = async (p: Person) => {
    while (performance.now() < end) {
      await think(5000);
      const roll = Math.random();
      if (roll < 0.4) await call(p, 'admin.users.list', { limit: 25 }, 'GET');
      else if (roll < 0.7) await call(p, 'admin.stores.list', { limit: 25 }, 'GET');
      else await call(p, 'admin.audit.list', { limit: 25 }, 'GET');
    }
  };
  const runs = { clerk, buyer, manager, admin };
  // Arrive over the first 10 s, not all in the same millisecond.
  await Promise.all(setup.people.map(async (p, i) => {
    await new Promise((r) => setTimeout(r, (i / setup.people.length) * 10_000));
    await runs[p.role](p);
  }));
  clearTimeout(cpuTimer);
  clearTimeout(cpuEndTimer);
  const cpu: NodeJS.CpuUsage = cpuInWindow ?? process.cpuUsage(cpuAtStart ?? undefined);
  return { samples, requests, scans, streamsOpen, liveEvents, cpuMs: (cpu.user + cpu.system) / 1000 };
}

if (process.env.BENCH_LOAD_ROLE === 'people') {
  process.once('message', (setup: Setup) => {
    void people(setup).then((result) => process.send!(result, () => process.exit(0)));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The layouts.

async function runLayout(name: 'one' | 'two'): Promise<Record<string, unknown>> {
  const instances = name === 'one' ? 1 : 2;
  let people: Person[] = [];
  let eans: string[] = [];
  let productIds: string[] = [];
  log(`${name} instance(s): preparing the scale-1 dataset…`);
  const cluster = await startCluster({
    apps: instances,
    workers: instances,
    env: { RATE_LIMIT_USER_PER_MINUTE: '1000000', RATE_LIMIT_ANON_PER_MINUTE: '1000000', DATABASE_POOL_MAX: process.env.BENCH_LOAD_POOL_MAX ?? '20', LOG_LEVEL: 'warn', WORKER_NICE: process.env.BENCH_LOAD_WORKER_NICE ?? '10' },
    prepare: async (url) => {
      await runMigrations(url);
      const sql = postgres(url, { max: 4, onnotice: () => {} });
      try {
        const seeded = await seedScale(sql, { scale: 1 });
        await sql`refresh materialized view mv_buyer_approval_stats`;
        const users = await sql<{ id: string; role: Role; stores: string[] }[]>`
          select u.id, u.role::text as role, coalesce(array_agg(m.store_id order by m.store_id) filter (where m.store_id is not null), '{}') as stores
          from users u join organizations o on o.id = u.org_id left join store_memberships m on m.user_id = u.id
          where o.slug = ${SCALE_ORG_SLUG} and u.active group by u.id order by u.role, u.email limit ${USERS}`;
        people = [];
        for (const u of users) {
          const { token, prefix } = newApiToken();
          await sql`insert into api_tokens (org_id, user_id, created_by, name, prefix, token_hash) values (${seeded.orgId}, ${u.id}, ${u.id}, 'bench-load', ${prefix}, ${sha256(token)})`;
          people.push({ role: u.role, token, userId: u.id, storeIds: u.stores });
        }
        eans = (await sql<{ ean: string }[]>`select ean from products where org_id = ${seeded.orgId} and active order by random() limit 2000`).map((r) => r.ean);
        productIds = (await sql<{ id: string }[]>`select id from products where org_id = ${seeded.orgId} and active order by random() limit 500`).map((r) => r.id);
      } finally {
        await sql.end();
      }
    },
  });
  try {
    // A count open in every store, its clerks assigned (the counting side of the load).
    const managers = people.filter((p) => p.role === 'manager');
    const sessionOf = new Map<string, string>();
    for (const m of managers) {
      for (const storeId of m.storeIds) {
        if (sessionOf.has(storeId)) continue;
        const clerks = people.filter((p) => p.role === 'clerk' && p.storeIds.includes(storeId));
        const res = await fetch(`${cluster.url}/api/trpc/inventory.open`, {
          method: 'POST',
          headers: { authorization: `Bearer ${m.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ json: { storeId, assignments: clerks.map((c) => ({ userId: c.userId, zone: 'A' })) } }),
        });
        const body = (await res.json()) as { result?: { data: { json: { id: string } } } };
        if (body.result) sessionOf.set(storeId, body.result.data.json.id);
      }
    }
    for (const p of people) if (p.role === 'clerk' || p.role === 'manager') p.sessionId = p.storeIds.map((s) => sessionOf.get(s)).find(Boolean);
    log(`${name}: ${people.length} people (${['clerk', 'buyer', 'manager', 'admin'].map((r) => `${people.filter((p) => p.role === r).length} ${r}s`).join(', ')}), ${sessionOf.size} counts open; ${WARMUP_SECONDS} s warm-up + ${SECONDS} s…`);

    // HAProxy's verdicts on the instances (DOWN with its reason, UP again) while the people work: why its own 503s came.
    const proxyEvents: string[] = [];
    let atFirstDown: Promise<object[]> | null = null;
    let logsAtFirstDown: Record<string, string> | null = null;
    const measureStart = Date.now();
    cluster.proxy.child?.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (/Server app\/app\d is (DOWN|UP)|has no server available/.test(line) && proxyEvents.length < 50) proxyEvents.push(`+${Math.round((Date.now() - measureStart) / 1000)} s ${line.trim()}`);
        // The first instance taken out: what PostgreSQL's connections were doing then (a pool stuck, and on what).
        if (/is DOWN/.test(line) && !atFirstDown) {
          atFirstDown = snapshotConnections(cluster.directUrl);
          logsAtFirstDown = Object.fromEntries(Object.entries(cluster.logs()).filter(([name]) => name !== 'haproxy').map(([name, log]) => [name, log.slice(-1500)]));
        }
      }
    });
    const pids = cluster.pids();
    const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_LOAD_ROLE: 'people' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.send({ url: cluster.url, people, eans, productIds, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS } satisfies Setup);
    await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
    const cpuBefore = await Promise.all([...pids.apps, ...pids.workers].map(cpuMsOf));
    const queuedBefore = await Promise.all(pids.apps.map(runQueueMsOf));
    const machineBefore = await machineCpu();
    const activity = samplePgActivity(cluster.directUrl);
    const measuredFrom = performance.now();
    const finished = once(child, 'message');
    // The window the people count their calls in; the calls begun before its end are answered after it.
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const cpuAfter = await Promise.all([...pids.apps, ...pids.workers].map(cpuMsOf));
    const queuedAfter = await Promise.all(pids.apps.map(runQueueMsOf));
    const machineAfter = await machineCpu();
    const wall = (performance.now() - measuredFrom) / 1000;
    const database = await activity.stop();
    const [result] = (await finished) as [LoadResult];
    const component = (pid: number) =>
      pids.apps.includes(pid) ? 'apps' : pids.workers.includes(pid) ? 'workers' : pid === child.pid ? 'people (load)' : pid === process.pid ? 'bench' : null;
    const machine = cpuBetween(machineBefore, machineAfter, component);
    machine.msByComponent['people (load)'] = result.cpuMs;
    const appCpuMs = pids.apps.reduce((sum, _, i) => sum + cpuAfter[i]! - cpuBefore[i]!, 0);
    const workerCpuMs = pids.workers.reduce((sum, _, i) => sum + cpuAfter[pids.apps.length + i]! - cpuBefore[pids.apps.length + i]!, 0);

    // Every acknowledged write, once.
    const sql = postgres(cluster.directUrl, { max: 1, onnotice: () => {} });
    const [requests] = await sql<{ n: number }[]>`select count(*)::int as n from purchase_requests where id = any(${result.requests})`;
    const [scans] = await sql<{ n: number }[]>`select count(*)::int as n from count_entries where id = any(${result.scans})`;
    await sql.end();

    const byProcedure: Record<string, unknown> = {};
    for (const procedure of [...new Set(result.samples.map((s) => s.procedure))].sort()) {
      const of = result.samples.filter((s) => s.procedure === procedure);
      const ms = of.map((s) => s.ms);
      byProcedure[procedure] = { count: of.length, p50Ms: percentile(ms, 50), p95Ms: percentile(ms, 95), p99Ms: percentile(ms, 99), errors: of.filter((s) => !s.ok).length, timeouts: of.filter((s) => s.timeout).length, statuses: Object.fromEntries([...new Set(of.filter((s) => !s.ok).map((s) => s.status))].map((st) => [st, of.filter((s) => !s.ok && s.status === st).length])) };
    }
    // Every call by when it was made, in 10 s steps: a tail that comes in bursts (a job, a checkpoint) shows as one.
    const timeline = [];
    for (let from = 0; from < wall; from += 10) {
      const inStep = result.samples.filter((s) => s.at >= from && s.at < from + 10);
      const ms = inStep.map((s) => s.ms);
      if (ms.length > 0) timeline.push({ fromSecond: from, requests: ms.length, errors: inStep.filter((s) => !s.ok).length, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), maxMs: round(Math.max(...ms), 1) });
    }
    const total = result.samples.length;
    const errors = result.samples.filter((s) => !s.ok).length;
    const timeouts = result.samples.filter((s) => s.timeout).length;
    const entries = Object.entries(byProcedure) as [string, { p50Ms: number; p99Ms: number }][];
    return {
      instances,
      workers: instances,
      people: people.length,
      seconds: round(wall, 1),
      requests: total,
      requestsPerSecond: round(total / wall, 1),
      errorRate: round(errors / Math.max(1, total), 5),
      errors,
      timeouts,
      liveStreamsOpen: result.streamsOpen,
      liveEventsHeard: result.liveEvents,
      cpuMsPerRequest: { apps: round(appCpuMs / Math.max(1, total), 2), workers: round(workerCpuMs / Math.max(1, total), 2) },
      // How long each app instance's event loop waited for a core while it had work, per second (mean of the
      // instances; /proc/<pid>/schedstat): time every request queued on that instance spent waiting with it.
      appEventLoopWaitingForCpuMsPerSecond: round(pids.apps.reduce((sum, _, i) => sum + queuedAfter[i]! - queuedBefore[i]!, 0) / pids.apps.length / wall, 1),
      // Where the machine's cores went (every process, PostgreSQL's backends summed), and what PostgreSQL's busy connections did.
      machine: { cores: machine.cores, busyCores: machine.busyCores, cpuMsPerRequestByComponent: Object.fromEntries(Object.entries(machine.msByComponent).sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, ms]) => [k, round(ms / Math.max(1, total), 2)])) },
      database,
      proxyEvents,
      connectionsAtFirstDown: atFirstDown ? await atFirstDown : null,
      logsAtFirstDown,
      writes: { requests: { acknowledged: result.requests.length, present: requests!.n }, scans: { acknowledged: result.scans.length, present: scans!.n } },
      targetsMet: {
        p99Under500: entries.every(([, v]) => v.p99Ms < 500),
        p50Under100: entries.every(([, v]) => v.p50Ms < 100),
        errorsUnderHalfPercent: errors / Math.max(1, total) < 0.005,
        noTimeouts: timeouts === 0,
        writesOnce: requests!.n === result.requests.length && scans!.n === result.scans.length,
      },
      byProcedure,
      timeline,
    };
  } finally {
    await cluster.stop();
  }
}

/** PostgreSQL's client connections now: state, wait, how long in their transaction, and the statement. */
async function snapshotConnections(databaseUrl: string): Promise<object[]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`
      select state, coalesce(wait_event_type || ':' || wait_event, '') as wait,
             round(extract(epoch from now() - xact_start)::numeric, 1)::float8 as "xactSeconds",
             left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query
      from pg_stat_activity
      where backend_type = 'client backend' and datname = current_database() and pid <> pg_backend_pid()
      order by xact_start nulls last`;
    return [...rows];
  } catch (error) {
    return [{ error: String(error) }];
  } finally {
    await sql.end();
  }
}

async function main() {
  const layouts: Record<string, unknown> = {};
  for (const name of (process.env.BENCH_LOAD_LAYOUTS ?? 'one,two').split(',') as ('one' | 'two')[]) {
    layouts[name] = await runLayout(name);
    log(JSON.stringify({ layout: name, ...(layouts[name] as object), byProcedure: undefined, timeline: undefined }));
  }
  const result = {
    generatedAt: new Date().toISOString(),
    command: 'npm run bench:load',
    machine: '2 cores; the people (nice 10), HAProxy, PgBouncer, the app and worker processes, PostgreSQL and Redis on the same box',
    setup: { users: USERS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, thinkTimeMeanMs: { clerk: 1500, buyer: 3000, manager: 4000, admin: 5000 }, timeoutMs: TIMEOUT_MS, dataset: 'scale 1 (50 stores, 500 people, 10,000 products)' },
    targets: { p99Ms: 500, p50Ms: 100, errorRate: 0.005, timeouts: 0 },
    layouts,
  };
  await mkdir('bench/results', { recursive: true });
  // BENCH_OUT: a trial run (one layout, a change being tried) written elsewhere, not over the committed figures.
  await writeFile(process.env.BENCH_OUT ?? 'bench/results/load.json', `${JSON.stringify(result, null, 2)}\n`);
}

if (process.env.BENCH_LOAD_ROLE !== 'people') {
  main().catch((error: unknown) => {
    log((error as Error).stack ?? String(error));
    process.exit(1);
  });
}
