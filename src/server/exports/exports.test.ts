import { randomUUID } from 'node:crypto';
import http from 'node:http';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorFixture, createOrgFixture, createTestServices, testEan, type OrgFixture } from '../../../tests/helpers/harness';
import { device } from '../../../tests/helpers/devices';
import { as, createInventoryFixture, entry, setStock, type InventoryFixture } from '../../../tests/helpers/inventory';
import { SESSION_COOKIE } from '../auth/secrets';
import { createFileRoute } from '../http/file-route';
import { createAppServer } from '../http/server';
import { createLogger } from '../logger';
import { createServices, type Services } from '../services';

let services: Services;
let databaseUrl: string;
let close: () => Promise<void>;
let app: ReturnType<typeof createAppServer>;
let base: string;
let org: InventoryFixture;
let other: InventoryFixture;
let finalizedId: string;
let openId: string;
let promoEan: string;
const unmatchedEan = testEan('exp', 99);

beforeAll(async () => {
  let database: { url: string };
  ({ services, database, close } = await createTestServices());
  databaseUrl = database.url;
  org = await createInventoryFixture(services, 'exp');
  other = await createInventoryFixture(services, 'exp-other');
  app = createAppServer({ services });
  base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;

  const [store1, store2] = [org.stores[0]!.id, org.stores[1]!.id];
  const [p0, p1, p2] = org.products;
  const admin = await as(services, org, 'admin');
  const manager = await as(services, org, 'manager');
  const clerk = await as(services, org, 'clerk');
  const buyer = await as(services, org, 'buyer');
  promoEan = testEan('exp', 3);
  // A name someone could type as a formula, a PLU with a leading zero, sold by weight.
  await admin.products.create({ ean: promoEan, name: '=2+3 Promoção', plu: '01234', category: 'Hortifrúti', unit: 'kg', referencePrice: 7.99 });

  // A blind count of store 1, finalized keeping the expected quantity of the line nobody counted.
  await setStock(services, org, 0, [10, 20, 30]);
  const first = await manager.inventory.open({ storeId: store1, blind: true, assignments: [{ userId: org.users.clerk.id, zone: 'A' }, { userId: org.secondClerk.id, zone: 'B' }] });
  await clerk.inventory.sync({
    sessionId: first.id,
    ...device('exp-1'),
    pendingCount: 0,
    entries: [entry(p0!.ean, 8, { zone: 'A' }), entry(p0!.ean, 1.5, { zone: 'B' }), entry(p1!.ean, 20, { zone: 'A' }), entry(promoEan, 0.75, { zone: 'B' }), entry(unmatchedEan, 2, { zone: 'A' })],
  });
  await manager.inventory.finalize({ sessionId: first.id, uncounted: 'kept' });
  finalizedId = first.id;
  // The next blind count of store 1, open: one line counted so far.
  const second = await manager.inventory.open({ storeId: store1, blind: true, assignments: [{ userId: org.users.clerk.id, zone: '' }] });
  await clerk.inventory.sync({ sessionId: second.id, ...device('exp-1'), pendingCount: 0, entries: [entry(p0!.ean, 9)] });
  openId = second.id;
  await setStock(services, org, 1, [5]);

  // A clerk's request of store 1, decided line by line; a manager's of store 2, pending.
  const mine = await clerk.purchaseRequests.create({ id: randomUUID(), storeId: store1, items: [{ productId: p0!.id, quantity: 2 }, { productId: p1!.id, quantity: 1.5 }], submit: true });
  await buyer.purchaseRequests.decideItem({ itemId: mine.items[0]!.id, decision: 'approve', quantity: 1 });
  await buyer.purchaseRequests.decideItem({ itemId: mine.items[1]!.id, decision: 'reject', reason: 'Estoque suficiente' });
  await new Promise((resolve) => setTimeout(resolve, 5));
  await manager.purchaseRequests.create({ id: randomUUID(), storeId: store2, items: [{ productId: p2!.id, quantity: 3 }], submit: true });
});
afterAll(async () => {
  await app.shutdown(1000);
  await close();
});

type Who = { secret?: string; bearer?: string; headers?: Record<string, string> };
const credentials = (who: Who): Record<string, string> => ({
  ...(who.secret ? { cookie: `${SESSION_COOKIE}=${who.secret}` } : {}),
  ...(who.bearer ? { authorization: `Bearer ${who.bearer}` } : {}),
  ...who.headers,
});
const as_ = (fixture: OrgFixture, role: keyof OrgFixture['secrets']): Who => ({ secret: fixture.secrets[role] });

async function get(path: string, who: Who = {}, opts: { url?: string; method?: string } = {}) {
  return fetch(`${opts.url ?? base}${path}`, { method: opts.method ?? 'GET', headers: credentials(who) });
}

/** A CSV of ours as rows of cells (quotes undone; a `="…"` code as its digits). */
function parseCsv(file: Buffer): string[][] {
  expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = file.toString('utf8').slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ';') {
      row.push(cell);
      cell = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  expect(cell).toBe('');
  return rows.map((r) => r.map((v) => /^=\d+$/.test(v) ? v.slice(1) : v));
}

async function csvOf(path: string, who: Who) {
  const res = await get(path, who);
  expect(res.status, await res.clone().text().then((t) => t.slice(0, 300))).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  return parseCsv(Buffer.from(await res.arrayBuffer()));
}

async function xlsxOf(path: string, who: Who) {
  const res = await get(path, who);
  expect(res.status, await res.clone().text().then((t) => t.slice(0, 300))).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(await res.arrayBuffer());
  return workbook.worksheets[0]!;
}

/** The values of a sheet's row, from column 1. */
const valuesOf = (ws: ExcelJS.Worksheet, row: number) => (ws.getRow(row).values as ExcelJS.CellValue[]).slice(1);
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(new Date());

describe('GET /api/export/inventory-session', () => {
  it("writes a finalized count's lines from its totals, with what finalize did with the lines nobody counted (CSV)", async () => {
    const rows = await csvOf(`/api/export/inventory-session.csv?sessionId=${finalizedId}`, as_(org, 'manager'));
    const [p0, p1, p2] = org.products;
    expect(rows).toEqual([
      ['EAN', 'Produto', 'Categoria', 'Unidade', 'Contado', 'Esperado', 'Divergência', 'Preço unitário', 'Divergência (R$)', 'Acima do limite', 'Zonas', 'Recontado', 'Nunca contado', 'Na finalização', 'No escopo'],
      [p0!.ean, 'Arroz 5kg', 'Mercearia', 'un', '9,5', '10', '-0,5', '10,00', '-5,00', 'Não', 'A: 8; B: 1,5', 'Não', 'Não', '', 'Sim'],
      [p1!.ean, 'Feijão 1kg', 'Mercearia', 'un', '20', '20', '0', '15,50', '0,00', 'Não', 'A: 20', 'Não', 'Não', '', 'Sim'],
      [p2!.ean, 'Café 500g', 'Bebidas', 'un', '30', '30', '0', '21,00', '0,00', 'Não', '', 'Não', 'Sim', 'Mantido o esperado', 'Sim'],
      // The name typed as a formula stays text (the apostrophe), its line flagged: counted with nothing expected.
      [promoEan, "'=2+3 Promoção", 'Hortifrúti', 'kg', '0,75', '0', '0,75', '7,99', '5,99', 'Sim', 'B: 0,75', 'Não', 'Não', '', 'Sim'],
      [unmatchedEan, 'Sem cadastro', '', '', '2', '0', '2', '0,00', '0,00', 'Sim', 'A: 2', 'Não', 'Não', '', 'Sim'],
    ]);
  });

  it('writes the same lines as an .xlsx of typed cells: EANs strings, quantities and money numbers', async () => {
    const ws = await xlsxOf(`/api/export/inventory-session.xlsx?sessionId=${finalizedId}`, as_(org, 'manager'));
    expect(ws.name).toBe('Inventário');
    expect(ws.rowCount).toBe(6);
    expect(ws.getRow(1).font?.bold).toBe(true);
    const p0 = ws.getRow(2);
    expect(p0.getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(p0.getCell(1).value).toBe(org.products[0]!.ean);
    expect(valuesOf(ws, 2).slice(4, 9)).toEqual([9.5, 10, -0.5, 10, -5]);
    expect(p0.getCell(5).numFmt).toBe('#,##0.000');
    expect(p0.getCell(6).numFmt).toBe('#,##0');
    expect(p0.getCell(9).numFmt).toBe('"R$" #,##0.00');
    expect(ws.getRow(5).getCell(2).value).toBe('=2+3 Promoção');
    expect(ws.getRow(5).getCell(2).type).toBe(ExcelJS.ValueType.String);
  });

  it('computes an open count from its log, expected quantities included, for its manager', async () => {
    const manager = await as(services, org, 'manager');
    const review = await manager.inventory.review({ sessionId: openId, limit: 100 });
    const rows = await csvOf(`/api/export/inventory-session.csv?sessionId=${openId}`, as_(org, 'manager'));
    expect(rows.slice(1).map((r) => [r[0], r[4], r[5], r[12]])).toEqual(
      review.items.map((l) => [l.ean, String(l.counted).replace('.', ','), String(l.expected).replace('.', ','), l.entryCount === 0 ? 'Sim' : 'Não']),
    );
    expect(rows[1]!.slice(4, 9)).toEqual(['9', '9,5', '-0,5', '10,00', '-5,00']);
  });

  it('refuses clerks, even one assigned to the blind count, and buyers (403); another org gets 404', async () => {
    for (const who of [as_(org, 'clerk'), { secret: org.secondClerk.secret }, as_(org, 'buyer')]) {
      for (const format of ['csv', 'xlsx']) {
        const res = await get(`/api/export/inventory-session.${format}?sessionId=${openId}`, who);
        expect(res.status).toBe(403);
        const body = await res.text();
        expect(JSON.parse(body)).toMatchObject({ reason: 'role_required' });
        // Not one expected quantity in the answer.
        expect(body).not.toMatch(/9,5|9\.5|Esperado/);
      }
    }
    const res = await get(`/api/export/inventory-session.csv?sessionId=${openId}`, as_(other, 'manager'));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ reason: 'not_found', details: { entity: 'inventory_session' } });
  });

  it('answers with the headers of a download: dated name, type, no-store, chunked, the API policy', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`${base}/api/export/inventory-session.xlsx?sessionId=${finalizedId}`, { headers: credentials(as_(org, 'admin')) }, resolve).on('error', reject),
    );
    res.resume();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="inventario-loja-exp-1-${today}.xlsx"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('GET /api/export/purchase-requests', () => {
  const header = ['Solicitação', 'Loja', 'Criada por', 'Criada em', 'Situação', 'Produto', 'EAN', 'Unidade', 'Quantidade pedida', 'Quantidade aprovada', 'Decisão', 'Motivo', 'Comprador', 'Decidido em', 'Preço unitário', 'Valor pedido', 'Valor aprovado'];

  it('writes one row per line with its decision, newest request first, for whoever may list them', async () => {
    const rows = await csvOf('/api/export/purchase-requests.csv', as_(org, 'buyer'));
    expect(rows[0]).toEqual(header);
    const pick = (r: string[]) => [r[1], r[2], r[4], r[5], r[8], r[9], r[10], r[11], r[12], r[15], r[16]];
    expect(rows.slice(1).map(pick)).toEqual([
      ['Loja exp 2', 'manager exp', 'Pendente', 'Café 500g', '3', '', 'Aguardando', '', 'buyer exp', '63,00', ''],
      ['Loja exp 1', 'clerk exp', 'Parcialmente aprovada', 'Arroz 5kg', '2', '1', 'Aprovado', '', 'buyer exp', '20,00', '10,00'],
      ['Loja exp 1', 'clerk exp', 'Parcialmente aprovada', 'Feijão 1kg', '1,5', '', 'Recusado', 'Estoque suficiente', 'buyer exp', '23,25', ''],
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual([expect.stringMatching(/^PC-\d{4}-\d{6}$/), expect.stringMatching(/^PC-/), expect.stringMatching(/^PC-/)]);
    expect(rows[2]![0]).toBe(rows[3]![0]);
    expect(rows[1]![3]).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    expect(rows[1]![13]).toBe('');
    expect(rows[2]![13]).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  });

  it('keeps a clerk to their stores and applies the list’s filters', async () => {
    const clerkRows = await csvOf('/api/export/purchase-requests.csv', as_(org, 'clerk'));
    expect(clerkRows.slice(1).map((r) => r[1])).toEqual(['Loja exp 1', 'Loja exp 1']);
    const pending = await csvOf('/api/export/purchase-requests.csv?status=pending,draft', as_(org, 'manager'));
    expect(pending.slice(1).map((r) => r[5])).toEqual(['Café 500g']);
    const mine = await csvOf('/api/export/purchase-requests.csv?mine=true', as_(org, 'manager'));
    expect(mine.slice(1).map((r) => r[2])).toEqual(['manager exp']);
    const byNumber = await csvOf(`/api/export/purchase-requests.csv?number=${mine[1]![0]!.slice(-6)}`, as_(org, 'manager'));
    expect(byNumber.slice(1).map((r) => r[0])).toEqual([mine[1]![0]]);
    const later = await csvOf(`/api/export/purchase-requests.csv?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, as_(org, 'manager'));
    expect(later).toEqual([header]);
    const ofStore = await get(`/api/export/purchase-requests.csv?storeId=${org.stores[1]!.id}`, as_(org, 'manager'));
    expect(ofStore.headers.get('content-disposition')).toBe(`attachment; filename="solicitacoes-de-compra-loja-exp-2-${today}.csv"`);
    expect(parseCsv(Buffer.from(await ofStore.arrayBuffer())).length).toBe(2);
    expect((await csvOf('/api/export/purchase-requests.csv', as_(other, 'manager'))).length).toBe(1);
  });

  it('writes dates as dates in the .xlsx', async () => {
    const ws = await xlsxOf('/api/export/purchase-requests.xlsx', as_(org, 'admin'));
    expect(ws.rowCount).toBe(4);
    const created = ws.getRow(2).getCell(4);
    expect(created.type).toBe(ExcelJS.ValueType.Date);
    expect(created.numFmt).toBe('dd/mm/yyyy hh:mm');
    // The São Paulo wall clock (UTC−3 since 2019) of the request's creation, within the test's few seconds.
    const shown = (created.value as Date).getTime();
    expect(Math.abs(shown - (Date.now() - 3 * 3600_000))).toBeLessThan(120_000);
    expect(ws.getRow(3).getCell(7).type).toBe(ExcelJS.ValueType.String);
    expect(ws.getRow(3).getCell(17).value).toBe(10);
  });
});

describe('GET /api/export/catalogue', () => {
  it("writes the org's products in name order with codes as text, never another org's", async () => {
    const rows = await csvOf('/api/export/catalogue.csv', as_(org, 'clerk'));
    expect(rows[0]).toEqual(['EAN', 'Nome', 'Marca', 'Categoria', 'Unidade', 'PLU', 'Preço de referência', 'Ativo', 'Comprador', 'Comprador da categoria', 'Atualizado em']);
    expect(rows.slice(1).map((r) => r[1])).toEqual(["'=2+3 Promoção", 'Arroz 5kg', 'Café 500g', 'Feijão 1kg']);
    expect(rows[1]!.slice(0, 9)).toEqual([promoEan, "'=2+3 Promoção", '', 'Hortifrúti', 'kg', '01234', '7,99', 'Sim', '']);
    expect(rows.flat()).not.toContain(other.products[0]!.ean);
  });

  it('applies the page’s filters: search, category, active', async () => {
    const manager = await as(services, org, 'admin');
    await manager.products.deactivate({ id: org.products[1]!.id });
    try {
      // Words of name, brand or category by their beginning, names starting with the search first: what the list shows.
      for (const [search, names] of [
        ['ca', ['Café 500g']],
        ['promo', ['=2+3 Promoção']],
      ] as const) {
        const listed = await (await as(services, org, 'buyer')).products.list({ search, limit: 50 });
        const exported = (await csvOf(`/api/export/catalogue.csv?search=${search}`, as_(org, 'buyer'))).slice(1).map((r) => r[1]!.replace(/^'/, ''));
        expect(exported).toEqual(listed.items.map((p) => p.name));
        expect(exported).toEqual(names);
      }
      expect((await csvOf(`/api/export/catalogue.csv?search=${org.products[0]!.ean.slice(0, 11)}`, as_(org, 'buyer'))).slice(1).map((r) => r[1])).toEqual(['Arroz 5kg', 'Café 500g', "'=2+3 Promoção"]);
      expect((await csvOf('/api/export/catalogue.csv?category=Mercearia', as_(org, 'buyer'))).slice(1).map((r) => r[1])).toEqual(['Arroz 5kg']);
      expect((await csvOf('/api/export/catalogue.csv?active=false', as_(org, 'buyer'))).slice(1).map((r) => [r[1], r[7]])).toEqual([['Feijão 1kg', 'Não']]);
      expect((await csvOf('/api/export/catalogue.csv?active=all', as_(org, 'buyer'))).length).toBe(5);
    } finally {
      await manager.products.update({ id: org.products[1]!.id, active: true });
    }
  });

  it('writes codes as strings, prices as money, dates as dates in the .xlsx', async () => {
    const ws = await xlsxOf('/api/export/catalogue.xlsx', as_(org, 'clerk'));
    const promo = ws.getRow(2);
    expect(promo.getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(promo.getCell(6).value).toBe('01234');
    expect(promo.getCell(6).type).toBe(ExcelJS.ValueType.String);
    expect(promo.getCell(7).value).toBe(7.99);
    expect(promo.getCell(7).type).toBe(ExcelJS.ValueType.Number);
    expect(promo.getCell(11).type).toBe(ExcelJS.ValueType.Date);
    expect(ws.getRow(3).getCell(9).value).toBe('buyer exp');
  });
});

describe('GET /api/export/stock', () => {
  it("writes one store's stock, or every store's, with its value", async () => {
    const one = await csvOf(`/api/export/stock.csv?storeId=${org.stores[0]!.id}`, as_(org, 'manager'));
    expect(one[0]).toEqual(['Loja', 'EAN', 'Produto', 'Categoria', 'Unidade', 'Quantidade', 'Preço de referência', 'Valor', 'Atualizado em']);
    expect(one.slice(1).map((r) => r.slice(0, 8))).toEqual([
      ['Loja exp 1', org.products[0]!.ean, 'Arroz 5kg', 'Mercearia', 'un', '9,5', '10,00', '95,00'],
      ['Loja exp 1', org.products[1]!.ean, 'Feijão 1kg', 'Mercearia', 'un', '20', '15,50', '310,00'],
      ['Loja exp 1', org.products[2]!.ean, 'Café 500g', 'Bebidas', 'un', '30', '21,00', '630,00'],
      ['Loja exp 1', promoEan, "'=2+3 Promoção", 'Hortifrúti', 'kg', '0,75', '7,99', '5,99'],
    ]);
    const all = await get('/api/export/stock.xlsx', as_(org, 'admin'));
    expect(all.headers.get('content-disposition')).toBe(`attachment; filename="estoque-todas-as-lojas-${today}.xlsx"`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await all.arrayBuffer());
    const ws = workbook.worksheets[0]!;
    expect(ws.rowCount).toBe(6);
    expect(valuesOf(ws, 6).slice(0, 2)).toEqual(['Loja exp 2', org.products[0]!.ean]);
    expect(ws.getRow(6).getCell(6).value).toBe(5);
    expect(ws.getRow(6).getCell(8).value).toBe(50);
    expect(ws.getRow(6).getCell(9).type).toBe(ExcelJS.ValueType.Date);
  });

  it("refuses clerks and buyers (a blind count's expected quantities are the stock); another org's store is 404", async () => {
    for (const role of ['clerk', 'buyer'] as const) expect((await get(`/api/export/stock.csv?storeId=${org.stores[0]!.id}`, as_(org, role))).status).toBe(403);
    const res = await get(`/api/export/stock.csv?storeId=${org.stores[0]!.id}`, as_(other, 'manager'));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ reason: 'not_found', details: { entity: 'store', field: 'storeId' } });
  });
});

describe('GET /api/export/audit', () => {
  it("writes the org's audit trail for admins, with the list's filters", async () => {
    const rows = await csvOf('/api/export/audit.csv?action=inventory.finalized', as_(org, 'admin'));
    expect(rows[0]).toEqual(['Registro', 'Quando', 'Quem', 'Tipo de autor', 'Ação', 'Código da ação', 'Entidade', 'ID da entidade', 'IP', 'Requisição', 'Antes', 'Depois']);
    expect(rows).toHaveLength(2);
    expect(rows[1]!.slice(2, 8)).toEqual(['manager exp', 'Usuário', 'Inventário finalizado', 'inventory.finalized', 'Inventário', finalizedId]);
    expect(JSON.parse(rows[1]![11]!)).toBeTypeOf('object');
    const all = await csvOf('/api/export/audit.csv', as_(org, 'admin'));
    expect(all.length).toBeGreaterThan(8);
    expect(all.slice(1).map((r) => r[7])).not.toContain(other.stores[0]!.id);
    for (const role of ['manager', 'buyer', 'clerk'] as const) expect((await get('/api/export/audit.csv', as_(org, role))).status).toBe(403);
  });
});

describe('the export door', () => {
  it('needs a session or an API token (401), and takes a bearer token as the user it acts for', async () => {
    const anonymous = await get(`/api/export/catalogue.csv`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ reason: 'signed_out' });
    expect((await get('/api/export/catalogue.csv', { bearer: 'mi_AAAAAAAA_' + 'A'.repeat(43) })).status).toBe(401);
    expect((await get('/api/export/catalogue.csv', { secret: 'not-a-session' })).status).toBe(401);
    const admin = await as(services, org, 'admin');
    const { token } = await admin.admin.tokens.create({ name: 'exports', userId: org.users.manager.id });
    expect((await get(`/api/export/inventory-session.csv?sessionId=${finalizedId}`, { bearer: token })).status).toBe(200);
    const { token: clerkToken } = await admin.admin.tokens.create({ name: 'exports clerk', userId: org.users.clerk.id });
    expect((await get(`/api/export/inventory-session.csv?sessionId=${finalizedId}`, { bearer: clerkToken })).status).toBe(403);
  });

  it('refuses the platform operator (no org) and cross-site fetches', async () => {
    const { secret } = await createOperatorFixture(services, 'exp');
    const res = await get('/api/export/catalogue.csv', { secret });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ reason: 'operator_outside_orgs' });
    const crossSite = await get('/api/export/catalogue.csv', { ...as_(org, 'admin'), headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ reason: 'cross_site' });
  });

  it('answers bad parameters with 400 and the refused values, unknown exports with 404, other methods with 405', async () => {
    const badId = await get('/api/export/inventory-session.csv?sessionId=abc', as_(org, 'manager'));
    expect(badId.status).toBe(400);
    expect(badId.headers.get('content-disposition')).toBeNull();
    expect(await badId.json()).toMatchObject({ reason: 'invalid_input', issues: [{ reason: 'invalid_id', params: { field: 'sessionId' } }] });
    const missing = await get('/api/export/inventory-session.xlsx', as_(org, 'manager'));
    expect(await missing.json()).toMatchObject({ reason: 'invalid_input', issues: [{ reason: 'required', params: { field: 'sessionId' } }] });
    const unknown = await get('/api/export/catalogue.csv?limit=5', as_(org, 'manager'));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ issues: [{ reason: 'unknown_field' }] });
    const status = await get('/api/export/purchase-requests.csv?status=approved,shipped', as_(org, 'manager'));
    expect(await status.json()).toMatchObject({ issues: [{ reason: 'invalid_option', params: { field: 'status' } }] });
    const period = await get('/api/export/audit.csv?from=yesterday', as_(org, 'admin'));
    expect(await period.json()).toMatchObject({ issues: [{ params: { field: 'from' } }] });
    const nul = await get('/api/export/catalogue.csv?search=a%00b', as_(org, 'manager'));
    expect(await nul.json()).toMatchObject({ reason: 'nul_character' });
    expect((await get('/api/export/everything.csv', as_(org, 'admin'))).status).toBe(404);
    expect((await get('/api/export/catalogue.pdf', as_(org, 'admin'))).status).toBe(404);
    expect((await get('/api/export/../export/catalogue.csv', as_(org, 'clerk'))).status).toBe(200);
    const post = await get('/api/export/catalogue.csv', as_(org, 'admin'), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});

describe('an export under strain', () => {
  let tight: Services;
  let tightApp: ReturnType<typeof createAppServer>;
  let tightBase: string;
  let bulk: OrgFixture;

  beforeAll(async () => {
    // The same database, served by a process that streams one export at a time, each for at most 1.5 s.
    tight = createServices({ ...services.env, EXPORT_MAX_CONCURRENT: 1, EXPORT_TIMEOUT_MS: 1500 }, { logger: createLogger({ level: 'silent' }), databaseUrl });
    tightApp = createAppServer({ services: tight });
    tightBase = `http://127.0.0.1:${await tightApp.listen(0, '127.0.0.1')}`;
    bulk = await createOrgFixture(services, 'exp-bulk');
  });
  afterAll(async () => {
    await tightApp.shutdown(1000);
    await tight.close();
  });

  it('destroys the connection when the file fails after the first bytes: the download fails, never a short file', async () => {
    // A file whose data fails after 200 KB are out (as a query cut by its statement timeout does). Deterministic:
    // racing the real timeout depended on how fast this machine reads 40,000 rows (under 1.5 s when it is quiet).
    const serveFile = createFileRoute(tight, { isSecure: () => false, trustProxy: false });
    const server = http.createServer((req, res) => {
      res.setHeader('x-request-id', 'failing-file');
      void serveFile(req, res, {
        logPath: 'failing.csv',
        roles: null,
        invalidMessage: 'Invalid',
        deadlineMs: 10_000,
        input: async () => ({}),
        prepare: async () => ({
          contentType: 'text/csv; charset=utf-8',
          filename: 'failing.csv',
          write: async (out) => {
            out.write('x'.repeat(200_000));
            await new Promise((resolve) => setTimeout(resolve, 50));
            throw new Error('canceling statement due to statement timeout');
          },
        }),
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await get('/failing.csv', as_(bulk, 'admin'), { url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
      expect(res.status).toBe(200);
      await expect(res.arrayBuffer()).rejects.toThrow();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 503 files_busy past its limit, and frees the slot when a reader goes away', async () => {
    // A lock holds the first export before its first row.
    const reserved = await services.sql.reserve();
    await reserved`begin`;
    await reserved`lock table products in access exclusive mode`;
    const reader = new AbortController();
    const held = fetch(`${tightBase}/api/export/catalogue.csv`, { headers: credentials(as_(org, 'admin')), signal: reader.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const busy = await get('/api/export/purchase-requests.csv', as_(org, 'admin'), { url: tightBase });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('10');
    expect(await busy.json()).toMatchObject({ reason: 'files_busy' });
    // One budget for every file route: the shelf labels wait for the same slot.
    const labels = await fetch(`${tightBase}/api/labels.pdf`, {
      method: 'POST',
      headers: { ...credentials(as_(org, 'admin')), 'content-type': 'application/json' },
      body: JSON.stringify({ productIds: [org.products[0]!.id], layout: 'a4-21' }),
    });
    expect(labels.status).toBe(503);
    expect(await labels.json()).toMatchObject({ reason: 'files_busy' });
    reader.abort();
    await held;
    await reserved`rollback`;
    reserved.release();
    // The abandoned export finds its reader gone at its first write, and gives its slot back.
    let status = 503;
    for (let i = 0; i < 20 && status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const res = await get('/api/export/purchase-requests.csv', as_(org, 'admin'), { url: tightBase });
      status = res.status;
      // Read it whole: the export holds the only slot until its last byte, and the next test needs that slot.
      await res.arrayBuffer();
    }
    expect(status).toBe(200);
    // Nothing left open in the database by the abandoned export (the last one commits right after its last byte).
    let left: { query: string }[] = [];
    for (let i = 0; i < 20; i++) {
      left = await services.sql<{ query: string }[]>`select query from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`;
      if (left.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(left).toEqual([]);
  });

  it('answers an error, not a file, when the query fails before its first row', async () => {
    const reserved = await services.sql.reserve();
    await reserved`begin`;
    await reserved`lock table store_stock in access exclusive mode`;
    try {
      const res = await get('/api/export/stock.csv', as_(org, 'admin'), { url: tightBase });
      expect(res.status).toBe(500);
      expect(res.headers.get('content-disposition')).toBeNull();
      expect(await res.json()).toMatchObject({ error: 'Internal server error' });
    } finally {
      await reserved`rollback`;
      reserved.release();
    }
  });
});
