import { expect, test } from './fixtures/auth';

test('admin creates a store, sees a duplicate code next to the field, edits it and deactivates it after confirming', async ({ page, loginAs }) => {
  await loginAs('admin', '/admin/stores');
  const code = `E2E-${Date.now().toString(36).toUpperCase()}`;
  const name = `Loja Teste ${code}`;

  await page.getByRole('button', { name: 'Nova loja' }).click();
  const dialog = page.getByRole('dialog', { name: 'Nova loja' });
  await dialog.getByLabel('Código').fill('CEN');
  await dialog.getByLabel('Nome').fill(name);
  await dialog.getByLabel('Cidade').fill('Santos');
  await dialog.getByRole('button', { name: 'Criar loja' }).click();
  await expect(dialog.getByText('O código CEN já está em uso por outra loja')).toBeVisible();
  await expect(dialog.getByLabel('Código')).toHaveAttribute('aria-invalid', 'true');

  await dialog.getByLabel('Código').fill('código inválido!');
  await dialog.getByRole('button', { name: 'Criar loja' }).click();
  await expect(dialog.getByText('Use de 1 a 20 letras, números ou hífens')).toBeVisible();

  await dialog.getByLabel('Código').fill(code);
  await dialog.getByRole('button', { name: 'Criar loja' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('Santos');

  await row.getByRole('button', { name: `Editar ${name}` }).click();
  const edit = page.getByRole('dialog', { name: `Editar ${name}` });
  await expect(edit.getByLabel('Código')).toBeFocused();
  await edit.getByLabel('Cidade').fill('Guarujá');
  await edit.getByRole('button', { name: 'Salvar alterações' }).click();
  await expect(edit).toBeHidden();
  await expect(row).toContainText('Guarujá');

  await row.getByRole('button', { name: `Desativar ${name}` }).click();
  await page.getByRole('alertdialog', { name: 'Desativar loja' }).getByRole('button', { name: 'Desativar' }).click();
  await expect(row).toContainText('Inativa');
  await expect(row.getByRole('button', { name: `Reativar ${name}` })).toBeVisible();
});

test('"Carregar mais" pages through the stores with the cursor until the end of the list', async ({ page, loginAs }) => {
  await loginAs('admin');
  const batch = Date.now().toString(36).toUpperCase();
  for (let i = 0; i < 26; i++) {
    const response = await page.request.post('/api/trpc/admin.stores.create', {
      data: { json: { code: `P${batch}-${i}`, name: `Paginação ${batch} ${String(i).padStart(2, '0')}`, city: null } },
    });
    expect(response.status()).toBe(200);
  }

  await page.goto('/admin/stores');
  const rows = page.getByRole('table', { name: 'Lojas' }).getByRole('rowgroup').last().getByRole('row');
  await expect(rows).toHaveCount(25);
  const loadMore = page.getByRole('button', { name: 'Carregar mais' });
  while (await loadMore.isVisible()) {
    const before = await rows.count();
    await loadMore.click();
    await expect(rows).not.toHaveCount(before);
  }
  await expect(page.getByText(/registros exibidos · fim da lista/)).toBeVisible();
  await expect(rows.filter({ hasText: `Paginação ${batch}` })).toHaveCount(26);
});
