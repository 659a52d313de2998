/**
 * `npm run bench:stock`: the stock ledger's figures (issue 20), written to bench/results/stock.json.
 * At scale 100 (1,000,000 products, 50 stores carrying 20,000 each) with 10,000,000 stock movements, over HTTP through
 * src/client with an API token:
 *  - stockPageP50Ms: stock.levels first pages of random stores (limit 50), next pages, a name search, below minimum,
 *    an EAN prefix (3, 5, 8 or 12 digits);
 *  - historyP50Ms: stock.history first pages of random products (about 10 movements each) and of one product with
 *    100,000 movements;
 *  - receiptCloseP50Ms: receiving.close of a 500-line receipt (500 approved request items filled, 500 movements);
 *  - finalize: bench/inventory-finalize.ts (20,000 lines, it now writes count_adjustment movements) against the
 *    figure committed before this run.
 * Baselines in the same run: GET /api/health/live (one round trip) and auth.me through the same client (the tRPC
 * floor with the token checked).
 * `--reuse` keeps the database of an earlier run (seeding takes minutes); `BENCH_SCALE` (default 100) and
 * `BENCH_MOVEMENTS` (default 10,000,000) size it.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { createMyInventoryClient, type MyInventoryClient } from '~/client';
import { newApiToken, sha256 } from '~/server/auth/secrets';
import { runMigrations } from '~/server/db/migrate';
import { SCALE_ORG_SLUG, seedScale } from '~/server/seed/scale';
import { startApiServer } from './lib/api-server';
import { round, summary, timeEach } from './lib/stats';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SCALE = Number(process.env.BENCH_SCALE ?? 100);
const MOVEMENTS = Number(process.env.BENCH_MOVEMENTS ?? 10_000_000);
const HOT_MOVEMENTS = 100_000;
const RECEIPT_LINES = 500;
const RECEIPT_RUNS = Number(process.env.BENCH_RECEIPT_RUNS ?? 7);
const DATABASE = 'mi_bench_stock';
const reuse = process.argv.includes('--reuse');
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const count = async (query: Promise<{ n: string }[]>) => Number((await query)[0]!.n);

const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DATABASE}`;
  return u.toString();
})();

async function databaseReady(): Promise<boolean> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${DATABASE}`;
    if (!exists) return false;
  } finally {
    await admin.end();
  }
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: string }[]>`select count(*) as n from stock_movements`;
    return Number(row!.n) >= MOVEMENTS;
  } catch {
    return false;
  } finally {
    await sql.end();
  }
}

/**
 * Movements beyond the seed's opening ones, up to MOVEMENTS: for every stocked product of every store, alternating +1
 * and −1 (an odd number of them adds 1), each with the balance right after it, and the stores' balances moved to
 * match, store by store. One product of the first store gets HOT_MOVEMENTS of its own.
 */
async function addMovements(sql: postgres.Sql, orgId: string) {
  const existing = await count(sql<{ n: string }[]>`select count(*) as n from stock_movements where org_id = ${orgId}`);
  const stocked = await count(sql<{ n: string }[]>`select count(*) as n from store_stock where org_id = ${orgId}`);
  const perRow = Math.max(0, Math.ceil((MOVEMENTS - HOT_MOVEMENTS - existing) / stocked));
  const stores = await sql<{ id: string }[]>`select id from stores where org_id = ${orgId} order by code`;
  const [user] = await sql<{ id: string }[]>`select id from users where org_id = ${orgId} and role = 'manager' limit 1`;
  log(`adding ${perRow} movements to each of ${stocked} stocked products…`);
  const started = performance.now();
  for (const [i, store] of stores.entries()) {
    await sql.begin(async (tx) => {
      await tx`
        insert into stock_movements (org_id, store_id, product_id, quantity, kind, reason, operation_id, balance_after, user_id, created_at)
        select s.org_id, s.store_id, s.product_id, case when k % 2 = 1 then 1 else -1 end,
               'manual_adjustment', 'bench', ('00000000-0000-4000-8000-' || lpad(k::text, 12, '0'))::uuid,
               s.quantity + (k % 2), ${user!.id}, now() - make_interval(days => ${perRow} - k)
          from store_stock s cross join generate_series(1, ${perRow}) k
         where s.store_id = ${store.id}
         order by s.product_id, k`;
      await tx`update store_stock set quantity = quantity + ${perRow % 2} where store_id = ${store.id}`;
    });
    if (i % 10 === 9) log(`  ${i + 1}/${stores.length} stores (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  const [hot] = await sql<{ store_id: string; product_id: string; quantity: string }[]>`
    select store_id, product_id, quantity from store_stock where store_id = ${stores[0]!.id} order by product_id limit 1`;
  await sql.begin(async (tx) => {
    await tx`
      insert into stock_movements (org_id, store_id, product_id, quantity, kind, reason, operation_id, balance_after, user_id)
      select ${orgId}, ${hot!.store_id}, ${hot!.product_id}, case when k % 2 = 1 then 1 else -1 end, 'manual_adjustment', 'bench hot',
             ('00000000-0000-4000-8001-' || lpad(k::text, 12, '0'))::uuid, ${hot!.quantity}::numeric + (k % 2), ${user!.id}
        from generate_series(1, ${HOT_MOVEMENTS}) k order by k`;
  });
  // Minimums above the balance for 5 % of each store's products: the "below minimum" filter has pages to show.
  await sql`
    insert into reorder_rules (org_id, store_id, product_id, min_quantity, reorder_quantity)
    select org_id, store_id, product_id, quantity + 5, 24 from store_stock where org_id = ${orgId} and abs(hashtext(product_id::text)) % 20 = 0
    on conflict do nothing`;
  log(`movements added in ${Math.round((performance.now() - started) / 1000)} s; vacuum analyze…`);
  await sql`vacuum analyze stock_movements, store_stock, reorder_rules`;
}

async function prepare() {
  if (reuse && (await databaseReady())) {
    log(`reusing ${DATABASE}`);
    await runMigrations(dbUrl);
    // A migration that rewrote rows (a backfill) leaves them for autovacuum; the figures are of a settled table.
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    await sql`vacuum analyze store_stock, stock_movements, reorder_rules`;
    await sql.end();
    return;
  }
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  await admin.end();
  await runMigrations(dbUrl);
  const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
  try {
    log(`seeding scale ${SCALE}…`);
    const seeded = await seedScale(sql, { scale: SCALE, onProgress: (m) => log(`  ${m}`) });
    await addMovements(sql, seeded.orgId);
  } finally {
    await sql.end();
  }
}

async function credentials(sql: postgres.Sql) {
  const [admin] = await sql<{ id: string; org_id: string }[]>`
    select u.id, u.org_id from users u join organizations o on o.id = u.org_id where o.slug = ${SCALE_ORG_SLUG} and u.role = 'admin' order by u.email limit 1`;
  const { token, prefix } = newApiToken();
  await sql`insert into api_tokens (org_id, user_id, created_by, name, prefix, token_hash) values (${admin!.org_id}, ${admin!.id}, ${admin!.id}, 'bench', ${prefix}, ${sha256(token)})`;
  return { token, orgId: admin!.org_id };
}

const pick = <T>(items: T[], n: number) => Array.from({ length: n }, (_, i) => items[(i * 7919) % items.length]!);

/** One 500-line delivery: an approved request of 500 products, a receipt with one scan of each, timed close. */
async function receiptClose(client: MyInventoryClient, storeId: string, products: { productId: string; ean: string }[]) {
  const request = await client.purchaseRequests.create.mutate({
    id: randomUUID(),
    storeId,
    note: 'bench:stock',
    items: products.map((p) => ({ productId: p.productId, quantity: 3 })),
    submit: true,
  });
  for (let i = 0; i < request.items.length; i += 200) {
    await client.purchaseRequests.decideItems.mutate({ decisions: request.items.slice(i, i + 200).map((item) => ({ itemId: item.id, decision: 'approve' as const })) });
  }
  const receiptId = randomUUID();
  await client.receiving.open.mutate({ id: receiptId, storeId });
  const answer = await client.receiving.sync.mutate({ receiptId, entries: products.map((p) => ({ id: randomUUID(), ean: p.ean, quantity: 3 })) });
  if (answer.accepted.length !== products.length) throw new Error(`receipt sync stored ${answer.accepted.length} of ${products.length}`);
  const started = performance.now();
  const closed = await client.receiving.close.mutate({ id: receiptId });
  const ms = performance.now() - started;
  if (closed.receipt.status !== 'closed' || closed.lines.length !== products.length) throw new Error('the receipt did not close with every line');
  return ms;
}

async function finalizeFigure(): Promise<{ baselineRef: string | null; committedP50Ms: number | null; p50Ms: number; runsMs: number[] }> {
  const path = 'bench/results/inventory-finalize.json';
  // The figure committed at BENCH_FINALIZE_BASELINE_REF (default HEAD; e.g. the commit before the ledger), not the
  // working file an earlier run rewrote.
  const ref = process.env.BENCH_FINALIZE_BASELINE_REF ?? 'HEAD';
  const committed = await promisify(execFile)('git', ['show', `${ref}:${path}`]).then(
    (r) => r.stdout,
    () => readFile(path, 'utf8'),
  );
  const before = JSON.parse(committed) as { finalizeP50Ms: number };
  log('running bench/inventory-finalize.ts (20,000 lines)…');
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/inventory-finalize.ts', '--runs', '5'], { maxBuffer: 64 * 1024 * 1024 });
  const after = JSON.parse(await readFile(path, 'utf8')) as { finalizeP50Ms: number; finalizeRunsMs: number[] };
  return { baselineRef: ref, committedP50Ms: before.finalizeP50Ms, p50Ms: after.finalizeP50Ms, runsMs: after.finalizeRunsMs };
}

async function main() {
  await prepare();
  const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
  const { token, orgId } = await credentials(sql);
  const movementCount = await count(sql<{ n: string }[]>`select count(*) as n from stock_movements`);
  const productCount = await count(sql<{ n: string }[]>`select count(*) as n from products where org_id = ${orgId}`);
  const stores = (await sql<{ id: string }[]>`select id from stores where org_id = ${orgId} order by code`).map((s) => s.id);
  const stocked = await sql<{ storeId: string; productId: string; name: string; ean: string }[]>`
    select s.store_id as "storeId", s.product_id as "productId", p.name, p.ean from store_stock s join products p on p.id = s.product_id
     where s.org_id = ${orgId} order by random() limit 2000`;
  const eans = new Map(stocked.map((p) => [p.productId, p.ean]));
  const [hot] = await sql<{ storeId: string; productId: string }[]>`
    select store_id as "storeId", product_id as "productId" from stock_movements where reason = 'bench hot' limit 1`;
  // Searches a person would type: the first word of a stocked product's name, cut at 3 to 6 letters, or two words.
  const searches = stocked.slice(0, 300).map((p, i) => {
    const words = p.name.split(' ').filter((w) => w.length >= 3);
    return { storeId: p.storeId, term: i % 3 === 2 && words.length > 1 ? words.slice(0, 2).join(' ') : (words[0] ?? p.name).slice(0, 3 + (i % 4)) };
  });
  // 500 products of the last store for each receipt run (a fresh set per run: each delivery fills its own request).
  const receivingStore = stores[stores.length - 1]!;
  const receivable = await sql<{ productId: string; ean: string }[]>`
    select p.id as "productId", p.ean from products p where p.org_id = ${orgId} and p.active and p.ean !~ '^2' order by p.id limit ${RECEIPT_LINES * RECEIPT_RUNS}`;

  const server = await startApiServer({
    port: 3197,
    env: {
      DATABASE_URL: dbUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: `bench-stock-${randomBytes(3).toString('hex')}:`,
      RATE_LIMIT_USER_PER_MINUTE: '100000000',
      RATE_LIMIT_ANON_PER_MINUTE: '100000000',
    },
  });
  try {
    const client = createMyInventoryClient({ url: server.url, token });
    await client.auth.me.query();
    for (let i = 0; i < 100; i++) await client.stock.levels.query({ storeId: stores[i % stores.length]!, limit: 50 });
    const live = await timeEach(Array.from({ length: 300 }), () => fetch(`${server.url}/api/health/live`).then((r) => r.text()));
    const me = await timeEach(Array.from({ length: 300 }), () => client.auth.me.query());
    const firstPage = await timeEach(pick(stores, 300), (storeId) => client.stock.levels.query({ storeId, limit: 50 }));
    let cursor: string | null = null;
    const nextPages = await timeEach(Array.from({ length: 200 }), async () => {
      const page: { nextCursor: string | null } = await client.stock.levels.query({ storeId: stores[1]!, limit: 50, cursor });
      cursor = page.nextCursor;
    });
    const search = await timeEach(searches, ({ storeId, term }) => client.stock.levels.query({ storeId, limit: 50, search: term }));
    const below = await timeEach(pick(stores, 200), (storeId) => client.stock.levels.query({ storeId, limit: 50, belowMinimum: true }));
    // EAN prefixes as typed, short ("789": nearly every product of the catalogue) to long.
    const prefixes = stocked.slice(0, 200).map((p, i) => ({ storeId: p.storeId, prefix: eans.get(p.productId)!.slice(0, [3, 5, 8, 12][i % 4]) }));
    const eanPrefix = await timeEach(prefixes, ({ storeId, prefix }) => client.stock.levels.query({ storeId, limit: 50, search: prefix }));
    const history = await timeEach(stocked.slice(0, 500), (p) => client.stock.history.query({ storeId: p.storeId, productId: p.productId, limit: 50 }));
    const hotHistory = await timeEach(Array.from({ length: 200 }), () => client.stock.history.query({ storeId: hot!.storeId, productId: hot!.productId, limit: 50 }));
    const closes: number[] = [];
    for (let run = 0; run < RECEIPT_RUNS; run++) {
      closes.push(await receiptClose(client, receivingStore, receivable.slice(run * RECEIPT_LINES, (run + 1) * RECEIPT_LINES)));
      log(`  receipt close ${run + 1}/${RECEIPT_RUNS}: ${round(closes[run]!)} ms`);
    }
    await server.stop();
    await sql.end();
    // BENCH_SKIP_FINALIZE=1: a quick look at the other figures (the finalize bench takes minutes).
    const finalize = process.env.BENCH_SKIP_FINALIZE === '1' ? { baselineRef: null, committedP50Ms: null, p50Ms: Number.NaN, runsMs: [] } : await finalizeFigure();

    const s = {
      firstPage: summary(firstPage),
      nextPages: summary(nextPages),
      search: summary(search),
      belowMinimum: summary(below),
      eanPrefix: summary(eanPrefix),
      history: summary(history),
      hotHistory: summary(hotHistory),
      receiptClose: summary(closes),
    };
    const floor = summary(me).p50;
    const result = {
      generatedAt: new Date().toISOString(),
      machine: `${os.cpus().length} cores; server, client, PostgreSQL and Redis on the same box`,
      loadAverage1m: round(os.loadavg()[0]!),
      data: { scale: SCALE, products: Number(productCount), stores: stores.length, stockMovements: Number(movementCount), hotProductMovements: HOT_MOVEMENTS },
      targets: { stockPageP50Ms: 10, historyP50Ms: 10, receiptCloseP50Ms: 300, finalizeP50Ms: 2000 },
      stockPageP50Ms: { firstPage: s.firstPage.p50, nextPages: s.nextPages.p50, search: s.search.p50, belowMinimum: s.belowMinimum.p50, eanPrefix: s.eanPrefix.p50 },
      historyP50Ms: { typicalProduct: s.history.p50, productWith100kMovements: s.hotHistory.p50 },
      receiptCloseP50Ms: s.receiptClose.p50,
      receiptLines: RECEIPT_LINES,
      finalize20kLines: { p50Ms: finalize.p50Ms, committedP50Ms: finalize.committedP50Ms, committedAt: finalize.baselineRef, runsMs: finalize.runsMs },
      baselineP50Ms: { httpLiveRoundTrip: summary(live).p50, authMeThroughClient: floor },
      ratios: { stockFirstPageVsAuthMe: round(s.firstPage.p50 / floor), historyVsAuthMe: round(s.history.p50 / floor), finalizeVsCommitted: finalize.committedP50Ms ? round(finalize.p50Ms / finalize.committedP50Ms) : null },
      searchSamples: searches.slice(0, 10).map((x) => x.term),
      summaries: s,
    };
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/stock.json', `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify({ data: result.data, stockPageP50Ms: result.stockPageP50Ms, historyP50Ms: result.historyP50Ms, receiptCloseP50Ms: result.receiptCloseP50Ms, finalize: result.finalize20kLines, baseline: result.baselineP50Ms }, null, 2));
  } finally {
    await server.stop();
  }
}

await main();
process.exit(0);
