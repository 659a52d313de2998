import { demoRoles, expect, mainNav, test, type DemoRole } from './fixtures/auth';

/** What each role may open; mirrors src/components/nav.ts on purpose, so a change there must be a change here. */
const allowedNav: Record<DemoRole, string[]> = {
  admin: ['Início', 'Solicitações de compra', 'Aprovações', 'Inventário', 'Estoque', 'Recebimento', 'Conformidade', 'Painel', 'Catálogo', 'Fotos dos produtos', 'Administração'],
  manager: ['Início', 'Solicitações de compra', 'Inventário', 'Estoque', 'Recebimento', 'Conformidade', 'Painel', 'Catálogo'],
  buyer: ['Início', 'Aprovações', 'Estoque', 'Catálogo', 'Fotos dos produtos'],
  clerk: ['Início', 'Solicitações de compra', 'Inventário', 'Estoque', 'Recebimento', 'Conformidade', 'Painel', 'Catálogo'],
};

const pathOf: Record<string, string> = {
  Início: '/',
  'Solicitações de compra': '/purchase-requests',
  Aprovações: '/approvals',
  Inventário: '/inventory',
  Estoque: '/stock',
  Recebimento: '/receiving',
  Conformidade: '/compliance',
  Painel: '/dashboard',
  Catálogo: '/catalogue',
  'Fotos dos produtos': '/photos',
  Administração: '/admin/users',
};

for (const role of demoRoles) {
  test(`the ${role} sees exactly the areas their role may open`, async ({ page, loginAs }) => {
    await loginAs(role);
    await expect(mainNav(page).getByRole('link')).toHaveText(allowedNav[role]);

    for (const label of allowedNav[role]) {
      await mainNav(page).getByRole('link', { name: label, exact: true }).click();
      await expect(page).toHaveURL(pathOf[label]!);
      await expect(mainNav(page).getByRole('link', { name: label, exact: true })).toHaveAttribute('aria-current', 'page');
      await expect(page.getByText('Acesso negado')).toHaveCount(0);
    }
  });
}

test('a clerk typing /admin/users sees "Acesso negado" and no admin data', async ({ page, loginAs }) => {
  const adminCalls: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/trpc/admin.')) adminCalls.push(request.url());
  });
  await loginAs('clerk', '/admin/users');

  await expect(page.getByRole('heading', { level: 1, name: 'Acesso negado' })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  await expect(page.getByText('admin@demo.test')).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Seções da administração' })).toHaveCount(0);
  expect(adminCalls).toEqual([]);
});

test('the server refuses admin procedures to a clerk even without the UI', async ({ page, loginAs }) => {
  await loginAs('clerk');
  const response = await page.request.get('/api/trpc/admin.users.list?input=' + encodeURIComponent(JSON.stringify({ json: { limit: 5 } })));
  expect(response.status()).toBe(403);
});

test('a buyer typing /inventory sees "Acesso negado"', async ({ page, loginAs }) => {
  await loginAs('buyer', '/inventory');
  await expect(page.getByRole('heading', { level: 1, name: 'Acesso negado' })).toBeVisible();
});

test('the inventory area opens for a manager (no longer a placeholder)', async ({ page, loginAs }) => {
  await loginAs('manager', '/inventory');
  await expect(page.getByRole('heading', { level: 1, name: 'Inventário' })).toBeVisible();
  await expect(page.getByText('Em breve')).toHaveCount(0);
});

test('the navigation works with the keyboard: skip link, Tab to a link, Enter', async ({ page, loginAs }) => {
  await loginAs('buyer');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Pular para o conteúdo' })).toBeFocused();

  const approvals = mainNav(page).getByRole('link', { name: 'Aprovações', exact: true });
  // Skip link, the bell, Sair, then the navigation.
  for (let i = 0; i < 10 && !(await approvals.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(approvals).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL('/approvals');
});
