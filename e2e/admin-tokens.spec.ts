import type { APIRequestContext } from '@playwright/test';
import { demoUsers, expect, test } from './fixtures/auth';

const whoAmI = (request: APIRequestContext, token: string) =>
  request.get('/api/trpc/auth.me', { headers: { authorization: `Bearer ${token}` } });

test.describe('API tokens', () => {
  test.beforeEach(async ({ context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  });

  test('admin creates a token, sees it once, it works against the API, and stops working once revoked', async ({ page, request, loginAs }) => {
    await loginAs('admin', '/admin/tokens');
    const name = `e2e script ${Date.now()}`;

    await page.getByRole('button', { name: 'Novo token' }).click();
    const createDialog = page.getByRole('dialog', { name: 'Novo token de API' });
    await createDialog.getByLabel('Nome do token').fill(name);
    await createDialog.getByLabel('Expira em (dias)').fill('7');
    await createDialog.getByRole('button', { name: 'Criar token' }).click();

    const createdDialog = page.getByRole('dialog', { name: 'Token criado' });
    await expect(createdDialog.getByText('Este token não será mostrado novamente')).toBeVisible();
    const field = createdDialog.getByRole('textbox', { name: 'Token', exact: true });
    await expect(field).toHaveAttribute('readonly', '');
    const token = await field.inputValue();
    expect(token).toMatch(/^mi_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/);

    await createdDialog.getByRole('button', { name: 'Copiar' }).click();
    await expect(createdDialog.getByRole('status')).toHaveText('Copiado!');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    const me = await whoAmI(request, token);
    expect(me.status()).toBe(200);
    expect(await me.text()).toContain(demoUsers.admin.email);

    await createdDialog.getByRole('button', { name: 'Concluir' }).click();
    await expect(createdDialog).toBeHidden();
    // Shown once: the secret is nowhere on the page any more, only its prefix.
    await expect(page.getByRole('textbox', { name: 'Token', exact: true })).toHaveCount(0);
    expect(await page.content()).not.toContain(token);
    const row = page.getByRole('row').filter({ hasText: name });
    await expect(row).toContainText(token.slice(0, 11));

    await row.getByRole('button', { name: `Revogar ${name}` }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revogar token' });
    await expect(confirm).toContainText(name);
    await confirm.getByRole('button', { name: 'Revogar' }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: 'revogado' })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(0);

    expect((await whoAmI(request, token)).status()).toBe(401);

    await page.getByLabel('Mostrar tokens revogados').check();
    await expect(page.getByRole('row').filter({ hasText: name })).toContainText('Revogado em');
  });

  test('cancelling the revoke confirmation keeps the token working', async ({ page, request, loginAs }) => {
    await loginAs('admin', '/admin/tokens');
    const name = `e2e keep ${Date.now()}`;
    await page.getByRole('button', { name: 'Novo token' }).click();
    await page.getByLabel('Nome do token').fill(name);
    await page.getByRole('button', { name: 'Criar token' }).click();
    const token = await page.getByRole('textbox', { name: 'Token', exact: true }).inputValue();
    await page.getByRole('button', { name: 'Concluir' }).click();

    await page.getByRole('button', { name: `Revogar ${name}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancelar' }).click();
    await expect(page.getByRole('alertdialog')).toBeHidden();

    expect((await whoAmI(request, token)).status()).toBe(200);
  });

  test('a token acting as the buyer has the buyer’s identity and cannot call admin procedures', async ({ page, request, loginAs }) => {
    await loginAs('admin', '/admin/tokens');
    await page.getByRole('button', { name: 'Novo token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Novo token de API' });
    await dialog.getByLabel('Nome do token').fill(`e2e as buyer ${Date.now()}`);
    // People are searched, not listed whole (an org may have thousands): by e-mail here, then picked with a tap.
    await expect(dialog.getByLabel('Agir como usuário', { exact: true })).toHaveText(/^Eu mesmo/);
    await dialog.getByRole('button', { name: 'Agir como usuário: escolher' }).click();
    await dialog.getByLabel('Agir como usuário', { exact: true }).fill(demoUsers.buyer.email);
    const matches = dialog.getByRole('list', { name: 'Resultados: Agir como usuário' }).getByRole('button');
    await expect(matches).toHaveCount(2); // "Eu mesmo" and the one match
    await matches.filter({ hasText: demoUsers.buyer.email }).click();
    await expect(dialog.getByLabel('Agir como usuário', { exact: true })).toHaveText(`${demoUsers.buyer.name} — ${demoUsers.buyer.roleLabel}`);
    await dialog.getByLabel('Expira em (dias)').fill('');
    await dialog.getByRole('button', { name: 'Criar token' }).click();
    const token = await page.getByRole('textbox', { name: 'Token', exact: true }).inputValue();

    const me = await whoAmI(request, token);
    expect(me.status()).toBe(200);
    expect(await me.text()).toContain(demoUsers.buyer.email);
    const admin = await request.get('/api/trpc/admin.users.list?input=' + encodeURIComponent(JSON.stringify({ json: { limit: 1 } })), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(admin.status()).toBe(403);
  });

  test('the token name is required and the error shows next to the field', async ({ page, loginAs }) => {
    await loginAs('admin', '/admin/tokens');
    await page.getByRole('button', { name: 'Novo token' }).click();
    await page.getByRole('button', { name: 'Criar token' }).click();

    const nameField = page.getByLabel('Nome do token');
    await expect(nameField).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('dialog').getByText('Campo obrigatório')).toBeVisible();
  });
});
