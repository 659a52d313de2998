/**
 * `npx tsx bench/inventory-finalize.ts [--runs 5] [--lines 20000]`: inventory.finalize of a 20,000-line session
 * (issue 5; target under 2 s), written to bench/results/inventory-finalize.json.
 * Each run opens a session of the same store, syncs every line through inventory.sync in batches of 1,000 (one
 * device, plus a second device recounting every tenth line) and times the finalize call through the real tRPC
 * caller (session check, transaction, totals, stock, event, stats, audit, dashboard invalidation).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import postgres from 'postgres';
import { withCheckDigit } from '~/lib/ean';
import { parseEnv } from '~/env';
import { createCaller } from '~/server/api/root';
import { createContext } from '~/server/api/trpc';
import { newSessionSecret, sha256 } from '~/server/auth/secrets';
import { runMigrations } from '~/server/db/migrate';
import { createLogger } from '~/server/logger';
import { createServices } from '~/server/services';
import { percentile, round } from './lib/stats';
import { device } from '../tests/helpers/devices';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const RUNS = arg('runs', 5);
const LINES = arg('lines', 20_000);
const BATCH = 1000;
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE = 'mi_bench_inventory';
const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DATABASE}`;
  return u.toString();
})();
const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function prepare() {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  await admin.end();
  await runMigrations(dbUrl);

  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  const [org] = await sql<{ id: string }[]>`insert into organizations (name, slug) values ('Bench', 'bench-inventory') returning id`;
  const [store] = await sql<{ id: string }[]>`insert into stores (org_id, code, name) values (${org!.id}, 'B1', 'Loja bench') returning id`;
  const people = await sql<{ id: string; role: string }[]>`
    insert into users (org_id, email, name, role, password_hash)
    values (${org!.id}, 'manager@bench.test', 'Gerente', 'manager', 'x'), (${org!.id}, 'clerk@bench.test', 'Conferente', 'clerk', 'x'),
           (${org!.id}, 'clerk2@bench.test', 'Conferente 2', 'clerk', 'x')
    returning id, role`;
  const secrets: string[] = [];
  for (const person of people) {
    await sql`insert into store_memberships (org_id, user_id, store_id) values (${org!.id}, ${person.id}, ${store!.id})`;
    const secret = newSessionSecret();
    secrets.push(secret);
    await sql`insert into login_sessions (id, org_id, user_id, expires_at) values (${sha256(secret)}, ${org!.id}, ${person.id}, now() + interval '1 day')`;
  }
  const eans = Array.from({ length: LINES }, (_, i) => withCheckDigit(`78966${String(i).padStart(7, '0')}`));
  await sql`
    insert into products (org_id, ean, name, category, reference_price)
    select ${org!.id}, e.ean, 'Produto ' || e.n, 'Cat ' || (e.n % 12), 1 + (e.n % 40)
      from unnest(${sql.array(eans)}::text[]) with ordinality as e(ean, n)`;
  await sql`insert into store_stock (org_id, store_id, product_id, quantity) select org_id, ${store!.id}, id, 10 from products where org_id = ${org!.id}`;
  await sql`analyze`;
  await sql.end();
  return { storeId: store!.id, users: people, secrets, eans };
}

async function main() {
  log(`preparing ${LINES} products…`);
  const { storeId, users, secrets, eans } = await prepare();
  const env = parseEnv({ DATABASE_URL: dbUrl, REDIS_URL, REDIS_KEY_PREFIX: `bench-inv-${randomUUID().slice(0, 6)}:`, LOG_LEVEL: 'warn', RATE_LIMIT_USER_PER_MINUTE: '1000000' });
  const services = createServices(env, { logger: createLogger({ level: 'warn' }), databaseUrl: dbUrl });
  const callerOf = async (secret: string) =>
    createCaller(await createContext({ services, requestId: 'bench', ip: '127.0.0.1', userAgent: 'bench', credentials: { sessionSecret: secret, bearer: null }, secure: false, setHeader: () => {} }));
  const [manager, clerk, clerk2] = await Promise.all(secrets.map(callerOf));
  const clerkIds = users.filter((u) => u.role === 'clerk').map((u) => u.id);

  const finalizeMs: number[] = [];
  const syncBatchMs: number[] = [];
  let entries = 0;
  for (let run = 1; run <= RUNS; run++) {
    const session = await manager!.inventory.open({ storeId, assignments: clerkIds.map((userId) => ({ userId, zone: '' })) });
    let seq = 0;
    const make = (ean: string, quantity: number, zone: string, recount = false) => ({ id: randomUUID(), ean, quantity, zone, countedAt: new Date(), seq: ++seq, recount });
    const counts = eans.map((ean, i) => make(ean, 8 + (i % 3), `Z${i % 20}`));
    const recounts = eans.filter((_, i) => i % 10 === 0).map((ean) => make(ean, 9, 'Z0', true));
    for (let i = 0; i < counts.length; i += BATCH) {
      const started = performance.now();
      await clerk!.inventory.sync({ sessionId: session.id, ...device('tab-1'), pendingCount: Math.max(0, counts.length - i - BATCH), entries: counts.slice(i, i + BATCH) });
      syncBatchMs.push(performance.now() - started);
    }
    for (let i = 0; i < recounts.length; i += BATCH) {
      await clerk2!.inventory.sync({ sessionId: session.id, ...device('tab-2'), pendingCount: 0, entries: recounts.slice(i, i + BATCH) });
    }
    entries = counts.length + recounts.length;
    const started = performance.now();
    const result = await manager!.inventory.finalize({ sessionId: session.id });
    const ms = performance.now() - started;
    if (result.lines !== LINES) throw new Error(`expected ${LINES} lines, finalize wrote ${result.lines}`);
    finalizeMs.push(ms);
    log(`run ${run}: finalize ${round(ms)} ms (${result.lines} lines, variance R$ ${result.varianceValue})`);
  }
  await services.close();

  const output = {
    generatedAt: new Date().toISOString(),
    machine: `${os.cpus().length} cores; PostgreSQL, Redis and the caller on the same box`,
    /** Other work on the box during the run (1-minute load average at the end). */
    loadAverage1m: round(os.loadavg()[0]!),
    lines: LINES,
    entriesPerSession: entries,
    runs: RUNS,
    finalizeP50Ms: percentile(finalizeMs, 50),
    finalizeMaxMs: round(Math.max(...finalizeMs)),
    finalizeRunsMs: finalizeMs.map((ms) => round(ms)),
    targetMs: 2000,
    syncBatchOf1000P50Ms: percentile(syncBatchMs, 50),
    syncBatchOf1000P99Ms: percentile(syncBatchMs, 99),
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/inventory-finalize.json', `${JSON.stringify(output, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.end();
}

main().catch((error: unknown) => {
  log(String((error as Error).stack ?? error));
  process.exit(1);
});
