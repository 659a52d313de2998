import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client';
import { categoryBuyers, products, users } from '../db/schema';
import { decodeCursor, toPage } from '../db/cursor';
import { textSet } from '../db/json';

const buyer = alias(users, 'buyer');
/** The name as sorted and prefix-searched: lower case, no accents, C collation (index products_org_name_key_idx). */
const nameKey = sql<string>`(${products.nameKey} collate "C")`;

/**
 * The approved photo's id (lib/photos.ts photoUrl), null without one: the last part of `image_key` while
 * `image_status` is 'approved'. Over `products` itself, or over a raw statement's alias of it (`approvedPhotoIdOf('p')`
 * for `from products p`). Every query that hands product rows to a screen selects it as `photoId`.
 */
export function approvedPhotoIdOf(alias?: string): SQL<string | null> {
  const status = alias ? sql`${sql.identifier(alias)}.image_status` : sql`${products.imageStatus}`;
  const key = alias ? sql`${sql.identifier(alias)}.image_key` : sql`${products.imageKey}`;
  return sql<string | null>`(case when ${status} = 'approved' then substring(${key} from '[^/]+$') end)`;
}

/** `approvedPhotoIdOf` over `products` (drizzle's selects that join the table under its own name). */
export const approvedPhotoId = approvedPhotoIdOf();

export const productColumns = {
  id: products.id,
  ean: products.ean,
  name: products.name,
  brand: products.brand,
  category: products.category,
  unit: products.unit,
  referencePrice: products.referencePrice,
  plu: products.plu,
  buyerId: products.buyerId,
  buyerName: buyer.name,
  imageUrl: products.imageUrl,
  imageStatus: products.imageStatus,
  /** The approved photo's id (lib/photos.ts photoUrl), null without one. */
  photoId: approvedPhotoId,
  active: products.active,
  updatedAt: products.updatedAt,
};
export type ProductRow = Awaited<ReturnType<typeof findProductByEan>> & {};

const selectProducts = (db: Executor) => db.select(productColumns).from(products).leftJoin(buyer, eq(buyer.id, products.buyerId));

/** The scanner's path: one index lookup on (org_id, ean). */
export async function findProductByEan(db: Executor, orgId: string, ean: string) {
  const [row] = await selectProducts(db)
    .where(and(eq(products.orgId, orgId), eq(products.ean, ean)))
    .limit(1);
  return row;
}

/** `lock`: the row stays locked until the caller's transaction ends (changes of one row, and their events, go one at a time). */
export async function findProduct(db: Executor, orgId: string, productId: string, opts: { lock?: boolean } = {}) {
  const query = selectProducts(db)
    .where(and(eq(products.orgId, orgId), eq(products.id, productId)))
    .limit(1);
  const [row] = opts.lock ? await query.for('update', { of: products }) : await query;
  return row;
}

export async function findProductsByIds(db: Executor, orgId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return selectProducts(db).where(and(eq(products.orgId, orgId), inArray(products.id, ids)));
}

/** Smallest digit string greater than every string starting with `prefix` ("789" → "790", "79" → "8"). */
export function nextDigitPrefix(prefix: string): string | null {
  const digits = prefix.replace(/9+$/, '');
  if (digits === '') return null;
  return digits.slice(0, -1) + String(Number(digits.at(-1)) + 1);
}

export type ProductListParams = {
  cursor?: string | null;
  limit: number;
  search?: string | null;
  category?: string | null;
  buyerId?: string | null;
  active?: boolean | null;
};

/**
 * The list's filters on `products`, shared with the catalogue export: `search` (spaces folded) is digits
 * (`byEan`: an EAN prefix, in EAN order) or words (see `productWordMatch`; the caller adds the match; the list's
 * words search hands the same filters to `product_search` instead).
 */
export function productListFilters(orgId: string, params: Omit<ProductListParams, 'cursor' | 'limit'>): { filters: (SQL | undefined)[]; search: string; byEan: boolean } {
  const search = (params.search ?? '').trim().replace(/\s+/g, ' ');
  const byEan = /^\d+$/.test(search);
  const filters: (SQL | undefined)[] = [
    eq(products.orgId, orgId),
    params.active == null ? undefined : eq(products.active, params.active),
    params.category ? eq(products.category, params.category) : undefined,
    params.buyerId ? eq(products.buyerId, params.buyerId) : undefined,
  ];
  if (byEan) {
    const upper = nextDigitPrefix(search);
    filters.push(sql`${products.ean} >= ${search}`, upper ? sql`${products.ean} < ${upper}` : undefined);
  }
  return { filters, search, byEan };
}

/**
 * A words search, as SQL over `products` (the export's; the list pages through `product_search`, which applies the same
 * two conditions): `startsWith` the name begins with what was typed (rank 0, first); `words` every word of the search
 * begins a word of name, brand or category (`search_tokens` / `search_words`, migration 0012). Both accent- and
 * case-insensitive. Matching is per word prefix: "arr" finds "Arroz", "5 kg" finds "5kg"; a piece from inside a word
 * ("roz") finds nothing unless a name starts with it.
 */
export function productWordMatch(search: string): { startsWith: SQL; words: SQL } {
  const prefix = sql`immutable_unaccent(lower(${search}))`;
  return {
    startsWith: sql`(${nameKey} >= ${prefix} and ${nameKey} < ${prefix} || chr(1114111))`,
    words: sql`(cardinality(search_tokens(${search})) > 0
      and ${products.searchWords} like all (array(select '% ' || t || '%' from unnest(search_tokens(${search})) t)))`,
  };
}

/** The catalogue's name order (accent-free, what `products_org_name_key_idx` keeps). */
export const productNameOrder = sql`${nameKey}, ${products.id}`;

/**
 * One statement per page. Digits search by EAN prefix (ordered by EAN). Words search name, brand and category by
 * word prefix, accent- and case-insensitive (`productWordMatch`): names that start with what was typed come first,
 * then the other matches, each group by name, read in order from the name index and the word index
 * (product_search_words) by `product_search` (migration 0012), which stops at a full page. Without a search, every
 * product by name. All continue from a keyset cursor.
 */
export async function listProducts(db: Executor, orgId: string, params: ProductListParams) {
  const { filters, search, byEan } = productListFilters(orgId, params);
  if (byEan) {
    const after = decodeCursor<[string]>(params.cursor, ['text']);
    if (after) filters.push(sql`${products.ean} > ${after[0]}`);
    const rows = await selectProducts(db)
      .where(and(...filters))
      .orderBy(asc(products.ean))
      .limit(params.limit + 1);
    return toPage(rows, params.limit, (r) => [r.ean]);
  }
  if (!search) {
    const after = decodeCursor<[string, string]>(params.cursor, ['text', 'uuid']);
    if (after) filters.push(sql`(${nameKey}, ${products.id}) > (${after[0]} collate "C", ${after[1]}::uuid)`);
    const rows = await db
      .select({ ...productColumns, sortKey: nameKey })
      .from(products)
      .leftJoin(buyer, eq(buyer.id, products.buyerId))
      .where(and(...filters))
      .orderBy(nameKey, asc(products.id))
      .limit(params.limit + 1);
    const page = toPage(rows, params.limit, (r) => [r.sortKey, r.id]);
    return { ...page, items: page.items.map(({ sortKey: _sortKey, ...product }) => product) };
  }

  // The cursor is the last row's rank (0: the name starts with the search, 1: the other matches), name key and id.
  const after = decodeCursor<[number, string, string]>(params.cursor, ['int', 'text', 'uuid']);
  const page = sql`product_search(${orgId}::uuid, ${search}::text, ${params.limit}::int,
    ${after?.[0] ?? null}::int, ${after?.[1] ?? null}::text, ${after?.[2] ?? null}::uuid,
    ${params.active ?? null}::boolean, ${params.category || null}::text, ${params.buyerId || null}::uuid) as s`;
  const rows = await db
    .select({ ...productColumns, sortKey: sql<string>`s.name_key`, rank: sql<number>`s.rank` })
    .from(page)
    .innerJoin(products, eq(products.id, sql`s.product_id`))
    .leftJoin(buyer, eq(buyer.id, products.buyerId))
    .orderBy(sql`s.rank, s.name_key collate "C", s.product_id`);
  const result = toPage(rows, params.limit, (r) => [r.rank, r.sortKey, r.id]);
  return { ...result, items: result.items.map(({ sortKey: _sortKey, rank: _rank, ...product }) => product) };
}

export type ProductValues = {
  ean: string;
  name: string;
  brand?: string | null;
  category?: string | null;
  unit?: string;
  referencePrice?: number;
  plu?: string | null;
  buyerId?: string | null;
  imageUrl?: string | null;
  active?: boolean;
};

export async function insertProduct(db: Executor, orgId: string, values: ProductValues) {
  const [row] = await db
    .insert(products)
    .values({ orgId, ...values })
    .returning({ id: products.id });
  return row!;
}

export async function updateProduct(db: Executor, orgId: string, productId: string, values: Partial<ProductValues>) {
  if (Object.values(values).every((v) => v === undefined)) return;
  await db
    .update(products)
    .set(values)
    .where(and(eq(products.orgId, orgId), eq(products.id, productId)));
}

/**
 * Inserts or updates by (org, EAN). A field left undefined keeps the product's value (a new product gets the
 * default); null clears it. Returns, per row, whether it was created. Run it in a transaction (the rows it
 * updates stay locked from the read of what they keep to the write).
 */
export async function upsertProducts(db: Executor, orgId: string, rows: ProductValues[]) {
  if (rows.length === 0) return [];
  const recordset = rows.map((r) => ({
    ean: r.ean,
    name: r.name,
    brand: r.brand ?? null,
    brand_set: r.brand !== undefined,
    category: r.category ?? null,
    category_set: r.category !== undefined,
    unit: r.unit ?? null,
    reference_price: r.referencePrice ?? null,
    plu: r.plu ?? null,
    plu_set: r.plu !== undefined,
    buyer_id: r.buyerId ?? null,
    buyer_id_set: r.buyerId !== undefined,
    active: r.active ?? null,
  }));
  // Locked first, in a statement of its own: the upsert reads the values it keeps when it starts, so without the
  // lock an edit committed meanwhile would be written back over with what the row held before it.
  await db.execute(sql`
    select 1 from products where org_id = ${orgId}::uuid
      and ean in (select jsonb_array_elements_text(${JSON.stringify(rows.map((r) => r.ean))}::jsonb))
    order by ean for update`);
  const result = await db.execute<{ id: string; ean: string; created: boolean }>(sql`
    insert into products (org_id, ean, name, brand, category, unit, reference_price, plu, buyer_id, active)
    select ${orgId}::uuid, r.ean, r.name,
      case when r.brand_set then r.brand else p.brand end,
      case when r.category_set then r.category else p.category end,
      coalesce(r.unit, p.unit, 'un'),
      coalesce(r.reference_price, p.reference_price, 0),
      case when r.plu_set then r.plu else p.plu end,
      case when r.buyer_id_set then r.buyer_id else p.buyer_id end,
      coalesce(r.active, p.active, true)
    from jsonb_to_recordset(${JSON.stringify(recordset)}::jsonb) as r(ean text, name text, brand text, brand_set boolean, category text, category_set boolean,
      unit text, reference_price numeric, plu text, plu_set boolean, buyer_id uuid, buyer_id_set boolean, active boolean)
    left join products p on p.org_id = ${orgId}::uuid and p.ean = r.ean
    on conflict (org_id, ean) do update set
      name = excluded.name, brand = excluded.brand, category = excluded.category, unit = excluded.unit,
      reference_price = excluded.reference_price, plu = excluded.plu, buyer_id = excluded.buyer_id,
      active = excluded.active, updated_at = now()
    returning id, ean, (xmax = 0) as created`);
  return [...result];
}

/** Users of the org by email, for the buyer column of an import. */
export async function findUserIdsByEmail(db: Executor, orgId: string, emails: string[]) {
  if (emails.length === 0) return new Map<string, { id: string; role: string }>();
  const rows = await db
    .select({ id: users.id, email: users.email, role: users.role })
    .from(users)
    .where(and(eq(users.orgId, orgId), sql`${users.email} in ${textSet(emails)}`, eq(users.active, true)));
  return new Map(rows.map((r) => [r.email, { id: r.id, role: r.role }]));
}

/** Products (other than the given EANs) that already hold one of these PLUs. */
export async function findPluOwners(db: Executor, orgId: string, plus: string[]) {
  if (plus.length === 0) return new Map<string, string>();
  const rows = await db
    .select({ plu: products.plu, ean: products.ean })
    .from(products)
    .where(and(eq(products.orgId, orgId), sql`${products.plu} in ${textSet(plus)}`));
  return new Map(rows.map((r) => [r.plu!, r.ean]));
}

export async function listCategories(db: Executor, orgId: string) {
  return db
    .select({
      category: products.category,
      products: sql<number>`count(*)::int`,
      buyerId: categoryBuyers.buyerId,
    })
    .from(products)
    .leftJoin(categoryBuyers, and(eq(categoryBuyers.orgId, products.orgId), eq(categoryBuyers.category, products.category)))
    .where(and(eq(products.orgId, orgId), sql`${products.category} is not null`))
    .groupBy(products.category, categoryBuyers.buyerId)
    .orderBy(asc(products.category));
}

export async function setCategoryBuyer(db: Executor, orgId: string, category: string, buyerId: string | null) {
  if (buyerId === null) {
    await db.delete(categoryBuyers).where(and(eq(categoryBuyers.orgId, orgId), eq(categoryBuyers.category, category)));
    return;
  }
  await db
    .insert(categoryBuyers)
    .values({ orgId, category, buyerId })
    .onConflictDoUpdate({ target: [categoryBuyers.orgId, categoryBuyers.category], set: { buyerId } });
}
