import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidEan13 } from '~/lib/ean';
import { verifyPassword } from '~/server/auth/password';
import { createTestDatabase } from '../../../tests/helpers/db';
import { createDatabase, type DatabaseHandle } from '../db/client';
import { DEMO_PASSWORD, seedDemo } from './demo';
import { SCALE_PASSWORD, seedScale, type ScaleSeedResult } from './scale';

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

async function openDatabase(): Promise<{ database: TestDatabase; handle: DatabaseHandle }> {
  const database = await createTestDatabase();
  const handle = createDatabase({ url: database.url, poolMax: 4, prepare: true, statementTimeoutMs: 15_000 });
  return { database, handle };
}

/** Mismatches between a request's stored totals and its items; every seed must keep this empty. */
const TOTAL_MISMATCHES = `
  select r.id from purchase_requests r
  join purchase_request_items i on i.request_id = r.id
  where r.org_id = $1
  group by r.id, r.total_value, r.item_count
  having r.total_value <> round(sum(i.quantity * i.unit_price), 2) or r.item_count <> count(*)`;

/** Requests whose items contradict the request's status. */
const STATUS_MISMATCHES = `
  select r.id, r.status from purchase_requests r
  join purchase_request_items i on i.request_id = r.id
  where r.org_id = $1
  group by r.id, r.status
  having case r.status
    when 'draft' then bool_and(i.status = 'pending' and i.buyer_id is null)
    when 'pending' then bool_and(i.status = 'pending')
    when 'approved' then bool_and(i.status = 'approved')
    when 'rejected' then bool_and(i.status = 'rejected')
    when 'partially_approved' then bool_or(i.status = 'approved') and bool_or(i.status = 'rejected') and not bool_or(i.status = 'pending')
    when 'closed' then not bool_or(i.status = 'pending') and bool_and(r.closed_at is not null)
  end is not true`;

/** Items whose decision fields are inconsistent with their status, or whose buyer is not the product's. */
const ITEM_MISMATCHES = `
  select i.id from purchase_request_items i
  join purchase_requests r on r.id = i.request_id
  join products p on p.id = i.product_id
  where i.org_id = $1 and (
    (i.status = 'approved' and (i.approved_quantity is null or i.approved_quantity > i.quantity or i.decided_at is null or i.decided_by is null))
    or (i.status = 'rejected' and (i.decision_reason is null or i.approved_quantity is not null or i.decided_at is null))
    or (i.status = 'pending' and (i.decided_at is not null or i.approved_quantity is not null))
    or (i.decided_at is not null and (i.decided_at < r.submitted_at or i.decided_at > now()))
    or (r.status <> 'draft' and i.buyer_id is distinct from p.buyer_id)
  )`;

/** store_daily_stats totals next to the same totals computed from the requests. */
const STATS_VS_REQUESTS = `
  select
    (select coalesce(sum(requests_created), 0)::int from store_daily_stats where org_id = $1) as stats_created,
    (select count(*)::int from purchase_requests where org_id = $1 and status <> 'draft') as requests_created,
    (select coalesce(sum(requests_value), 0)::text from store_daily_stats where org_id = $1) as stats_value,
    (select coalesce(sum(total_value), 0)::text from purchase_requests where org_id = $1 and status <> 'draft') as requests_value,
    (select coalesce(sum(items_approved), 0)::int from store_daily_stats where org_id = $1) as stats_approved,
    (select count(*)::int from purchase_request_items where org_id = $1 and status = 'approved') as items_approved,
    (select coalesce(sum(items_rejected), 0)::int from store_daily_stats where org_id = $1) as stats_rejected,
    (select count(*)::int from purchase_request_items where org_id = $1 and status = 'rejected') as items_rejected`;

describe('seedScale', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let result: ScaleSeedResult;
  const count = async (table: string, orgId = result.orgId) =>
    Number((await handle.sql.unsafe<{ n: string }[]>(`select count(*) as n from ${table} where org_id = $1`, [orgId]))[0]!.n);

  beforeAll(async () => {
    ({ database, handle } = await openDatabase());
    result = await seedScale(handle.sql, { scale: 0.1, seed: 42 });
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('seeds one org with 50 stores, 500 users, 10,000 x scale products and 500 x scale requests of 5 items', async () => {
    expect(await count('stores')).toBe(50);
    expect(await count('users')).toBe(500);
    expect(await count('products')).toBe(1_000);
    expect(await count('purchase_requests')).toBe(50);
    expect(await count('purchase_request_items')).toBe(250);
    expect(await count('store_stock')).toBeGreaterThan(0);
    expect(await count('category_buyers')).toBeGreaterThan(0);
    expect(result.counts).toMatchObject({ stores: 50, users: 500, products: 1_000, purchaseRequests: 50, purchaseRequestItems: 250 });
    expect(result.counts.storeStock).toBe(await count('store_stock'));
    const roles = await handle.sql<{ role: string; n: number }[]>`
      select role, count(*)::int as n from users where org_id = ${result.orgId} group by role`;
    const byRole = Object.fromEntries(roles.map((r) => [r.role, r.n]));
    expect(byRole.admin).toBeGreaterThan(0);
    expect(byRole.manager).toBeGreaterThanOrEqual(20);
    expect(byRole.buyer).toBeGreaterThanOrEqual(50);
    expect(byRole.clerk).toBeGreaterThan(byRole.buyer!);
    for (const key of Object.keys(result.timings)) expect(result.timings[key]).toBeGreaterThanOrEqual(0);
  });

  it('puts every clerk and manager in one or two stores and gives every category a buyer', async () => {
    const [row] = await handle.sql<{ outside: number }[]>`
      select count(*)::int as outside from users u
      where u.org_id = ${result.orgId} and u.role in ('clerk', 'manager')
        and (select count(*) from store_memberships m where m.user_id = u.id) not between 1 and 2`;
    expect(row!.outside).toBe(0);
    const [categories] = await handle.sql<{ uncovered: number }[]>`
      select count(distinct p.category)::int as uncovered from products p
      where p.org_id = ${result.orgId}
        and not exists (select 1 from category_buyers c where c.org_id = p.org_id and c.category = p.category)`;
    expect(categories!.uncovered).toBe(0);
  });

  it('gives every product a valid EAN-13, unique in the org, and a few variable-weight products a PLU', async () => {
    const rows = await handle.sql<{ ean: string }[]>`select ean from products where org_id = ${result.orgId}`;
    expect(rows).toHaveLength(1_000);
    expect(rows.filter((r) => !isValidEan13(r.ean))).toEqual([]);
    expect(new Set(rows.map((r) => r.ean)).size).toBe(rows.length);
    const [plu] = await handle.sql<{ n: number; kg: number }[]>`
      select count(*)::int as n, count(*) filter (where unit = 'kg')::int as kg from products where org_id = ${result.orgId} and plu is not null`;
    expect(plu!.n).toBeGreaterThan(0);
    expect(plu!.kg).toBe(plu!.n);
  });

  it('stores request totals equal to the sum of their items', async () => {
    expect(await handle.sql.unsafe(TOTAL_MISMATCHES, [result.orgId])).toEqual([]);
  });

  it('keeps item decisions consistent with the request status and the product buyer', async () => {
    expect(await handle.sql.unsafe(STATUS_MISMATCHES, [result.orgId])).toEqual([]);
    expect(await handle.sql.unsafe(ITEM_MISMATCHES, [result.orgId])).toEqual([]);
    const statuses = await handle.sql<{ status: string }[]>`select distinct status from purchase_requests where org_id = ${result.orgId}`;
    expect(statuses.map((s) => s.status)).toEqual(expect.arrayContaining(['pending', 'partially_approved', 'approved', 'rejected']));
  });

  it('writes store_daily_stats that add up to the seeded requests and decisions', async () => {
    const [row] = await handle.sql.unsafe(STATS_VS_REQUESTS, [result.orgId]);
    expect(row!.stats_created).toBe(row!.requests_created);
    expect(Number(row!.stats_value)).toBe(Number(row!.requests_value));
    expect(row!.stats_approved).toBe(row!.items_approved);
    expect(row!.stats_rejected).toBe(row!.items_rejected);
    expect(row!.requests_created).toBeGreaterThan(0);
  });

  it('gives seeded users the shared password', async () => {
    const login = result.logins.find((l) => l.role === 'clerk')!;
    const [user] = await handle.sql<{ password_hash: string }[]>`select password_hash from users where email = ${login.email}`;
    expect(login.password).toBe(SCALE_PASSWORD);
    expect(await verifyPassword(SCALE_PASSWORD, user!.password_hash)).toBe(true);
  });

  it('replaces the previous org on a re-run and repeats the same catalogue for the same seed', async () => {
    const catalogue = async (orgId: string) =>
      (await handle.sql<{ id: string; ean: string }[]>`select id, ean from products where org_id = ${orgId} order by ean`).map((r) => `${r.id} ${r.ean}`);
    const before = await catalogue(result.orgId);
    const again = await seedScale(handle.sql, { scale: 0.1, seed: 42 });
    expect(again.timings.deletePrevious).toBeGreaterThanOrEqual(0);
    expect(await catalogue(again.orgId)).toEqual(before);
    const [orgs] = await handle.sql<{ n: number }[]>`select count(*)::int as n from organizations where slug = 'scale'`;
    expect(orgs!.n).toBe(1);
    expect(await count('purchase_requests', again.orgId)).toBe(50);

    const other = await seedScale(handle.sql, { scale: 0.1, seed: 43 });
    expect(await catalogue(other.orgId)).not.toEqual(before);
    // The seed writes the search words itself (no trigger): exactly the products' words, none of the replaced org.
    const [words] = await handle.sql<{ rows: number; expected: number; drift: number }[]>`
      with expected as (select p.org_id, w as word, p.name_key, p.id from products p, unnest(string_to_array(btrim(p.search_words), ' ')) w)
      select (select count(*) from product_search_words)::int as rows, (select count(*) from expected)::int as expected,
             (select count(*) from (select org_id, word, name_key, id from expected
                                    except select org_id, word, name_key, product_id from product_search_words) d)::int as drift`;
    expect(words).toEqual({ rows: words!.expected, expected: words!.expected, drift: 0 });
    expect(other.counts.productSearchWords).toBe(words!.expected);
    result = other;
  });
});

describe('seedDemo', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    ({ database, handle } = await openDatabase());
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('seeds the demo org into an empty database once, and is a no-op the second time', async () => {
    const first = await seedDemo(handle.db, handle.sql);
    expect(first.seeded).toBe(true);
    expect(first.logins.map((l) => l.email)).toEqual(
      expect.arrayContaining(['admin@demo.test', 'gerente@demo.test', 'comprador@demo.test', 'comprador2@demo.test', 'caixa@demo.test', 'estoque@demo.test']),
    );
    expect(new Set(first.logins.map((l) => l.role))).toEqual(new Set(['admin', 'manager', 'buyer', 'clerk']));

    const [org] = await handle.sql<{ id: string; name: string; settings: { scaleBarcode?: unknown } }[]>`
      select id, name, settings from organizations where slug = 'demo'`;
    expect(org!.name).toBe('Supermercados Demo');
    expect(org!.settings.scaleBarcode).toEqual({ pluLength: 5, value: 'weight_grams' });
    const tableCounts = async () =>
      Object.fromEntries(
        await Promise.all(
          ['stores', 'users', 'store_memberships', 'category_buyers', 'products', 'store_stock', 'purchase_requests', 'purchase_request_items', 'store_daily_stats'].map(
            async (table) => [table, Number((await handle.sql.unsafe<{ n: string }[]>(`select count(*) as n from ${table}`))[0]!.n)] as const,
          ),
        ),
      );
    const counts = await tableCounts();
    expect(counts).toMatchObject({ stores: 3, users: 6, store_stock: 3 * counts.products! });
    expect(counts.products).toBeGreaterThanOrEqual(50);
    expect(counts.purchase_requests).toBeGreaterThanOrEqual(6);

    const products = await handle.sql<{ ean: string; plu: string | null; buyer_id: string | null }[]>`select ean, plu, buyer_id from products`;
    expect(products.filter((p) => !isValidEan13(p.ean))).toEqual([]);
    expect(products.filter((p) => p.ean.startsWith('789')).length).toBeGreaterThan(40);
    expect(products.filter((p) => p.plu !== null).length).toBeGreaterThanOrEqual(2);
    expect(products.every((p) => p.buyer_id !== null)).toBe(true);

    const statuses = await handle.sql<{ status: string }[]>`select distinct status from purchase_requests`;
    expect(statuses.map((s) => s.status)).toEqual(expect.arrayContaining(['draft', 'pending', 'partially_approved', 'approved', 'rejected']));
    expect(await handle.sql.unsafe(TOTAL_MISMATCHES, [org!.id])).toEqual([]);
    expect(await handle.sql.unsafe(STATUS_MISMATCHES, [org!.id])).toEqual([]);
    expect(await handle.sql.unsafe(ITEM_MISMATCHES, [org!.id])).toEqual([]);
    const [stats] = await handle.sql.unsafe(STATS_VS_REQUESTS, [org!.id]);
    expect(stats!.stats_created).toBe(stats!.requests_created);
    expect(Number(stats!.stats_value)).toBe(Number(stats!.requests_value));
    expect(stats!.stats_approved).toBe(stats!.items_approved);
    expect(stats!.stats_rejected).toBe(stats!.items_rejected);

    const [admin] = await handle.sql<{ password_hash: string }[]>`select password_hash from users where email = 'admin@demo.test'`;
    expect(await verifyPassword(DEMO_PASSWORD, admin!.password_hash)).toBe(true);

    const second = await seedDemo(handle.db, handle.sql);
    expect(second).toEqual({ seeded: false, logins: first.logins });
    expect(await tableCounts()).toEqual(counts);
  });
});
