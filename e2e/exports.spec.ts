import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Download, Locator, Page } from '@playwright/test';
import superjson from 'superjson';
import { trpcMutation } from './fixtures/api';
import { demoUsers, expect, test } from './fixtures/auth';
import { openSession, signedInContext, storeProducts } from './fixtures/inventory';
import { device } from '../tests/helpers/devices';

const DATED = /\d{4}-\d{2}-\d{2}/.source;

/** Clicks a download link (checking it is a finger's size) and hands back the file the browser saved. */
async function download(page: Page, link: Locator): Promise<{ download: Download; file: Buffer }> {
  const box = await link.boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  expect(box!.width).toBeGreaterThanOrEqual(44);
  const [saved] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(await saved.failure()).toBeNull();
  return { download: saved, file: await readFile((await saved.path())!) };
}

async function sheetOf(file: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(file as unknown as ArrayBuffer);
  return workbook.worksheets[0]!;
}

test('the manager downloads a count’s result from its page, as Excel and as CSV', async ({ browser }) => {
  const manager = await signedInContext(browser, demoUsers.manager.email, { viewport: { width: 768, height: 1024 }, hasTouch: true, acceptDownloads: true });
  const centro = manager.me.stores.find((s) => s.name === 'Loja Centro')!;
  const session = await openSession(manager.page.request, { storeId: centro.id, assignments: [{ userId: manager.me.user.id }] });
  const [product] = await storeProducts(manager.page.request, centro.id, 1);
  const entries = [2, 0.5].map((quantity, i) => ({ id: crypto.randomUUID(), ean: product!.ean, quantity, zone: 'Corredor 1', countedAt: new Date(), seq: i + 1 }));
  const synced = await manager.page.request.post('/api/trpc/inventory.sync', { data: superjson.serialize({ sessionId: session.id, entries, ...device('e2e-export'), pendingCount: 0 }) });
  expect(synced.status(), await synced.text()).toBe(200);

  const page = manager.page;
  await page.goto(`/inventory/${session.id}`);
  const links = page.getByRole('group', { name: 'Exportar o resultado do inventário' });

  const excel = await download(page, links.getByRole('link', { name: 'Exportar Excel' }));
  expect(excel.download.suggestedFilename()).toMatch(new RegExp(`^inventario-loja-centro-${DATED}\\.xlsx$`));
  const ws = await sheetOf(excel.file);
  expect((ws.getRow(1).values as unknown[]).slice(1, 6)).toEqual(['EAN', 'Produto', 'Categoria', 'Unidade', 'Contado']);
  const row = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(1).value === product!.ean)!;
  expect(row.getCell(1).type).toBe(ExcelJS.ValueType.String);
  expect(row.getCell(2).value).toBe(product!.name);
  expect(row.getCell(5).value).toBe(2.5);
  expect(row.getCell(5).type).toBe(ExcelJS.ValueType.Number);
  expect(row.getCell(11).value).toBe('Corredor 1: 2,5');

  const csv = await download(page, links.getByRole('link', { name: 'Exportar CSV' }));
  expect(csv.download.suggestedFilename()).toMatch(new RegExp(`^inventario-loja-centro-${DATED}\\.csv$`));
  expect([...csv.file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = csv.file.toString('utf8').slice(1).split('\r\n');
  expect(lines[0]).toMatch(/^"EAN";"Produto";"Categoria";"Unidade";"Contado";"Esperado"/);
  expect(lines.find((l) => l.startsWith(`="${product!.ean}";`))).toContain(';2,5;');

  await trpcMutation(page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  await manager.context.close();
});

test('a clerk downloads the catalogue as the page filters it', async ({ page, loginAs }) => {
  await loginAs('clerk', '/catalogue');
  await page.getByLabel('Buscar por nome ou EAN').fill('arroz branco');
  const rows = page.getByRole('table', { name: 'Produtos' }).getByRole('rowgroup').last().getByRole('row');
  await expect(rows).toHaveCount(1);
  const links = page.getByRole('group', { name: 'Exportar os produtos filtrados' });
  await expect(links.getByRole('link', { name: 'Exportar CSV' })).toHaveAttribute('href', /search=arroz\+branco/);

  const csv = await download(page, links.getByRole('link', { name: 'Exportar CSV' }));
  expect(csv.download.suggestedFilename()).toMatch(new RegExp(`^catalogo-${DATED}\\.csv$`));
  const lines = csv.file.toString('utf8').slice(1).split('\r\n').filter(Boolean);
  expect(lines[0]).toBe('"EAN";"Nome";"Marca";"Categoria";"Unidade";"PLU";"Preço de referência";"Ativo";"Comprador";"Comprador da categoria";"Atualizado em"');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(/^="\d{13}";"Arroz Branco Tipo 1 Camil 5kg";/);

  const excel = await download(page, links.getByRole('link', { name: 'Exportar Excel' }));
  expect(excel.download.suggestedFilename()).toMatch(new RegExp(`^catalogo-${DATED}\\.xlsx$`));
  const ws = await sheetOf(excel.file);
  expect(ws.rowCount).toBe(2);
  expect(ws.getRow(2).getCell(1).type).toBe(ExcelJS.ValueType.String);
  expect(ws.getRow(2).getCell(2).value).toBe('Arroz Branco Tipo 1 Camil 5kg');
  expect(ws.getRow(2).getCell(7).type).toBe(ExcelJS.ValueType.Number);
});
