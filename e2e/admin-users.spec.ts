import { expect, test } from './fixtures/auth';

test.describe('admin users', () => {
  test('lists users, filters by role and searches', async ({ page, loginAs }) => {
    await loginAs('admin', '/admin/users');
    const table = page.getByRole('table', { name: 'Usuários' });
    await expect(table.getByRole('row', { name: /Camila Caixa/ })).toBeVisible();

    await page.getByLabel('Papel', { exact: true }).selectOption('buyer');
    await expect(table.getByRole('rowheader')).toHaveText(['Beatriz Compras', 'Carlos Comprador']);

    await page.getByLabel('Papel', { exact: true }).selectOption('');
    await page.getByLabel('Buscar por nome ou e-mail').fill('gerente@');
    await expect(table.getByRole('rowheader')).toHaveText(['Gilberto Gerente']);
  });

  test('creates a user with stores, shows field errors from the server, then deactivates them after confirming', async ({ page, loginAs }) => {
    await loginAs('admin', '/admin/users');
    const stamp = Date.now();
    const email = `repositor.${stamp}@demo.test`;
    const name = `Rita Repositora ${stamp}`;

    await page.getByRole('button', { name: 'Novo usuário' }).click();
    const dialog = page.getByRole('dialog', { name: 'Novo usuário' });
    await dialog.getByLabel('Nome').fill(name);
    await dialog.getByLabel('E-mail').fill('not-an-email');
    await dialog.getByLabel('Senha').fill('curta');
    await dialog.getByRole('button', { name: 'Criar usuário' }).click();

    await expect(dialog.getByText('Informe um e-mail válido')).toBeVisible();
    await expect(dialog.getByText('Use pelo menos 8 caracteres')).toBeVisible();
    await expect(dialog.getByLabel('E-mail')).toHaveAttribute('aria-invalid', 'true');

    await dialog.getByLabel('E-mail').fill('caixa@demo.test');
    await dialog.getByLabel('Senha').fill('senha-segura-1');
    await dialog.getByRole('button', { name: 'Criar usuário' }).click();
    await expect(dialog.getByText('Já existe um usuário com o e-mail caixa@demo.test')).toBeVisible();

    await dialog.getByLabel('E-mail').fill(email);
    await dialog.getByLabel('Papel').selectOption('clerk');
    await dialog.getByRole('group', { name: 'Lojas' }).getByLabel(/Loja Bairro/).check();
    await dialog.getByRole('button', { name: 'Criar usuário' }).click();
    await expect(dialog).toBeHidden();

    await expect(page.getByRole('status').filter({ hasText: `Usuário ${name} criado.` })).toBeVisible();
    const row = page.getByRole('row', { name: new RegExp(name) });
    await expect(row).toContainText(email);
    await expect(row).toContainText('Loja Bairro');
    await expect(row).toContainText('Ativo');

    await row.getByRole('button', { name: `Desativar ${name}` }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Desativar usuário' });
    await expect(confirm.getByRole('button', { name: 'Cancelar' })).toBeFocused();
    await confirm.getByRole('button', { name: 'Desativar' }).click();
    await expect(confirm).toBeHidden();
    await expect(row).toContainText('Inativo');

    // The deactivated user can no longer sign in.
    const login = await page.request.post('/api/trpc/auth.login', { data: { json: { email, password: 'senha-segura-1' } } });
    expect(login.status()).toBe(401);
  });

  test('the admin cannot take away their own admin role', async ({ page, loginAs }) => {
    await loginAs('admin', '/admin/users');
    await page.getByRole('button', { name: 'Editar Adriana Administradora' }).click();
    const dialog = page.getByRole('dialog', { name: 'Editar Adriana Administradora' });
    await expect(dialog.getByLabel('Papel')).toBeDisabled();
    await expect(dialog.getByLabel('Ativo')).toBeDisabled();
    await dialog.getByRole('button', { name: 'Cancelar' }).click();
    await expect(dialog).toBeHidden();
  });
});
