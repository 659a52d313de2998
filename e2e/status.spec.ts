import { expect, test } from './fixtures/auth';

test('the public status page answers without signing in: every component working, and no internals', async ({ page }) => {
  await page.goto('/status');
  await expect(page).toHaveURL('/status');
  await expect(page.getByRole('heading', { level: 1, name: 'Estado do sistema' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Todos os serviços funcionando' })).toBeVisible();
  const components = page.getByRole('region', { name: 'Serviços' }).getByRole('listitem');
  // The e2e server: Redis, in-process workers, the photo pipeline's stand-ins; no push.
  await expect(components.locator('span').first()).toHaveText('Aplicativo e API');
  for (const name of ['Aplicativo e API', 'Banco de dados', 'Cache', 'Processamento em segundo plano (notificações, fotos, atualizações)', 'Fotos dos produtos']) {
    await expect(components.filter({ hasText: name })).toContainText(/Funcionando · 100,00% no ar em 30 dias/);
  }
  await expect(components.filter({ hasText: 'Notificações push' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Ocorrências dos últimos 30 dias' })).toContainText('Nenhuma ocorrência registrada.');
  // Big enough to tap on a tablet.
  expect((await components.first().boundingBox())!.height).toBeGreaterThanOrEqual(48);

  // The API answer holds states and times only: no instance, host, pid or error text.
  const answer = await page.request.get('/api/trpc/status.get');
  expect(answer.status()).toBe(200);
  const text = await answer.text();
  expect(text).not.toMatch(/instance|pid|hostname|error/i);
});
