import { expect, test } from './fixtures/auth';
import { watchCsp } from './fixtures/csp';

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

  test('creates a user with a temporary code shown once; the person signs in with it and must choose a password; a reset ends their sessions', async ({
    page,
    browser,
    loginAs,
  }) => {
    await loginAs('admin', '/admin/users');
    const stamp = Date.now();
    const email = `repositor.${stamp}@demo.test`;
    const name = `Rita Repositora ${stamp}`;

    await page.getByRole('button', { name: 'Novo usuário' }).click();
    const dialog = page.getByRole('dialog', { name: 'Novo usuário' });
    // The admin types no password: the system makes a temporary one.
    await expect(dialog.getByLabel('Senha')).toHaveCount(0);
    await dialog.getByLabel('Nome').fill(name);
    await dialog.getByLabel('E-mail').fill('not-an-email');
    await dialog.getByRole('button', { name: 'Criar usuário' }).click();
    await expect(dialog.getByText('Informe um e-mail válido')).toBeVisible();
    await expect(dialog.getByLabel('E-mail')).toHaveAttribute('aria-invalid', 'true');

    await dialog.getByLabel('E-mail').fill('caixa@demo.test');
    await dialog.getByRole('button', { name: 'Criar usuário' }).click();
    await expect(dialog.getByText('Já existe um usuário com o e-mail caixa@demo.test')).toBeVisible();

    await dialog.getByLabel('E-mail').fill(email);
    await dialog.getByLabel('Papel').selectOption('clerk');
    // Stores are searched, not listed whole (a chain may have thousands); Escape leaves the picker, not the form.
    const stores = dialog.getByRole('group', { name: 'Lojas' });
    await stores.getByRole('button', { name: 'Adicionar loja' }).click();
    await stores.getByLabel('Adicionar loja', { exact: true }).press('Escape');
    await expect(dialog).toBeVisible();
    await stores.getByRole('button', { name: 'Adicionar loja' }).click();
    await stores.getByLabel('Adicionar loja', { exact: true }).fill('bairro');
    await stores.getByRole('list', { name: 'Resultados: Adicionar loja' }).getByRole('button', { name: /Loja Bairro/ }).click();
    await expect(stores.getByRole('list', { name: 'Lojas escolhidas' })).toHaveText(/Loja Bairro \(\w+\)/);
    await dialog.getByRole('button', { name: 'Criar usuário' }).click();

    const shown = page.getByRole('alertdialog', { name: `Usuário ${name} criado` });
    const code = (await shown.getByTestId('temporary-code').textContent())!.trim();
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    await page.screenshot({ path: 'test-results/admin-user-temporary-code.png' });
    await shown.getByRole('button', { name: 'Pronto' }).click();
    const row = page.getByRole('row', { name: new RegExp(name) });
    await expect(row).toContainText(email);
    await expect(row).toContainText('Loja Bairro');
    await expect(row).toContainText('Senha temporária');

    // The person signs in with the code on their tablet and must choose a password before anything else.
    const theirs = await browser.newContext({ viewport: { width: 800, height: 1280 }, hasTouch: true });
    await watchCsp(theirs);
    try {
      const tablet = await theirs.newPage();
      await tablet.goto('/login');
      await tablet.getByLabel('E-mail').fill(email);
      await tablet.getByLabel('Senha').fill(code.toLowerCase());
      await tablet.getByRole('button', { name: 'Entrar' }).click();
      await expect(tablet.getByRole('heading', { name: 'Escolha a sua senha' })).toBeVisible();
      await expect(tablet.getByRole('navigation', { name: 'Principal' })).toHaveCount(0);
      const form = tablet.getByRole('form', { name: 'Trocar senha' });
      await form.getByLabel('Senha temporária').fill(code);
      await form.getByLabel('Nova senha', { exact: true }).fill('1234567890');
      await form.getByLabel('Repita a nova senha').fill('1234567890');
      await form.getByRole('button', { name: 'Trocar senha' }).click();
      await expect(form.getByText('Esta senha está entre as mais usadas')).toBeVisible();
      await form.getByLabel('Nova senha', { exact: true }).fill('janela azul de madeira');
      await form.getByLabel('Repita a nova senha').fill('janela azul de madeira');
      await form.getByRole('button', { name: 'Trocar senha' }).click();
      await expect(tablet.getByRole('heading', { level: 1, name: `Olá, ${name}` })).toBeVisible();
      await expect(tablet.getByRole('navigation', { name: 'Principal' })).toBeVisible();

      // The admin hands a new temporary code (a forgotten password): the tablet's session ends.
      await page.reload();
      await expect(row).not.toContainText('Senha temporária');
      await row.getByRole('button', { name: `Nova senha temporária ${name}` }).click();
      await page.getByRole('alertdialog', { name: 'Nova senha temporária' }).getByRole('button', { name: 'Gerar senha temporária' }).click();
      const again = page.getByRole('alertdialog', { name: `Senha temporária de ${name}` });
      const second = (await again.getByTestId('temporary-code').textContent())!.trim();
      expect(second).not.toBe(code);
      await again.getByRole('button', { name: 'Pronto' }).click();
      const me = await tablet.request.get('/api/trpc/auth.me');
      expect(me.status()).toBe(401);
    } finally {
      await theirs.close();
    }

    await row.getByRole('button', { name: `Desativar ${name}` }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Desativar usuário' });
    await expect(confirm.getByRole('button', { name: 'Cancelar' })).toBeFocused();
    await confirm.getByRole('button', { name: 'Desativar' }).click();
    await expect(confirm).toBeHidden();
    await expect(row).toContainText('Inativo');

    // The deactivated user can no longer sign in.
    const login = await page.request.post('/api/trpc/auth.login', { data: { json: { email, password: 'janela azul de madeira' } } });
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
