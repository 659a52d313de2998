import { type TRPCError } from '@trpc/server';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '~/lib/ean';
import { callerFor, codeOf, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { countQueries } from '../db/query-count';
import { auditLog, eventLog, products } from '../db/schema';
import type { Services } from '../services';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'cat');
});
afterAll(() => close());

const as = (role: keyof OrgFixture['secrets']) => callerFor(services, { sessionSecret: org.secrets[role] });
const ean = (n: number) => withCheckDigit(`7890000${String(n).padStart(5, '0')}`);

describe('products', () => {
  it('creates a product with its audit row and product.created event in the same transaction', async () => {
    const buyer = await as('buyer');
    const product = await buyer.products.create({ ean: ean(1), name: 'Leite Integral 1L', brand: 'Boa Vaca', category: 'Laticínios', referencePrice: 5.49, buyerId: org.users.buyer.id });
    expect(product).toMatchObject({ ean: ean(1), referencePrice: 5.49, buyerName: 'buyer cat', imageStatus: 'pending', active: true });
    const [audit] = await services.db.select().from(auditLog).where(and(eq(auditLog.entityId, product.id), eq(auditLog.action, 'product.created')));
    expect(audit!.actorId).toBe(org.users.buyer.id);
    const events = await services.db.select().from(eventLog).where(eq(eventLog.aggregateId, product.id));
    expect(events.map((e) => [e.type, e.aggregateSeq])).toEqual([['product.created', 1]]);
    expect(events[0]!.metadata).toMatchObject({ userId: org.users.buyer.id });
  });

  it('refuses a wrong check digit (BAD_REQUEST on ean) and a duplicate EAN (CONFLICT), writing nothing', async () => {
    const buyer = await as('buyer');
    const count = await services.db.$count(products);
    const bad = (await buyer.products.create({ ean: '7890000000011', name: 'X' }).catch((e: unknown) => e)) as TRPCError;
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toContain('check digit');
    const duplicate = (await buyer.products.create({ ean: ean(1), name: 'Outro' }).catch((e: unknown) => e)) as TRPCError;
    expect([duplicate.code, duplicate.message]).toEqual(['CONFLICT', `A product with EAN ${ean(1)} already exists`]);
    expect(await codeOf(buyer.products.create({ ean: ean(2), name: 'Preço negativo', referencePrice: -1 }))).toBe('BAD_REQUEST');
    expect(await services.db.$count(products)).toBe(count);
  });

  it('looks up by EAN through an index, caches it, and sees an update at once', async () => {
    const clerk = await as('clerk');
    const first = await clerk.products.byEan({ ean: ean(1) });
    expect(first.name).toBe('Leite Integral 1L');
    const warm = await countQueries(() => clerk.products.byEan({ ean: ean(1) }));
    expect(warm.queries.count).toBe(0);
    await (await as('buyer')).products.update({ id: first.id, name: 'Leite Integral 1 L' });
    expect((await clerk.products.byEan({ ean: ean(1) })).name).toBe('Leite Integral 1 L');
    expect(await codeOf(clerk.products.byEan({ ean: ean(999) }))).toBe('NOT_FOUND');
  });

  it('deactivates instead of deleting: hidden from lists, still found by id, product.deleted emitted', async () => {
    const buyer = await as('buyer');
    const product = await buyer.products.create({ ean: ean(3), name: 'Descontinuado' });
    await buyer.products.deactivate({ id: product.id });
    await buyer.products.deactivate({ id: product.id });
    expect((await buyer.products.byId({ id: product.id })).active).toBe(false);
    const listed = await buyer.products.list({ limit: 200 });
    expect(listed.items.some((p) => p.id === product.id)).toBe(false);
    const events = await services.db.select({ type: eventLog.type }).from(eventLog).where(eq(eventLog.aggregateId, product.id));
    expect(events.map((e) => e.type)).toEqual(['product.created', 'product.deleted']);
  });

  it('searches by name prefix and by EAN prefix', async () => {
    const clerk = await as('clerk');
    expect((await clerk.products.list({ limit: 50, search: 'lei' })).items.map((p) => p.name)).toEqual(['Leite Integral 1 L']);
    const byEan = await clerk.products.list({ limit: 50, search: '7890000' });
    expect(byEan.items.map((p) => p.ean)).toEqual([ean(1)]);
    expect((await clerk.products.list({ limit: 50, search: '100%' })).items).toEqual([]);
  });
});

describe('search', () => {
  it('finds words of name, brand and category by their beginning, ignoring accents and case, names starting with the search first', async () => {
    const own = await createOrgFixture(services, 'catsearch');
    const buyer = await callerFor(services, { sessionSecret: own.secrets.buyer });
    const names: [string, string | null, string][] = [
      ['Água Mineral sem Gás 500ml', 'Crystal', 'Águas'],
      ['Agua de Coco 1L', 'Kero Coco', 'Sucos'],
      ['Refrigerante Guaraná 2L', 'Antarctica', 'Refrigerantes'],
      ['Açúcar Refinado 1kg', 'União', 'Mercearia'],
      ['Bolo de Açúcar Mascavo', null, 'Padaria'],
      ['Arroz Branco Tipo 1 5kg', 'Camil', 'Mercearia'],
      ['Arroz Integral 1kg', 'Tio João', 'Mercearia'],
    ];
    for (const [i, [name, brand, category]] of names.entries()) {
      await buyer.products.create({ ean: withCheckDigit(`7891111${String(i).padStart(5, '0')}`), name, brand, category, referencePrice: 1 });
    }
    const find = async (search: string, limit = 50) => (await buyer.products.list({ limit, search })).items.map((p) => p.name);
    // Accents and case: "agua" finds both waters; the one whose name starts with it first, then by name.
    expect(await find('agua')).toEqual(['Agua de Coco 1L', 'Água Mineral sem Gás 500ml']);
    expect(await find('ÁGUA MINERAL')).toEqual(['Água Mineral sem Gás 500ml']);
    // A word in the middle of the name; a prefix match first, then the others by name.
    expect(await find('acucar')).toEqual(['Açúcar Refinado 1kg', 'Bolo de Açúcar Mascavo']);
    // Brand and category count as words; every word must be there, in any order.
    expect(await find('camil')).toEqual(['Arroz Branco Tipo 1 5kg']);
    // (The fixture's own products are there too: Arroz 5kg and Feijão 1kg in Mercearia, Café 500g in Bebidas.)
    expect(await find('mercearia arroz')).toEqual(['Arroz 5kg', 'Arroz Branco Tipo 1 5kg', 'Arroz Integral 1kg']);
    expect(await find('integral arroz')).toEqual(['Arroz Integral 1kg']);
    expect(await find('guarana')).toEqual(['Refrigerante Guaraná 2L']);
    expect(await find('%')).toEqual([]);
    // Pages walk both groups once, in order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof buyer.products.list>> = await buyer.products.list({ limit: 1, search: 'a', cursor });
      seen.push(...page.items.map((p) => p.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(await find('a'));
    // Words are matched by their beginning: "a" finds the words starting with it (açúcar, Antarctica), not every
    // name holding an "a" somewhere (Café, Feijão: no word of theirs starts with it).
    expect(seen).toEqual([
      ...['Açúcar Refinado 1kg', 'Agua de Coco 1L', 'Água Mineral sem Gás 500ml', 'Arroz 5kg', 'Arroz Branco Tipo 1 5kg', 'Arroz Integral 1kg'],
      ...['Bolo de Açúcar Mascavo', 'Refrigerante Guaraná 2L'],
    ]);
    // One statement per page.
    const { queries } = await countQueries(() => buyer.products.list({ limit: 2, search: 'arroz' }));
    expect(queries.count).toBe(1);
  });
});

describe('CSV import', () => {
  const csv = [
    'ean;nome;marca;categoria;unidade;preço;comprador;plu',
    `${ean(10)};Açúcar 1kg;Doce;Mercearia;un;4,79;buyer@cat.test;`,
    `${ean(11)};Sal 1kg;;Mercearia;un;2.10;;`,
    `7890000000127;Check digit errado;;;un;1;;`,
    `${ean(10)};Açúcar repetido;;;un;1;;`,
    `${ean(12)};Comprador desconhecido;;;un;1;ninguem@cat.test;`,
    `${ean(13)};Preço ruim;;;un;abc;;`,
    `${ean(14)};"Banana, kg";;Hortifruti;kg;5,99;;12345`,
    `${ean(15)};Outra banana;;Hortifruti;kg;5,99;;12345`,
    `;Sem EAN;;;un;1;;`,
  ].join('\n');

  it('imports the good rows and reports every bad one with its line number', async () => {
    const buyer = await as('buyer');
    const result = await buyer.products.importCsv({ csv });
    expect(result.created).toBe(3);
    expect(result.updated).toBe(0);
    expect(result.errors.map((e) => e.line)).toEqual([4, 5, 6, 7, 9, 10]);
    const problemsOf = (line: number) => result.errors.find((e) => e.line === line)!.errors.map((p) => [p.reason, p.params]);
    expect(problemsOf(4)).toEqual([['check_digit', { field: 'ean' }]]);
    expect(problemsOf(5)).toEqual([['ean_repeated', { line: 2 }]]);
    expect(problemsOf(6)).toEqual([['buyer_email_unknown', { email: 'ninguem@cat.test' }]]);
    expect(problemsOf(7)).toEqual([['not_a_price', { field: 'referencePrice', value: 'abc' }]]);
    expect(problemsOf(9)).toEqual([['plu_repeated', { plu: '12345', line: 8 }]]);
    const sugar = await buyer.products.byEan({ ean: ean(10) });
    expect(sugar).toMatchObject({ name: 'Açúcar 1kg', referencePrice: 4.79, buyerId: org.users.buyer.id });
    expect((await buyer.products.byEan({ ean: ean(14) })).plu).toBe('12345');
    expect(await services.db.$count(products, eq(products.ean, ean(12)))).toBe(0);
  });

  it('re-importing updates instead of duplicating, with events and audit rows per product', async () => {
    const buyer = await as('buyer');
    const result = await buyer.products.importCsv({ csv: `ean,name,price\n${ean(10)},Açúcar Refinado 1kg,4.99\n${ean(16)},Farinha 1kg,3.50\n` });
    expect([result.created, result.updated, result.rejected]).toEqual([1, 1, 0]);
    const sugar = await buyer.products.byEan({ ean: ean(10) });
    expect([sugar.name, sugar.referencePrice]).toEqual(['Açúcar Refinado 1kg', 4.99]);
    // Columns the file does not have are left as they were.
    expect(sugar).toMatchObject({ brand: 'Doce', category: 'Mercearia', unit: 'un', buyerId: org.users.buyer.id, active: true });
    const events = await services.db.select({ type: eventLog.type, seq: eventLog.aggregateSeq }).from(eventLog).where(eq(eventLog.aggregateId, sugar.id));
    expect(events).toEqual([
      { type: 'product.created', seq: 1 },
      { type: 'product.updated', seq: 2 },
    ]);
  });

  it('an empty cell clears a text field but leaves a price or an active flag as it was; a product deactivated stays so', async () => {
    const buyer = await as('buyer');
    const sugar = await buyer.products.byEan({ ean: ean(10) });
    await services.db.update(products).set({ active: false }).where(eq(products.id, sugar.id));
    const result = await buyer.products.importCsv({ csv: `ean;nome;marca;preço;ativo\n${ean(10)};Açúcar Refinado 1kg;;;\n${ean(17)};Fubá 1kg;;;\n` });
    expect(result.errors).toEqual([]);
    const [after] = await services.db.select().from(products).where(eq(products.id, sugar.id));
    expect(after).toMatchObject({ brand: null, category: 'Mercearia', referencePrice: 4.99, buyerId: org.users.buyer.id, active: false });
    // A new product gets the defaults.
    expect(await buyer.products.byEan({ ean: ean(17) })).toMatchObject({ referencePrice: 0, unit: 'un', active: true });
  });

  it('takes a quote inside an unquoted field as a character (TV 32"), not as a broken file', async () => {
    const buyer = await as('buyer');
    const result = await buyer.products.importCsv({ csv: `ean;nome\n${ean(18)};TV 32" Led\n${ean(19)};"Cabo; 2m"\n` });
    expect([result.created, result.errors]).toEqual([2, []]);
    expect((await buyer.products.byEan({ ean: ean(18) })).name).toBe('TV 32" Led');
    expect((await buyer.products.byEan({ ean: ean(19) })).name).toBe('Cabo; 2m');
  });

  it('refuses a file without the required columns, importing nothing', async () => {
    const buyer = await as('buyer');
    const error = (await buyer.products.importCsv({ csv: 'codigo_interno;descricao\n1;x\n' }).catch((e: unknown) => e)) as TRPCError;
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('"ean"');
  });

  it('imports thousands of rows in one call', async () => {
    const buyer = await as('buyer');
    const lines = ['ean,name,category,price'];
    for (let i = 0; i < 3000; i++) lines.push(`${withCheckDigit(`7891${String(i).padStart(8, '0')}`)},Produto ${i},Carga,${(i % 50) + 0.99}`);
    lines.push('123,ruim,Carga,1');
    const result = await buyer.products.importCsv({ csv: lines.join('\n') });
    expect(result.created).toBe(3000);
    expect(result.errors).toEqual([{ line: 3002, ean: '123', errors: [{ reason: 'ean_digits', params: { field: 'ean' }, message: 'EAN must be 13 digits' }] }]);
  });
});

describe('pagination', () => {
  it('the EAN lookup is a unique-index scan once the catalogue has thousands of rows', async () => {
    await services.db.execute(sql`analyze products`);
    const plan = await services.db.execute<{ 'QUERY PLAN': string }>(
      sql`explain select * from products where org_id = ${org.org.id} and ean = ${ean(1)}`,
    );
    expect([...plan].map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using products_org_ean_unique/);
  });

  it('walks every product once with a cursor, in name order, at a constant query count', async () => {
    const clerk = await as('clerk');
    await clerk.auth.me();
    const total = await services.db.$count(products, and(eq(products.orgId, org.org.id), eq(products.active, true)));
    const seen = new Set<string>();
    let cursor: string | null = null;
    let previous = '';
    let pages = 0;
    do {
      const { result: page, queries } = await countQueries(() => clerk.products.list({ limit: 200, cursor }));
      expect(queries.count).toBe(1);
      for (const p of page.items) {
        expect(seen.has(p.id)).toBe(false);
        seen.add(p.id);
        expect(p.name.toLowerCase() >= previous).toBe(true);
        previous = p.name.toLowerCase();
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.size).toBe(total);
    expect(pages).toBeGreaterThan(10);
  });
});
