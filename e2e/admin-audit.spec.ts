import { demoUsers, expect, test } from './fixtures/auth';

test('the audit log records a token creation and filters by action and user', async ({ page, loginAs }) => {
  await loginAs('admin', '/admin/tokens');
  const name = `e2e audit ${Date.now()}`;
  await page.getByRole('button', { name: 'Novo token' }).click();
  await page.getByLabel('Nome do token').fill(name);
  await page.getByRole('button', { name: 'Criar token' }).click();
  await page.getByRole('button', { name: 'Concluir' }).click();

  await page.getByRole('navigation', { name: 'Seções da administração' }).getByRole('link', { name: 'Auditoria' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Auditoria' })).toBeVisible();

  await page.getByLabel('Ação', { exact: true }).fill('token.created');
  // The user is searched by name and picked with Enter (the first match), without submitting the filters.
  await page.getByRole('button', { name: 'Usuário: escolher' }).click();
  const search = page.getByLabel('Usuário', { exact: true });
  await search.fill(demoUsers.admin.name);
  await expect(page.getByRole('list', { name: 'Resultados: Usuário' }).getByRole('button')).toHaveCount(2);
  await search.press('Enter');
  await expect(page.getByLabel('Usuário', { exact: true })).toHaveText(`${demoUsers.admin.name} — Administrador`);
  await page.getByRole('button', { name: 'Filtrar' }).click();

  const rows = page.getByRole('table', { name: 'Registros de auditoria' }).getByRole('row');
  await expect(rows.filter({ hasText: 'Token de API criado' }).first()).toBeVisible();
  await expect(rows.filter({ hasText: 'Entrada no sistema' })).toHaveCount(0);
  const entry = rows.filter({ hasText: name });
  await entry.getByText('Ver dados').click();
  await expect(entry).toContainText(`"name": "${name}"`);
  // Secrets never reach the audit log.
  await expect(entry).not.toContainText('"token"');

  await page.getByRole('button', { name: 'Limpar' }).click();
  await expect(page.getByLabel('Ação', { exact: true })).toHaveValue('');
  await expect(page.getByLabel('Usuário', { exact: true })).toHaveText('Todos');
  await expect(rows.filter({ hasText: 'Entrada no sistema' }).first()).toBeVisible();
});

test('an empty period says so instead of showing an empty table', async ({ page, loginAs }) => {
  await loginAs('admin', '/admin/audit');
  await page.getByLabel('De', { exact: true }).fill('2001-01-01');
  await page.getByLabel('Até', { exact: true }).fill('2001-01-31');
  await page.getByRole('button', { name: 'Filtrar' }).click();
  await expect(page.getByText('Nenhum registro encontrado com esses filtros.')).toBeVisible();

  await page.getByLabel('De', { exact: true }).fill('2001-02-01');
  await page.getByRole('button', { name: 'Filtrar' }).click();
  await expect(page.getByText('A data inicial deve ser anterior ou igual à final.')).toBeVisible();
});
