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
