import { request as playwrightRequest } from '@playwright/test';
import { expect, test } from './fixtures/auth';
import { trpcMutation } from './fixtures/api';
import { DEMO_PASSWORD, demoUsers, loginWithForm } from './fixtures/auth';
import { clerkCountingAtCentro, closeContexts, openCounting, pendingCount, progressOf, scan } from './fixtures/inventory';

test('a login that expires while counting online does not interrupt counting, not even on reopening the page; signing in again from the banner sends every scan once', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const { manager, clerk, session, products, page } = await clerkCountingAtCentro(browser, 3);
  const countingUrl = `/inventory/${session.id}/count`;

  await openCounting(page, session.id);
  await scan(page, products[0]!.ean);
  await scan(page, products[1]!.ean);
  await page.getByRole('button', { name: 'Sincronizar agora' }).click();
  await expect(pendingCount(page)).toHaveText('0', { timeout: 20_000 });

  // The login ends on the server (signed out from elsewhere with the same cookie); the page is not told.
  const cookie = (await clerk.context.cookies()).find((c) => c.name === 'mi_session')!;
  const elsewhere = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { cookie: `mi_session=${cookie.value}` } });
  expect((await elsewhere.post('/api/trpc/auth.logout', { data: { json: null } })).status()).toBe(200);
  await elsewhere.dispose();

  for (const p of products) await scan(page, p.ean);
  await expect(page.getByTestId('scan-feedback')).toContainText(products[2]!.name);
  await expect(pendingCount(page)).toHaveText('3');
  const banner = page.getByTestId('login-expired');
  await expect(banner).toContainText('Sua sessão expirou — entre novamente para enviar 3 leituras', { timeout: 20_000 });
  // Still counting: no redirect, and scans are still taken and acknowledged.
  await scan(page, products[0]!.ean);
  await expect(pendingCount(page)).toHaveText('4');
  await expect(banner).toContainText('4 leituras');
  expect(new URL(page.url()).pathname).toBe(countingUrl);
  await page.screenshot({ path: 'test-results/inventory-login-expired.png' });

  // Reopened online while the login is still expired: the page stays, says so, and keeps counting.
  await page.reload();
  await expect(page.getByLabel('Código de barras')).toBeEnabled();
  await expect(pendingCount(page)).toHaveText('4');
  await expect(banner).toContainText('4 leituras', { timeout: 20_000 });
  await scan(page, products[1]!.ean);
  await expect(pendingCount(page)).toHaveText('5');
  await expect(banner).toContainText('5 leituras');
  expect(new URL(page.url()).pathname).toBe(countingUrl);

  await banner.getByRole('link', { name: 'Entrar novamente' }).click();
  await expect(page).toHaveURL(/\/login\?next=/);
  await loginWithForm(page, demoUsers.clerk.email, DEMO_PASSWORD);
  await expect(page).toHaveURL(new RegExp(`${countingUrl}$`));
  await expect(pendingCount(page)).toHaveText('0', { timeout: 30_000 });
  await expect(page.getByTestId('login-expired')).toHaveCount(0);

  const progress = await progressOf(manager.page.request, session.id);
  expect(progress.totals.entries).toBe(7);
  expect(progress.clerks.find((c) => c.userId === clerk.me.user.id)?.entries).toBe(7);

  await trpcMutation(manager.page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  await closeContexts(clerk.context, manager.context);
});
