/**
 * `npm run bench:catalogue`: the catalogue's figures (issue 3), written to bench/results/catalogue.json.
 *  - listQueriesPerCall: SQL statements products.list issues per call (postgres.js query hook), limit 10 vs 100;
 *  - eanLookupP50Ms: products.byEan over HTTP through src/client with an API token, at 10k and 1M products,
 *    on EANs never looked up before (the database path) and again (the cache path);
 *  - listP50Ms.limit50: products.list pages over HTTP;
 *  - searchP50Ms: products.list with a search (word prefixes of name, brand and category, accent-insensitive,
 *    names starting with the search first) over HTTP, 300 distinct searches made from the catalogue's own names and
 *    brands (first words cut at 3+ letters, brands, two words, sizes, accents dropped or kept), each asked once
 *    (never from cache).
 * Baselines in the same run: GET /api/health/live over HTTP (the floor of one round trip) and the bare SQL lookup.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import postgres from 'postgres';
import { createMyInventoryClient } from '~/client';
import { parseEnv } from '~/env';
import { createCaller } from '~/server/api/root';
import { createContext } from '~/server/api/trpc';
import { newApiToken, newSessionSecret, sha256 } from '~/server/auth/secrets';
import { runMigrations } from '~/server/db/migrate';
import { countQueries } from '~/server/db/query-count';
import { SCALE_ORG_SLUG, seedScale } from '~/server/seed/scale';
import { createLogger } from '~/server/logger';
import { createServices } from '~/server/services';
import { startApiServer } from './lib/api-server';
import { round, summary, timeEach } from './lib/stats';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 2000);
const DATABASE = 'mi_bench_catalogue';
const datasets = (process.env.BENCH_SCALES ?? '1,100').split(',').map(Number);

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

async function credentials(sql: postgres.Sql) {
  const [admin] = await sql<{ id: string; org_id: string }[]>`
    select u.id, u.org_id from users u join organizations o on o.id = u.org_id
    where o.slug = ${SCALE_ORG_SLUG} and u.role = 'admin' order by u.email limit 1`;
  const { token, prefix } = newApiToken();
  await sql`insert into api_tokens (org_id, user_id, created_by, name, prefix, token_hash)
            values (${admin!.org_id}, ${admin!.id}, ${admin!.id}, 'bench', ${prefix}, ${sha256(token)})`;
  const session = newSessionSecret();
  await sql`insert into login_sessions (id, org_id, user_id, expires_at)
            values (${sha256(session)}, ${admin!.org_id}, ${admin!.id}, now() + interval '1 day')`;
  return { token, session };
}

async function queriesPerListCall(session: string) {
  const env = parseEnv({ DATABASE_URL: dbUrl, REDIS_URL, REDIS_KEY_PREFIX: `bench-q-${randomBytes(3).toString('hex')}:`, LOG_LEVEL: 'warn' });
  const services = createServices(env, { logger: createLogger({ level: 'warn' }), databaseUrl: dbUrl, countQueries: true });
  const caller = createCaller(
    await createContext({ services, requestId: 'bench', ip: '127.0.0.1', userAgent: 'bench', credentials: { sessionSecret: session, bearer: null }, secure: false, setHeader: () => {} }),
  );
  await caller.auth.me();
  const count = async (limit: number) => (await countQueries(() => caller.products.list({ limit }))).queries.count;
  const result = { limit10: await count(10), limit100: await count(100) };
  await services.close();
  return result;
}

/** Distinct searches a person would type, made from random products of the org. */
async function searchTerms(sql: postgres.Sql, orgId: string, count: number): Promise<string[]> {
  const rows = await sql<{ name: string; brand: string | null }[]>`select name, brand from products where org_id = ${orgId} order by random() limit ${count * 4}`;
  const plain = (text: string) => text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
  const terms = new Set<string>();
  rows.forEach(({ name, brand }, i) => {
    const words = name.split(' ').filter((w) => w.length >= 3);
    const first = words[0] ?? name;
    const candidates = [
      first.slice(0, 3 + (i % Math.max(1, first.length - 2))),
      plain(words.slice(0, 2).join(' ')),
      brand ?? words[1] ?? first,
      plain(words[words.length - 1] ?? first),
    ];
    const term = candidates[i % candidates.length]!;
    if (terms.size < count && term.length >= 3) terms.add(term);
  });
  return [...terms];
}

async function measureDataset(sql: postgres.Sql, scale: number, port: number) {
  process.stderr.write(`seeding scale ${scale}…\n`);
  const seeded = await seedScale(sql, { scale, onProgress: (m) => process.stderr.write(`  ${m}\n`) });
  const { token, session } = await credentials(sql);
  const eans = (await sql<{ ean: string }[]>`select ean from products where org_id = ${seeded.orgId} order by random() limit ${LOOKUPS}`).map((r) => r.ean);

  const server = await startApiServer({
    port,
    env: {
      DATABASE_URL: dbUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: `bench-${randomBytes(3).toString('hex')}:`,
      RATE_LIMIT_USER_PER_MINUTE: '100000000',
      RATE_LIMIT_ANON_PER_MINUTE: '100000000',
    },
  });
  try {
    const client = createMyInventoryClient({ url: server.url, token });
    await client.auth.me.query();
    for (let i = 0; i < 100; i++) await fetch(`${server.url}/api/health/live`).then((r) => r.text());
    const live = await timeEach(eans.slice(0, 500), () => fetch(`${server.url}/api/health/live`).then((r) => r.text()));
    const bareSql = await timeEach(eans.slice(0, 500), (ean) => sql`select id, name from products where org_id = ${seeded.orgId} and ean = ${ean}`);
    const cold = await timeEach(eans, (ean) => client.products.byEan.query({ ean }));
    const warm = await timeEach(eans, (ean) => client.products.byEan.query({ ean }));
    let cursor: string | null = null;
    const list = await timeEach(Array.from({ length: 300 }), async () => {
      const page: { nextCursor: string | null } = await client.products.list.query({ limit: 50, cursor });
      cursor = page.nextCursor;
    });
    const searches = await searchTerms(sql, seeded.orgId, 300);
    const search = await timeEach(searches, (term) => client.products.list.query({ limit: 50, search: term }));
    return {
      scale,
      products: seeded.counts.products,
      eanLookup: { databasePath: summary(cold), cachePath: summary(warm) },
      listLimit50: summary(list),
      searchLimit50: summary(search),
      searchSamples: searches.slice(0, 12),
      baseline: { httpLive: summary(live), sqlLookup: summary(bareSql) },
      queriesPerListCall: await queriesPerListCall(session),
    };
  } finally {
    await server.stop();
  }
}

await prepareDatabase();
const sql = postgres(dbUrl, { max: 4, onnotice: () => {} });
const runs = [];
for (const scale of datasets) runs.push(await measureDataset(sql, scale, 3300 + runs.length));
await sql.end();

const small = runs.find((r) => r.scale === 1) ?? runs[0]!;
const large = runs.find((r) => r.scale === 100);
const result = {
  generatedAt: new Date().toISOString(),
  machine: '2 cores; load generator, server, PostgreSQL and Redis on the same box',
  listQueriesPerCall: small.queriesPerListCall,
  eanLookupP50Ms: { products10k: small.eanLookup.databasePath.p50, products1m: large?.eanLookup.databasePath.p50 ?? null },
  eanLookupCachedP50Ms: { products10k: small.eanLookup.cachePath.p50, products1m: large?.eanLookup.cachePath.p50 ?? null },
  listP50Ms: { limit50: small.listLimit50.p50 },
  searchP50Ms: { products10k: small.searchLimit50.p50, products1m: large?.searchLimit50.p50 ?? null },
  baselineP50Ms: { httpLiveRoundTrip: small.baseline.httpLive.p50, bareSqlLookup: small.baseline.sqlLookup.p50 },
  ratios: {
    eanLookupVsHttpFloor: round(small.eanLookup.databasePath.p50 / small.baseline.httpLive.p50),
    eanLookup1mVs10k: large ? round(large.eanLookup.databasePath.p50 / small.eanLookup.databasePath.p50) : null,
    search1mVsListPage10k: large ? round(large.searchLimit50.p50 / small.listLimit50.p50) : null,
  },
  runs,
};
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/catalogue.json', `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify({ listQueriesPerCall: result.listQueriesPerCall, eanLookupP50Ms: result.eanLookupP50Ms, listP50Ms: result.listP50Ms, searchP50Ms: result.searchP50Ms, baselineP50Ms: result.baselineP50Ms })}\n`);
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
await admin.end();
