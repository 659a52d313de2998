import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { withCheckDigit } from '../src/lib/ean';
import { uniqueTag } from './fixtures/api';
import { expect, test } from './fixtures/auth';

/** A fresh valid EAN-13 per call ("200" prefix: in-store codes, never a real product's). */
function freshEan(): string {
  return withCheckDigit(`200${String(Date.now()).slice(-7)}${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`);
}

/** The same code with its check digit wrong. */
const breakCheckDigit = (ean: string) => ean.slice(0, 12) + String((Number(ean[12]) + 1) % 10);

const productRows = (page: Page) => page.getByRole('table', { name: 'Produtos' }).getByRole('rowgroup').last().getByRole('row');

test('searching the catalogue by words anywhere (accents and case ignored) and by EAN prefix', async ({ page, loginAs }) => {
  await loginAs('clerk', '/catalogue');
  const search = page.getByLabel('Buscar por nome ou EAN');

  // A word from the middle of the name, typed without its accent, with the brand: "Açúcar Refinado União 1kg".
  await search.fill('uniao acucar');
  await expect(productRows(page)).toHaveCount(1);
  await expect(productRows(page).first()).toContainText('Açúcar Refinado União 1kg');

  await search.fill('arroz branco');
  await expect(productRows(page)).toHaveCount(1);
  const row = productRows(page).first();
  await expect(row).toContainText('Arroz Branco Tipo 1 Camil 5kg');
  const ean = (await row.locator('td[data-label="EAN"]').textContent())!.trim();
  expect(ean).toMatch(/^\d{13}$/);

  await search.fill(ean.slice(0, 10));
  await expect(page.getByText('Buscando pelo início do código de barras.')).toBeVisible();
  await expect(productRows(page).filter({ hasText: ean })).toHaveCount(1);

  await page.getByLabel('Categoria').selectOption('Limpeza');
  await search.fill('');
  await expect(productRows(page).filter({ hasText: 'Detergente Líquido Ypê 500ml' })).toHaveCount(1);
  await expect(productRows(page).filter({ hasText: 'Arroz' })).toHaveCount(0);

  // Clerks look things up; keeping the catalogue is for buyers and admins.
  await expect(page.getByRole('button', { name: 'Novo produto' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Importar CSV' })).toHaveCount(0);
});

test('a buyer creates a product: a wrong check digit is caught before sending, then it is saved', async ({ page, loginAs }) => {
  await loginAs('buyer', '/catalogue');
  const ean = freshEan();
  const name = `Produto E2E ${uniqueTag()}`;

  await page.getByRole('button', { name: 'Novo produto' }).click();
  const dialog = page.getByRole('dialog', { name: 'Novo produto' });
  await dialog.getByLabel('EAN (código de barras)').fill(breakCheckDigit(ean));
  await dialog.getByLabel('Nome').fill(name);
  await dialog.getByLabel('Categoria').fill('Mercearia');
  await dialog.getByLabel('Preço de referência (R$)').fill('12,50');
  await expect(dialog.getByLabel('Comprador responsável')).toHaveValue(/.+/);
  await dialog.getByRole('button', { name: 'Criar produto' }).click();
  await expect(dialog.getByText(`Dígito verificador incorreto: para estes 12 primeiros dígitos, o último deveria ser ${ean[12]}`)).toBeVisible();
  await expect(dialog.getByLabel('EAN (código de barras)')).toHaveAttribute('aria-invalid', 'true');

  await dialog.getByLabel('EAN (código de barras)').fill(ean);
  await dialog.getByRole('button', { name: 'Criar produto' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Produto ${name} criado.`)).toBeVisible();

  await page.getByLabel('Buscar por nome ou EAN').fill(ean);
  const row = productRows(page).filter({ hasText: name });
  await expect(row).toContainText('R$ 12,50');
  await expect(row).toContainText('Carlos Comprador');

  // A second product with the same EAN is refused next to the field.
  await page.getByRole('button', { name: 'Novo produto' }).click();
  await dialog.getByLabel('EAN (código de barras)').fill(ean);
  await dialog.getByLabel('Nome').fill(`${name} cópia`);
  await dialog.getByRole('button', { name: 'Criar produto' }).click();
  await expect(dialog.getByText(`Já existe um produto com o EAN ${ean}`)).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancelar' }).click();

  await row.getByRole('button', { name: `Desativar ${name}` }).click();
  await page.getByRole('alertdialog', { name: 'Desativar produto' }).getByRole('button', { name: 'Desativar' }).click();
  await expect(page.getByText(`Produto ${name} desativado.`)).toBeVisible();
  await expect(row).toHaveCount(0);
});

test('a CSV import creates the good row and lists the bad one with its line number and reason', async ({ page, loginAs }) => {
  await loginAs('admin', '/catalogue');
  const good = freshEan();
  const bad = breakCheckDigit(freshEan());
  const tag = uniqueTag();
  const csv = ['ean;nome;marca;categoria;preco', `${good};Importado E2E ${tag};Marca Teste;Mercearia;7,99`, `${bad};Ruim E2E ${tag};;Mercearia;1,00`, ''].join('\n');

  await page.getByRole('button', { name: 'Importar CSV' }).click();
  const dialog = page.getByRole('dialog', { name: 'Importar produtos de CSV' });
  await dialog.getByLabel('Arquivo CSV').setInputFiles({ name: 'produtos.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf-8') });
  await dialog.getByRole('button', { name: 'Importar' }).click();

  await expect(dialog.getByText('1 produto criado, 0 atualizados, 1 linha recusada.')).toBeVisible();
  const rejected = dialog.getByRole('table', { name: 'Linhas recusadas' }).getByRole('row').filter({ hasText: bad });
  await expect(rejected.getByRole('rowheader')).toHaveText('3');
  await expect(rejected).toContainText('dígito verificador do EAN incorreto');
  // The whole list, as a file for the spreadsheet.
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Baixar relatório das linhas recusadas (CSV)' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^linhas-recusadas-\d{4}-\d{2}-\d{2}\.csv$/);
  const report = readFileSync((await download.path())!, 'utf-8');
  expect(report.split('\r\n').slice(0, 2)).toEqual(['\uFEFFLinha;EAN;Motivos', `3;="${bad}";"dígito verificador do EAN incorreto"`]);

  await dialog.getByRole('button', { name: 'Fechar' }).first().click();
  await expect(dialog).toBeHidden();
  await page.getByLabel('Buscar por nome ou EAN').fill(`Importado E2E ${tag}`);
  await expect(productRows(page).filter({ hasText: good })).toContainText('R$ 7,99');
});
