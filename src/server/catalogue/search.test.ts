import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '~/lib/ean';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { countQueries } from '../db/query-count';
import { products } from '../db/schema';
import { catalogueProducts } from '../exports/queries';
import type { Services } from '../services';
import { listProducts, type ProductListParams } from './queries';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let other: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'srch');
  other = await createOrgFixture(services, 'srch-other');
});
afterAll(() => close());

let eanSeq = 0;
const nextEan = () => withCheckDigit(`2${String(++eanSeq).padStart(11, '0')}`);

type Made = { name: string; brand?: string | null; category?: string | null; active?: boolean };
async function insertProducts(orgId: string, rows: Made[]) {
  const made = [];
  for (let i = 0; i < rows.length; i += 1000) {
    made.push(
      ...(await services.db
        .insert(products)
        .values(rows.slice(i, i + 1000).map((r) => ({ orgId, ean: nextEan(), name: r.name, brand: r.brand ?? null, category: r.category ?? null, active: r.active ?? true })))
        .returning({ id: products.id, name: products.name })),
    );
  }
  return made;
}

/** Every page of a search, walked with its cursor: the names in order, and how many statements each page took. */
async function walk(orgId: string, params: Omit<ProductListParams, 'cursor'>) {
  const ids: string[] = [];
  const names: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; ; pages++) {
    expect(pages).toBeLessThan(1000);
    const { result: page, queries } = await countQueries(() => listProducts(services.db, orgId, { ...params, cursor }));
    expect(queries.count).toBe(1);
    ids.push(...page.items.map((p) => p.id));
    names.push(...page.items.map((p) => p.name));
    if (!page.nextCursor) return { ids, names };
    expect(page.items).toHaveLength(params.limit);
    cursor = page.nextCursor;
  }
}

const names = async (orgId: string, search: string, extra: Partial<ProductListParams> = {}) => (await walk(orgId, { limit: 50, active: true, search, ...extra })).names;

/** The word table must hold exactly the words of every product (the triggers' whole contract). */
async function wordTableDrift() {
  const [row] = await services.db.execute<{ missing: number; extra: number }>(sql`
    with expected as (
      select p.org_id, w as word, p.name_key, p.id as product_id from products p, unnest(string_to_array(btrim(p.search_words), ' ')) w
    )
    select (select count(*) from expected e where not exists (
              select 1 from product_search_words s where s.org_id = e.org_id and s.word = e.word and s.name_key = e.name_key and s.product_id = e.product_id))::int as missing,
           (select count(*) from product_search_words s where not exists (
              select 1 from expected e where s.org_id = e.org_id and s.word = e.word and s.name_key = e.name_key and s.product_id = e.product_id))::int as extra`);
  return row;
}

describe('product search by words', () => {
  beforeAll(async () => {
    await insertProducts(org.org.id, [
      { name: 'Água Mineral sem Gás 500ml', brand: 'Crystal', category: 'Águas' },
      { name: 'Biscoito Água e Sal', brand: 'Marilan', category: 'Biscoitos' },
      { name: 'AGUARDENTE Velho Barreiro 1L', brand: null, category: 'Destilados' },
      { name: 'Feijão Preto 1kg', brand: 'Camil', category: 'Mercearia' },
      { name: 'Feijão Carioca 5kg', brand: 'Kicaldo', category: 'Mercearia' },
      { name: 'Copo d’Água Descartável', brand: 'Copobras', category: 'Bazar' },
      { name: 'Pão Sovado', brand: 'Wickbold', category: 'Padaria Artesanal' },
      { name: 'Cereal Matinal', brand: "Kellogg's", category: 'Matinais' },
    ]);
  });

  it('matches accent- and case-insensitively, names starting with the search first, then the others by name', async () => {
    const expected = ['Água Mineral sem Gás 500ml', 'AGUARDENTE Velho Barreiro 1L', 'Biscoito Água e Sal', 'Copo d’Água Descartável'];
    for (const search of ['agua', 'ÁGUA', 'Agua', 'água']) expect(await names(org.org.id, search)).toEqual(expected);
    expect(await names(org.org.id, 'água mineral')).toEqual(['Água Mineral sem Gás 500ml']);
  });

  it('finds a word of the brand and a word that is only in the category', async () => {
    expect(await names(org.org.id, 'crystal')).toEqual(['Água Mineral sem Gás 500ml']);
    expect(await names(org.org.id, 'camil')).toEqual(['Feijão Preto 1kg']);
    expect(await names(org.org.id, 'artesanal')).toEqual(['Pão Sovado']);
    expect(await names(org.org.id, 'padaria sovado')).toEqual(['Pão Sovado']);
  });

  it('matches each word by its beginning ("arr" finds Arroz), never from inside a word', async () => {
    expect(await names(org.org.id, 'fei')).toEqual(['Feijão 1kg', 'Feijão Carioca 5kg', 'Feijão Preto 1kg']);
    expect(await names(org.org.id, 'eijao')).toEqual([]);
    expect(await names(org.org.id, 'ardente')).toEqual([]);
    // A size typed apart from its unit, and words joined by an apostrophe, either way.
    expect(await names(org.org.id, '5 kg')).toEqual(['Arroz 5kg', 'Feijão Carioca 5kg']);
    expect(await names(org.org.id, '5kg')).toEqual(['Arroz 5kg', 'Feijão Carioca 5kg']);
    expect(await names(org.org.id, 'dagua')).toEqual(['Copo d’Água Descartável']);
    expect(await names(org.org.id, "kellogg's")).toEqual(['Cereal Matinal']);
    expect(await names(org.org.id, 'kelloggs')).toEqual(['Cereal Matinal']);
  });

  it('needs every word of the search, in any order (AND)', async () => {
    expect(await names(org.org.id, 'preto camil')).toEqual(['Feijão Preto 1kg']);
    expect(await names(org.org.id, 'feijao mercearia')).toEqual(['Feijão 1kg', 'Feijão Carioca 5kg', 'Feijão Preto 1kg']);
    expect(await names(org.org.id, 'camil carioca')).toEqual([]);
    expect(await names(org.org.id, 'agua sal')).toEqual(['Biscoito Água e Sal']);
  });

  it('finds nothing for a search with no letter or digit, and only names starting with it', async () => {
    expect(await names(org.org.id, '%')).toEqual([]);
    expect(await names(org.org.id, '- -')).toEqual([]);
  });
});

describe('the word table', () => {
  it('follows creates, renames, brand and category changes, deactivation, deletion and imports', async () => {
    const buyer = await callerFor(services, { sessionSecret: org.secrets.buyer });
    const made = await buyer.products.create({ ean: nextEan(), name: 'Goiabada Cascão', brand: 'Predilecta', category: 'Doces' });
    const find = (search: string, active: boolean | null = true) => names(org.org.id, search, { active });
    expect(await find('goiabada')).toEqual(['Goiabada Cascão']);
    expect(await wordTableDrift()).toEqual({ missing: 0, extra: 0 });

    await buyer.products.update({ id: made.id, name: 'Marmelada Caseira' });
    expect(await find('goiabada')).toEqual([]);
    expect(await find('caseira')).toEqual(['Marmelada Caseira']);
    await buyer.products.update({ id: made.id, brand: 'Xavante', category: 'Sobremesas' });
    expect(await find('predilecta')).toEqual([]);
    expect(await find('doces')).toEqual([]);
    expect(await find('xavante sobremesas')).toEqual(['Marmelada Caseira']);
    // A change that is not a word (price) leaves the words as they are.
    await buyer.products.update({ id: made.id, referencePrice: 12.5 });
    expect(await wordTableDrift()).toEqual({ missing: 0, extra: 0 });

    await buyer.products.deactivate({ id: made.id });
    expect(await find('marmelada')).toEqual([]);
    expect(await find('marmelada', false)).toEqual(['Marmelada Caseira']);
    expect(await find('marmelada', null)).toEqual(['Marmelada Caseira']);

    // An import renames in one statement (upsert): the words follow.
    const csv = `ean;nome;marca;categoria\n${made.ean};Doce de Abóbora;;Compotas\n${nextEan()};Doce de Leite;Itambé;Compotas\n`;
    expect((await buyer.products.importCsv({ csv })).errors).toEqual([]);
    expect(await find('abobora', null)).toEqual(['Doce de Abóbora']);
    expect(await find('compotas', null)).toEqual(['Doce de Abóbora', 'Doce de Leite']);
    expect(await find('marmelada', null)).toEqual([]);
    expect(await wordTableDrift()).toEqual({ missing: 0, extra: 0 });

    await services.db.delete(products).where(eq(products.id, made.id));
    expect(await find('abobora', null)).toEqual([]);
    expect(await wordTableDrift()).toEqual({ missing: 0, extra: 0 });
  });

  it("keeps organizations apart: another org's words never return this org's products", async () => {
    await insertProducts(other.org.id, [{ name: 'Exclusivo da Outra Rede', category: 'Mercearia' }]);
    await insertProducts(org.org.id, [{ name: 'Produto Comum', category: 'Mercearia' }]);
    expect(await names(other.org.id, 'exclusivo')).toEqual(['Exclusivo da Outra Rede']);
    expect(await names(org.org.id, 'exclusivo')).toEqual([]);
    // "Mercearia" is a word of both orgs: each sees its own products only.
    const ownIds = new Set((await services.db.select({ id: products.id }).from(products).where(eq(products.orgId, org.org.id))).map((r) => r.id));
    const mine = await walk(org.org.id, { limit: 50, active: true, search: 'mercearia' });
    expect(mine.ids.length).toBeGreaterThan(0);
    expect(mine.ids.every((id) => ownIds.has(id))).toBe(true);
    const theirs = await walk(other.org.id, { limit: 50, active: true, search: 'mercearia' });
    expect(theirs.ids.some((id) => ownIds.has(id))).toBe(false);
    expect(theirs.names).toEqual(['Arroz 5kg', 'Exclusivo da Outra Rede', 'Feijão 1kg']);
  });
});

// ---- pages against a brute-force expectation

const plain = (text: string) => text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
/** search_words() for the ASCII-after-unaccent texts generated here: runs of letters and digits, and the letter and digit runs of a mixed one. */
function wordsOf(text: string): string[] {
  const runs = plain(text).split(/[^a-z0-9]+/).filter(Boolean);
  return [...new Set(runs.flatMap((w) => [w, ...(w.match(/[a-z]+|[0-9]+/g) ?? [])]))];
}

type Generated = { id: string; name: string; brand: string; category: string; active: boolean };

function expectedOrder(all: Generated[], search: string, opts: { category?: string | null; active?: boolean | null }) {
  const prefix = plain(search);
  const typed = plain(search).split(/[^a-z0-9]+/).filter(Boolean);
  const key = (p: Generated) => plain(p.name);
  const rows = all
    .filter((p) => (opts.active == null || p.active === opts.active) && (!opts.category || p.category === opts.category))
    .map((p) => {
      const words = wordsOf(`${p.name} ${p.brand} ${p.category}`);
      const rank = key(p).startsWith(prefix) ? 0 : typed.length > 0 && typed.every((t) => words.some((w) => w.startsWith(t))) ? 1 : null;
      return { p, rank };
    })
    .filter((r): r is { p: Generated; rank: 0 | 1 } => r.rank !== null);
  rows.sort((a, b) => a.rank - b.rank || (key(a.p) < key(b.p) ? -1 : key(a.p) > key(b.p) ? 1 : a.p.id < b.p.id ? -1 : a.p.id > b.p.id ? 1 : 0));
  return rows.map((r) => r.p.id);
}

describe('pagination against a brute-force expectation', () => {
  const generated: Generated[] = [];
  let scaleOrg: OrgFixture;

  beforeAll(async () => {
    scaleOrg = await createOrgFixture(services, 'srch-scale');
    // 2,400 products, so that some words have over 1,000 products (the walk's other paths) and names repeat.
    const items = ['Arroz Branco', 'Arroz Integral', 'Arroba Doce', 'Açúcar Cristal', 'Feijão Preto', 'Café Torrado', 'Chá Mate', 'Leite Integral', 'Sabão em Pó', 'Biscoito Maria'];
    const brands = ['Camil', 'Tio João', 'União', 'Pilão', 'Ypê', 'Itambé', 'Marilan', 'Leão'];
    const sizes = ['1kg', '5kg', '500g', '2,5kg', '350ml'];
    const categories = ['Mercearia', 'Bebidas'];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const rows = Array.from({ length: 2400 }, (_, i) => {
      const brand = brands[next(brands.length)]!;
      return {
        name: `${items[next(items.length)]} ${brand} ${sizes[next(sizes.length)]} q${i % 40}`,
        brand,
        category: categories[next(categories.length)]!,
        active: next(10) !== 0,
      };
    });
    const made = await insertProducts(scaleOrg.org.id, rows);
    made.forEach((m, i) => generated.push({ id: m.id, ...rows[i]! }));
    // The fixture's own three products take part too.
    for (const p of scaleOrg.products) generated.push({ id: p.id, name: p.name, brand: '', category: p.category!, active: true });
    await services.db.execute(sql`analyze products, product_search_words`);
  });

  const cases: [string, { category?: string; active?: boolean | null; limit?: number }][] = [
    ['a', { limit: 97 }],
    ['arr', {}],
    ['arroz integral', {}],
    ['integral', {}],
    ['mercearia', {}],
    ['mercearia 5', {}],
    ['bebidas 2,5kg', {}],
    ['q', { limit: 200 }],
    ['q1 camil', { limit: 7 }],
    ['q c', { limit: 200 }],
    // Two common words that never meet: the walk reads one word's products batch after batch and finds none.
    ['bebidas mercearia', {}],
    ['camil 350ml', { limit: 3 }],
    ['acucar uniao', { category: 'Bebidas' }],
    ['c', { category: 'Mercearia', limit: 200 }],
    ['leite', { active: false }],
    ['cha 5 kg', { active: null }],
    ['zzz', {}],
  ];
  for (const [search, opts] of cases) {
    it(`walks every page of "${search}" ${JSON.stringify(opts)} once, in order, as the export does`, async () => {
      const params = { limit: opts.limit ?? 50, search, category: opts.category ?? null, active: opts.active === undefined ? true : opts.active };
      const expected = expectedOrder(generated, search, params);
      const { ids } = await walk(scaleOrg.org.id, params);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expected);
      const exported = await services.db.execute<{ ean: string }>(catalogueProducts(scaleOrg.org.id, params));
      const eanOf = new Map((await services.db.select({ id: products.id, ean: products.ean }).from(products).where(and(eq(products.orgId, scaleOrg.org.id), inArray(products.id, ids.length ? ids : [scaleOrg.products[0]!.id])))).map((r) => [r.id, r.ean]));
      expect([...exported].map((r) => r.ean)).toEqual(ids.map((id) => eanOf.get(id)));
    });
  }
});
