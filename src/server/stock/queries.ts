import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { decodeCursor, toPage } from '../db/cursor';
import { jsonArray, textSet } from '../db/json';
import { nextDigitPrefix } from '../catalogue/queries';
import type { StockMovementKind } from '../db/schema';

export type MovementInput = { productId: string; quantity: number; kind: StockMovementKind; reason?: string | null };

export type Operation = {
  orgId: string;
  storeId: string;
  /** The operation's id: movements are unique per (operation, store, product, kind), so a retry writes nothing twice. */
  operationId: string;
  userId: string | null;
  referenceType?: string | null;
  referenceId?: string | null;
  movements: MovementInput[];
};

/**
 * Writes an operation's movements of one store and their balance in one statement: `store_stock` gains each
 * product's sum (rows locked in product order, as every writer of store rows does, so writers never deadlock), and
 * each movement records the balance right after it. Movements of quantity 0 are left out. Runs inside the caller's
 * transaction: the ledger and the balance commit together or not at all.
 */
export async function applyMovements(tx: Executor, op: Operation): Promise<number> {
  const movements = op.movements.filter((m) => m.quantity !== 0);
  if (movements.length === 0) return 0;
  const rows = movements.map((m, ord) => ({ product_id: m.productId, quantity: m.quantity, kind: m.kind, reason: m.reason ?? null, ord }));
  const result = await tx.execute(sql`
    with input as (
      select r.product_id, r.quantity, r.kind::stock_movement_kind as kind, r.reason, r.ord
        from jsonb_to_recordset(${jsonArray(rows)}) as r(product_id uuid, quantity numeric, kind text, reason text, ord int)
    ),
    balance as (
      insert into store_stock (org_id, store_id, product_id, quantity, updated_at)
      select ${op.orgId}, ${op.storeId}, product_id, sum(quantity), now() from input group by product_id order by product_id
      on conflict (store_id, product_id) do update set quantity = store_stock.quantity + excluded.quantity, updated_at = now()
      returning product_id, quantity
    )
    insert into stock_movements (org_id, store_id, product_id, quantity, kind, reason, operation_id, reference_type, reference_id, balance_after, user_id)
    select ${op.orgId}, ${op.storeId}, i.product_id, i.quantity, i.kind, i.reason, ${op.operationId}, ${op.referenceType ?? null}, ${op.referenceId ?? null},
           b.quantity - coalesce(sum(i.quantity) over (partition by i.product_id order by i.ord desc rows between unbounded preceding and 1 preceding), 0),
           ${op.userId}
      from input i join balance b using (product_id)
     order by i.product_id, i.ord`);
  return result.count;
}

/**
 * Sets products' quantities in a store (a stock CSV): each becomes an `import` movement of the difference. One
 * statement makes the missing rows (at 0) and locks every row in product order, returning the quantity it holds, so
 * a concurrent movement is either before the difference is taken or after it is written, never lost; and the lock
 * order is every writer's (callers with several batches send them in product order too).
 */
export async function setQuantities(tx: Executor, op: Omit<Operation, 'movements'> & { quantities: { productId: string; quantity: number }[] }) {
  if (op.quantities.length === 0) return { created: 0, updated: 0 };
  const target = new Map(op.quantities.map((q) => [q.productId, q.quantity]));
  const held = await tx.execute<{ product_id: string; quantity: number; created: boolean }>(sql`
    insert into store_stock (org_id, store_id, product_id, quantity, updated_at)
    select ${op.orgId}, ${op.storeId}, r.product_id, 0, now()
      from jsonb_to_recordset(${jsonArray(op.quantities.map((q) => ({ product_id: q.productId })))}) as r(product_id uuid)
     order by r.product_id
    on conflict (store_id, product_id) do update set quantity = store_stock.quantity
    returning product_id, quantity::float8 as quantity, (xmax = 0) as created`);
  const rows = [...held];
  await applyMovements(tx, { ...op, movements: rows.map((r) => ({ productId: r.product_id, quantity: round3(target.get(r.product_id)! - r.quantity), kind: 'import' as const })) });
  const created = rows.filter((r) => r.created).length;
  return { created, updated: rows.length - created };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Whether an operation already wrote movements (in any store): its retry answers from them. */
export async function operationMovements(db: Executor, orgId: string, operationId: string) {
  const rows = await db.execute<MovementRow>(sql`${movementSelect} where m.org_id = ${orgId} and m.operation_id = ${operationId} order by m.id`);
  return [...rows];
}

export type MovementRow = {
  id: number;
  storeId: string;
  productId: string;
  quantity: number;
  kind: StockMovementKind;
  reason: string | null;
  operationId: string;
  referenceType: string | null;
  referenceId: string | null;
  balanceAfter: number;
  userId: string | null;
  userName: string | null;
  createdAt: string;
};

const movementSelect = sql`
  select m.id::float8 as id, m.store_id as "storeId", m.product_id as "productId", m.quantity::float8 as quantity, m.kind, m.reason,
  m.operation_id as "operationId", m.reference_type as "referenceType", m.reference_id as "referenceId",
  m.balance_after::float8 as "balanceAfter", m.user_id as "userId", u.name as "userName",
  to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt"
    from stock_movements m left join users u on u.id = m.user_id`;

/**
 * A product's movements in a store, newest first. By id, not time: ids are taken as the rows are written, under the
 * balance's row lock, so each movement's balance follows from the one before it; a transaction's `created_at` is
 * when it began, and a long one (a finalize) would list its movement before shorter ones that came after it.
 */
export async function productHistory(db: Executor, orgId: string, params: { storeId: string; productId: string; cursor?: string | null; limit: number }) {
  const after = decodeCursor<[number]>(params.cursor, ['int']);
  // `nulls last` as the index has it (drizzle's `.desc()`): a plain `desc` (nulls first) does not match it, and a
  // prepared statement's generic plan then sorted all of a busy product's movements (100,000: 160 ms).
  const rows = await db.execute<MovementRow>(sql`
    ${movementSelect}
     where m.store_id = ${params.storeId} and m.product_id = ${params.productId} and m.org_id = ${orgId}
       ${after ? sql`and m.id < ${after[0]}` : sql``}
     order by m.id desc nulls last
     limit ${params.limit + 1}`);
  return toPage([...rows], params.limit, (r) => [r.id]);
}

export type StockLevel = {
  productId: string;
  ean: string;
  name: string;
  unit: string;
  category: string | null;
  quantity: number;
  updatedAt: string;
  /** The store's reorder rule for the product, if a manager set one. */
  minQuantity: number | null;
  reorderQuantity: number | null;
};

/**
 * A store's stock: the products it holds a row for, in name order (keyset on the name key, id), or in EAN order for
 * an EAN prefix; a words search matches as the catalogue's does; category and "below minimum" filter.
 */
export async function storeLevels(
  db: Executor,
  orgId: string,
  params: { storeId: string; search?: string | null; category?: string | null; belowMinimum?: boolean | null; cursor?: string | null; limit: number },
) {
  const after = decodeCursor<[string, string]>(params.cursor, ['text', 'uuid']);
  const search = params.search?.trim().replace(/\s+/g, ' ') || null;
  const byEan = search !== null && /^\d+$/.test(search);
  // Digits: the store's rows by EAN prefix (store_stock_store_ean_idx), in EAN order; "789" is nearly every product.
  if (byEan) {
    const upper = nextDigitPrefix(search);
    const page = sql`
      select s.product_id, s.ean from store_stock s
        ${params.belowMinimum ? sql`join reorder_rules r on r.store_id = s.store_id and r.product_id = s.product_id and s.quantity < r.min_quantity` : sql``}
        ${params.category ? sql`join products p on p.id = s.product_id and p.category = ${params.category}` : sql``}
       where s.store_id = ${params.storeId} and s.ean >= ${search} ${upper ? sql`and s.ean < ${upper}` : sql``}
         ${after ? sql`and (s.ean, s.product_id) > (${after[0]} collate "C", ${after[1]}::uuid)` : sql``}
       order by s.ean, s.product_id
       limit ${params.limit + 1}`;
    const rows = await db.execute<StockLevel & { sortKey: string }>(sql`
      ${levelsOf(page, params.storeId, orgId)}
       order by x.ean, x.product_id`);
    return withoutSortKey(toPage([...rows], params.limit, (r) => [r.ean, r.productId]));
  }
  // Otherwise the store's rows in name order, words matched as the catalogue matches them: every word of the search
  // begins a word of the product's name, brand or category. The page's product ids come from the store's own index
  // first (store_stock_store_name_idx carries the search words: a search reads index entries only, not a row per
  // product held), and only the page's rows meet their balance, rule and product (a category filter needs the product
  // before). The store is the caller's org's (checked before), and so is every stock row of it (foreign key).
  const page = sql`
    select s.product_id, s.name_key from store_stock s
      ${params.belowMinimum ? sql`join reorder_rules r on r.store_id = s.store_id and r.product_id = s.product_id and s.quantity < r.min_quantity` : sql``}
      ${params.category ? sql`join products p on p.id = s.product_id and p.category = ${params.category}` : sql``}
     where s.store_id = ${params.storeId}
       ${search ? sql`and cardinality(search_tokens(${search})) > 0 and s.search_words like all (array(select '% ' || t || '%' from unnest(search_tokens(${search})) t))` : sql``}
       ${after ? sql`and (s.name_key, s.product_id) > (${after[0]} collate "C", ${after[1]}::uuid)` : sql``}
     order by s.name_key, s.product_id
     limit ${params.limit + 1}`;
  const rows = await db.execute<StockLevel & { sortKey: string }>(sql`
    ${levelsOf(page, params.storeId, orgId)}
     order by x.name_key, x.product_id`);
  return withoutSortKey(toPage([...rows], params.limit, (r) => [r.sortKey, r.productId]));
}

/** A page of the store's product ids (`page`: product_id and its sort key) with their balance, rule and product. */
function levelsOf(page: SQL, storeId: string, orgId: string) {
  return sql`
    select p.id as "productId", p.ean, p.name, p.unit, p.category, s.quantity::float8 as quantity, s.updated_at as "updatedAt",
           r.min_quantity::float8 as "minQuantity", r.reorder_quantity::float8 as "reorderQuantity", s.name_key as "sortKey"
      from (${page}) x
      join store_stock s on s.store_id = ${storeId} and s.product_id = x.product_id and s.org_id = ${orgId}
      join products p on p.id = x.product_id
      left join reorder_rules r on r.store_id = s.store_id and r.product_id = s.product_id`;
}

function withoutSortKey<T extends { sortKey: string }>(page: { items: T[]; nextCursor: string | null }) {
  return { ...page, items: page.items.map(({ sortKey: _sortKey, ...level }) => level) };
}

/** The stores of the org among `storeIds` (the rest are someone else's or do not exist). */
export async function storesOfOrg(db: Executor, orgId: string, storeIds: string[]): Promise<Set<string>> {
  const rows = await db.execute<{ id: string }>(sql`select id from stores where org_id = ${orgId} and id in (select x::uuid from ${textSet(storeIds)} as t(x))`);
  return new Set([...rows].map((r) => r.id));
}

/** The product, if it is the org's (active or not: stock of a deactivated product can still be adjusted away). */
export async function findOrgProduct(db: Executor, orgId: string, productId: string) {
  const [row] = await db.execute<{ id: string; name: string; active: boolean }>(sql`select id, name, active from products where org_id = ${orgId} and id = ${productId}`);
  return row ?? null;
}

/** Seeds: the org's balances written straight to store_stock get their `opening` movement (balance = sum of movements). */
export const OPENING_OPERATION_ID = '00000000-0000-4000-8000-000000000017';
export async function recordOpeningBalances(tx: Executor, orgId: string) {
  await tx.execute(sql`
    insert into stock_movements (org_id, store_id, product_id, quantity, kind, operation_id, balance_after)
    select s.org_id, s.store_id, s.product_id, s.quantity, 'opening', ${OPENING_OPERATION_ID}, s.quantity
      from store_stock s
     where s.org_id = ${orgId} and s.quantity <> 0
       and not exists (select 1 from stock_movements m where m.store_id = s.store_id and m.product_id = s.product_id)
     order by s.store_id, s.product_id`);
}

/** Sets (or, with null, removes) a store's reorder rule for a product. */
export async function setReorderRule(db: Executor, r: { orgId: string; storeId: string; productId: string; rule: { minQuantity: number; reorderQuantity: number } | null; userId: string }) {
  if (!r.rule) {
    await db.execute(sql`delete from reorder_rules where store_id = ${r.storeId} and product_id = ${r.productId} and org_id = ${r.orgId}`);
    return;
  }
  await db.execute(sql`
    insert into reorder_rules (org_id, store_id, product_id, min_quantity, reorder_quantity, updated_by, updated_at)
    values (${r.orgId}, ${r.storeId}, ${r.productId}, ${r.rule.minQuantity}, ${r.rule.reorderQuantity}, ${r.userId}, now())
    on conflict (store_id, product_id) do update set min_quantity = excluded.min_quantity, reorder_quantity = excluded.reorder_quantity,
      updated_by = excluded.updated_by, updated_at = now()`);
}

export type Suggestion = { productId: string; ean: string; name: string; unit: string; category: string | null; quantity: number; minQuantity: number; reorderQuantity: number };

/**
 * A store's reorder suggestions: active products whose balance (none counts as 0) is below their minimum, and that
 * no open request of the store already asks for (a draft, one waiting for a decision, or approved and not yet
 * received in full).
 */
export async function reorderSuggestions(db: Executor, orgId: string, storeId: string, limit: number): Promise<Suggestion[]> {
  const rows = await db.execute<Suggestion>(sql`
    select p.id as "productId", p.ean, p.name, p.unit, p.category, coalesce(s.quantity, 0)::float8 as quantity,
           r.min_quantity::float8 as "minQuantity", r.reorder_quantity::float8 as "reorderQuantity"
      from reorder_rules r
      join products p on p.id = r.product_id and p.active
      left join store_stock s on s.store_id = r.store_id and s.product_id = r.product_id
     where r.org_id = ${orgId} and r.store_id = ${storeId} and coalesce(s.quantity, 0) < r.min_quantity
       and not exists (
         select 1 from purchase_request_items i join purchase_requests q on q.id = i.request_id
          where q.store_id = r.store_id and i.product_id = r.product_id
            and (q.status in ('draft', 'pending') and i.status <> 'rejected'
                 or q.status in ('partially_approved', 'approved') and (i.status = 'pending' or i.status = 'approved' and coalesce(i.approved_quantity, i.quantity) > i.received_quantity)))
     order by p.name, p.id
     limit ${limit}`);
  return [...rows];
}

/** Sets many reorder rules of a store at once (a stock CSV's `minimo;reposicao`), one statement. */
export async function setReorderRules(tx: Executor, r: { orgId: string; storeId: string; userId: string; rules: { productId: string; minQuantity: number; reorderQuantity: number }[] }) {
  if (r.rules.length === 0) return;
  await tx.execute(sql`
    insert into reorder_rules (org_id, store_id, product_id, min_quantity, reorder_quantity, updated_by, updated_at)
    select ${r.orgId}, ${r.storeId}, x."productId", x."minQuantity", x."reorderQuantity", ${r.userId}, now()
      from jsonb_to_recordset(${jsonArray(r.rules)}) as x("productId" uuid, "minQuantity" numeric, "reorderQuantity" numeric)
     order by x."productId"
    on conflict (store_id, product_id) do update set min_quantity = excluded.min_quantity, reorder_quantity = excluded.reorder_quantity,
      updated_by = excluded.updated_by, updated_at = excluded.updated_at`);
}
