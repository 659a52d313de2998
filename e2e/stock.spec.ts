import { findProduct } from './fixtures/api';
import { expect, test } from './fixtures/auth';

/** The number a cell shows ("1.234,5 kg" → 1234.5). */
const quantityIn = (text: string) => Number(text.replace(/[^\d,.-]/g, '').replace(/\./g, '').replace(',', '.'));

test('a manager finds a product’s stock, reads its history and writes off a loss with its reason; the clerk reads without changing', async ({ page, loginAs }) => {
  await loginAs('manager', '/stock');
  const table = page.getByRole('table', { name: /^Estoque de / });
  await page.getByLabel('Buscar por nome ou EAN').fill('arroz branco');
  const row = table.getByRole('row').filter({ hasText: 'Arroz Branco Tipo 1 Camil 5kg' });
  await expect(row).toHaveCount(1);
  const before = quantityIn((await row.locator('td[data-label="Saldo"]').textContent())!);

  // Its history starts with the balance the store had.
  await row.getByRole('button', { name: 'Histórico Arroz Branco Tipo 1 Camil 5kg' }).click();
  const history = page.getByRole('dialog', { name: 'Histórico de Arroz Branco Tipo 1 Camil 5kg' });
  await expect(history.getByRole('table', { name: 'Movimentações' })).toContainText('Saldo inicial');
  await history.getByRole('button', { name: 'Fechar' }).click();

  // A loss: the reason is required, then the balance drops by it.
  await row.getByRole('button', { name: 'Ajustar Arroz Branco Tipo 1 Camil 5kg' }).click();
  const dialog = page.getByRole('dialog', { name: 'Ajustar o estoque de Arroz Branco Tipo 1 Camil 5kg' });
  await dialog.getByLabel('O que aconteceu').selectOption({ label: 'Perda (avaria, validade, furto)' });
  await dialog.getByLabel(/^Quantidade/).fill('2');
  await dialog.getByRole('button', { name: 'Registrar' }).click();
  await expect(dialog.getByText('Informe o motivo')).toBeVisible();
  await dialog.getByLabel('Motivo').fill('Pacotes rasgados no depósito');
  await dialog.getByRole('button', { name: 'Registrar' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Estoque de Arroz Branco Tipo 1 Camil 5kg ajustado' })).toBeVisible();
  await expect(row.locator('td[data-label="Saldo"]')).toContainText(String(before - 2).replace('.', ','));

  await row.getByRole('button', { name: 'Histórico Arroz Branco Tipo 1 Camil 5kg' }).click();
  const latest = history.getByRole('table', { name: 'Movimentações' }).getByRole('row').nth(1);
  await expect(latest).toContainText('Perda');
  await expect(latest).toContainText('-2');
  await expect(latest).toContainText('Pacotes rasgados no depósito');
  await history.getByRole('button', { name: 'Fechar' }).click();

  // The clerk sees the same balance and no way to change it.
  await loginAs('clerk', '/stock');
  await page.getByLabel('Buscar por nome ou EAN').fill('arroz branco');
  const clerkRow = page.getByRole('table', { name: /^Estoque de / }).getByRole('row').filter({ hasText: 'Arroz Branco Tipo 1 Camil 5kg' });
  await expect(clerkRow.getByRole('button', { name: /^Histórico/ })).toBeVisible();
  await expect(clerkRow.getByRole('button', { name: /^Ajustar/ })).toHaveCount(0);
});

test('a product below the minimum a manager set is suggested, and the suggestions become a draft request in one step', async ({ page, loginAs }) => {
  await loginAs('manager', '/stock');
  await page.getByLabel('Buscar por nome ou EAN').fill('bisnaguinha');
  const row = page.getByRole('table', { name: /^Estoque de / }).getByRole('row').filter({ hasText: 'Bisnaguinha Seven Boys 300g' });
  await expect(row).toHaveCount(1);
  const balance = Number((await row.locator('td[data-label="Saldo"]').textContent())!.replace(/[^\d,]/g, '').replace(',', '.'));

  // A minimum above the balance: the product is below it, and suggested.
  await row.getByRole('button', { name: 'Mínimo Bisnaguinha Seven Boys 300g' }).click();
  const dialog = page.getByRole('dialog', { name: 'Mínimo e reposição de Bisnaguinha Seven Boys 300g' });
  await dialog.getByRole('textbox', { name: /^Mínimo \(/ }).fill(String(balance + 10));
  await dialog.getByRole('textbox', { name: /^Quanto pedir/ }).fill('36');
  await dialog.getByRole('button', { name: 'Salvar' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText('abaixo do mínimo');
  await page.getByLabel('Só abaixo do mínimo').check();
  await expect(row).toHaveCount(1);

  const suggestions = page.getByRole('region', { name: 'Sugestões de reposição' });
  await expect(suggestions).toContainText('Bisnaguinha Seven Boys 300g');
  await suggestions.getByRole('button', { name: /^Criar rascunho de solicitação/ }).click();
  await expect(page).toHaveURL(/\/purchase-requests\/[0-9a-f-]{36}$/);
  await expect(page.getByText('Bisnaguinha Seven Boys 300g').first()).toBeVisible();

  // Now on an open request: no longer suggested.
  await page.goto('/stock');
  await expect(page.getByRole('table', { name: /^Estoque de / })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Sugestões de reposição' })).toHaveCount(0);
});

test('a manager imports a store’s balances and minimums from a spreadsheet; a bad row comes back with its line', async ({ page, loginAs }) => {
  await loginAs('manager', '/stock');
  const product = await findProduct(page.request, 'Detergente Líquido Ypê 500ml');
  await page.getByRole('button', { name: 'Importar CSV' }).click();
  const dialog = page.getByRole('dialog', { name: /^Importar estoque de / });
  const wrongDigit = `${product.ean.slice(0, 12)}${(Number(product.ean[12]) + 1) % 10}`;
  const csv = `ean;quantidade;minimo;reposicao\n${product.ean};7;9;24\n${wrongDigit};3;;\n`;
  await dialog.getByLabel('Arquivo CSV').setInputFiles({ name: 'estoque.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await dialog.getByRole('button', { name: 'Importar' }).click();
  await expect(dialog.getByText(/1 (saldo alterado|produto novo na loja)/)).toBeVisible();
  await expect(dialog.getByText('1 regra de reposição')).toBeVisible();
  await expect(dialog.getByRole('table', { name: 'Linhas recusadas' })).toContainText('3');
  await dialog.locator('.form-actions').getByRole('button', { name: 'Fechar' }).click();

  await page.getByLabel('Buscar por nome ou EAN').fill(product.ean);
  const row = page.getByRole('table', { name: /^Estoque de / }).getByRole('row').filter({ hasText: product.name });
  await expect(row.locator('td[data-label="Saldo"]')).toContainText('7');
  await expect(row.locator('td[data-label="Mínimo / pedir"]')).toContainText('9 / 24');
  await expect(row).toContainText('abaixo do mínimo');
});

test('a buyer, who works for every store and belongs to none, finds a store by a search and reads its stock without changing it', async ({ page, loginAs }) => {
  await loginAs('buyer', '/stock');
  await expect(page.getByText('Escolha uma loja para ver o estoque dela.')).toBeVisible();
  await page.getByRole('button', { name: 'Loja: escolher' }).click();
  await page.getByLabel('Loja', { exact: true }).fill('campinas');
  await page.getByRole('list', { name: 'Resultados: Loja' }).getByRole('button', { name: /Loja Shopping/ }).click();
  await page.getByLabel('Buscar por nome ou EAN').fill('arroz branco');
  const row = page.getByRole('table', { name: 'Estoque de Loja Shopping' }).getByRole('row').filter({ hasText: 'Arroz Branco Tipo 1 Camil 5kg' });
  await expect(row).toHaveCount(1);
  await row.getByRole('button', { name: 'Histórico Arroz Branco Tipo 1 Camil 5kg' }).click();
  const history = page.getByRole('dialog', { name: 'Histórico de Arroz Branco Tipo 1 Camil 5kg' });
  await expect(history.getByRole('table', { name: 'Movimentações' })).toContainText('Saldo inicial');
  await history.getByRole('button', { name: 'Fechar' }).click();
  // Reading only: no adjustment, no minimum, no import, no reorder draft (those are the store's and its managers').
  await expect(row.getByRole('button', { name: /^Ajustar/ })).toHaveCount(0);
  await expect(row.getByRole('button', { name: /^Mínimo/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Importar CSV' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Sugestões de reposição' })).toHaveCount(0);
  // The store stays picked for the tab: back after a reload, the same store's stock.
  await page.reload();
  await expect(page.getByRole('table', { name: 'Estoque de Loja Shopping' })).toBeVisible();
});
