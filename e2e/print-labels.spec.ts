import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import type { Locator, Page } from '@playwright/test';
import superjson from 'superjson';
import { withCheckDigit } from '../src/lib/ean';
import { trpcMutation, trpcQuery } from './fixtures/api';
import { DEMO_ORG_NAME, demoUsers, expect, mainNav, test } from './fixtures/auth';
import { openSession } from './fixtures/inventory';
import { device } from '../tests/helpers/devices';

/** window.print() counted instead of opening the browser's dialog. */
async function stubPrint(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __prints: number };
    w.__prints = 0;
    window.print = () => {
      w.__prints++;
    };
  });
}
const prints = (page: Page) => page.evaluate(() => (window as unknown as { __prints: number }).__prints);

async function expectFingerSized(target: Locator) {
  const box = await target.boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  expect(box!.width).toBeGreaterThanOrEqual(44);
}

/** What print media shows of the app's frame: nothing. */
async function expectNoAppFrame(page: Page) {
  await expect(mainNav(page)).toBeHidden();
  await expect(page.getByRole('banner').getByText(demoUsers.manager.name)).toBeHidden();
  await expect(page.getByRole('button', { name: 'Imprimir' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Sair' })).toBeHidden();
  await expect(page.getByRole('button', { name: /^Notificações/ })).toBeHidden();
}

/** On paper a table stays a table, its heads repeated on each page, no row split between pages. */
async function expectPrintTable(table: Locator) {
  const styles = await table.evaluate((t) => ({
    table: getComputedStyle(t).display,
    thead: getComputedStyle(t.querySelector('thead')!).display,
    row: getComputedStyle(t.querySelector('tbody tr')!).breakInside,
    cell: getComputedStyle(t.querySelector('tbody td:not(.no-print)')!).display,
  }));
  expect(styles).toEqual({ table: 'table', thead: 'table-header-group', row: 'avoid', cell: 'table-cell' });
}

test('a purchase request prints on its own: the organization, number, dates and every line, without the app around it', async ({ page, loginAs }) => {
  await loginAs('manager');
  const me = await trpcQuery<{ user: { storeIds: string[] } }>(page.request, 'auth.me');
  const listed = await trpcQuery<{ items: { id: string; name: string }[] }>(page.request, 'products.list', { limit: 12, active: true });
  const products = listed.items.slice(0, 12);
  const created = await trpcMutation<{ id: string; number: string }>(page.request, 'purchaseRequests.create', {
    id: randomUUID(),
    storeId: me.user.storeIds[0],
    note: 'Impressão e2e',
    items: products.map((p, i) => ({ productId: p.id, quantity: i + 1 })),
    submit: true,
  });

  await page.goto(`/purchase-requests/${created.id}`);
  const table = page.getByRole('table', { name: `Itens da solicitação ${created.number}` });
  await expect(table.getByRole('rowgroup').last().getByRole('row')).toHaveCount(products.length);
  await stubPrint(page);
  const print = page.getByRole('button', { name: 'Imprimir' });
  await expectFingerSized(print);
  await print.click();
  await expect.poll(() => prints(page)).toBe(1);
  // The paper's head is not on the screen.
  await expect(page.getByTestId('print-header')).toBeHidden();

  await page.emulateMedia({ media: 'print' });
  await expectNoAppFrame(page);
  await expect(page.getByRole('button', { name: 'Fechar solicitação' })).toBeHidden();
  await expect(page.getByRole('link', { name: 'Voltar para a lista' })).toBeHidden();
  const header = page.getByTestId('print-header');
  await expect(header).toBeVisible();
  await expect(header).toContainText(DEMO_ORG_NAME);
  await expect(header).toContainText(`Solicitação de compra ${created.number}`);
  await expect(header).toContainText(`Criada por${demoUsers.manager.name}`);
  await expect(header).toContainText('ObservaçãoImpressão e2e');
  await expect(header).toContainText(`Impresso por${demoUsers.manager.name}`);
  const rows = table.getByRole('rowgroup').last().getByRole('row');
  await expect(rows).toHaveCount(products.length);
  for (const [i, product] of products.entries()) await expect(rows.nth(i)).toContainText(product.name);
  await expect(rows.last()).toBeVisible();
  await expectPrintTable(table);
  const colours = await page.locator('body').evaluate((b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]);
  expect(colours).toEqual(['rgba(0, 0, 0, 0)', 'rgb(0, 0, 0)']);

  await page.emulateMedia({ media: 'screen' });
  await expect(mainNav(page)).toBeVisible();
});

test('a count’s result prints every line of its review, the pages not yet loaded included', async ({ page, loginAs }) => {
  await loginAs('manager');
  const me = await trpcQuery<{ user: { id: string }; stores: { id: string; name: string }[] }>(page.request, 'auth.me');
  const centro = me.stores.find((s) => s.name === 'Loja Centro')!;
  const session = await openSession(page.request, { storeId: centro.id, assignments: [{ userId: me.user.id }] });
  try {
    // 520 codes the catalogue does not know (each its own line) and the store's stock: more than the review's page of 500.
    const entries = Array.from({ length: 520 }, (_, i) => ({
      id: randomUUID(),
      ean: withCheckDigit(`400${String(Date.now() % 1_000_000).padStart(6, '0')}${String(i).padStart(3, '0')}`),
      quantity: 1,
      zone: 'Depósito',
      countedAt: new Date(),
      seq: i + 1,
    }));
    const synced = await page.request.post('/api/trpc/inventory.sync', { data: superjson.serialize({ sessionId: session.id, entries, ...device('e2e-print'), pendingCount: 0 }) });
    expect(synced.status(), await synced.text()).toBe(200);
    const all = await trpcQuery<{ items: { ean: string }[] }>(page.request, 'inventory.review', { sessionId: session.id, limit: 2000 });
    expect(all.items.length).toBeGreaterThan(520);

    await page.goto(`/inventory/${session.id}`);
    const table = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Divergência' }) });
    const rows = table.locator('tbody tr');
    await expect(rows).toHaveCount(500);
    await expect(page.getByRole('button', { name: 'Carregar mais' })).toBeVisible();
    await stubPrint(page);
    const print = page.getByRole('button', { name: 'Imprimir' });
    await expectFingerSized(print);
    await print.click();
    // Every line is on the page before the print starts, once.
    await expect.poll(() => prints(page)).toBe(1);
    await expect(rows).toHaveCount(all.items.length);
    await expect(page.getByRole('button', { name: 'Carregar mais' })).toHaveCount(0);

    await page.emulateMedia({ media: 'print' });
    await expectNoAppFrame(page);
    await expect(page.getByRole('button', { name: 'Finalizar' })).toBeHidden();
    await expect(page.getByText('Progresso ao vivo')).toBeHidden();
    await expect(page.getByLabel('Mostrar')).toBeHidden();
    const header = page.getByTestId('print-header');
    await expect(header).toBeVisible();
    await expect(header).toContainText(DEMO_ORG_NAME);
    await expect(header).toContainText(/Inventário INV-\d{4}-\d{6}/);
    await expect(header).toContainText('LojaLoja Centro');
    await expect(header).toContainText(`Aberto por${demoUsers.manager.name}`);
    await expect(header).toContainText('LinhasTodas as linhas, por código (EAN)');
    await expect(page.getByTestId('print-partial')).toBeHidden();
    await expect(rows).toHaveCount(all.items.length);
    await expect(rows.first()).toContainText(all.items[0]!.ean);
    await expect(rows.last()).toContainText(all.items.at(-1)!.ean);
    await expect(rows.last()).toBeVisible();
    // The row's checkbox and buttons are for the screen.
    await expect(rows.first().getByRole('checkbox')).toBeHidden();
    await expectPrintTable(table);
  } finally {
    await trpcMutation(page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  }
});

/** A PDF's pages, and the text of its text operators joined (its streams inflated). */
function readPdf(file: Buffer) {
  const text = file.toString('latin1');
  const strings: string[] = [];
  for (const match of text.matchAll(/stream\r?\n/g)) {
    const start = match.index + match[0].length;
    try {
      const content = inflateSync(file.subarray(start, text.indexOf('endstream', start))).toString('latin1');
      for (const op of content.matchAll(/\[([^\]]*)\] TJ/g)) strings.push([...op[1]!.matchAll(/<([0-9a-f]*)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1')).join(''));
    } catch {
      // not a text stream
    }
  }
  return { pages: (text.match(/\/Type \/Page\b(?!s)/g) ?? []).length, text: strings.join('') };
}

test('shelf labels of products chosen in the catalogue download as a PDF of the chosen A4 sheet', async ({ page, loginAs }) => {
  await loginAs('clerk', '/catalogue');
  const rows = page.getByRole('table', { name: 'Produtos' }).getByRole('rowgroup').last().getByRole('row');
  const labels = page.getByRole('button', { name: 'Etiquetas' });
  await expect(labels).toBeDisabled();

  const chosen: { ean: string }[] = [];
  // Chosen in two searches: the choice stays while the list changes.
  for (const [search, name] of [
    ['arroz branco', 'Arroz Branco Tipo 1 Camil 5kg'],
    ['detergente ype', 'Detergente Líquido Ypê 500ml'],
  ]) {
    await page.getByLabel('Buscar por nome ou EAN').fill(search!);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(name!);
    const ean = (await rows.first().locator('td[data-label="EAN"]').textContent())!.trim();
    // The whole 44 px square around the box takes the tap.
    await expectFingerSized(rows.first().locator('label').filter({ has: page.getByRole('checkbox') }));
    await rows.first().getByRole('checkbox').check();
    chosen.push({ ean });
  }
  await expect(page.getByText('2 produtos escolhidos')).toBeVisible();

  await labels.click();
  const dialog = page.getByRole('dialog', { name: 'Etiquetas de gôndola' });
  await expect(dialog).toContainText('2 produtos escolhidos');
  const sheet = dialog.getByRole('radio', { name: /14 por folha/ });
  await sheet.check();
  await expectFingerSized(dialog.locator('label').filter({ has: page.getByRole('radio', { name: /14 por folha/ }) }));
  await dialog.getByLabel('Começar na etiqueta nº').fill('15');
  await expect(dialog.getByText('Use um número de 1 a 14')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Baixar PDF' })).toBeDisabled();
  await dialog.getByLabel('Começar na etiqueta nº').fill('13');
  // Positions 13 and 14 of a first sheet, then… nothing more: one sheet.
  await expect(sheet).toHaveAccessibleName(/1 folha$/);

  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Baixar PDF' }).click()]);
  expect(await download.failure()).toBeNull();
  expect(download.suggestedFilename()).toMatch(/^etiquetas-14-por-folha-\d{4}-\d{2}-\d{2}\.pdf$/);
  const file = await readFile((await download.path())!);
  expect(file.subarray(0, 5).toString()).toBe('%PDF-');
  const pdf = readPdf(file);
  expect(pdf.pages).toBe(1);
  for (const product of chosen) expect(pdf.text).toContain(product.ean);
  expect(pdf.text.indexOf(chosen[0]!.ean)).toBeLessThan(pdf.text.indexOf(chosen[1]!.ean));
  await expect(dialog.getByText('PDF baixado: 1 folha de etiquetas.')).toBeVisible();

  await dialog.getByRole('button', { name: 'Fechar' }).first().click();
  await page.getByRole('button', { name: 'Limpar escolha' }).click();
  await expect(labels).toBeDisabled();
});
