import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from '@playwright/test';
import { trpcMutation } from './fixtures/api';
import { demoUsers, expect, test } from './fixtures/auth';
import {
  apiLogin,
  closeContexts,
  openCounting,
  openSession,
  pendingCount,
  progressOf,
  scan,
  signedInContext,
  launchTabletProfile,
  storeProducts,
  waitForOfflineReady,
} from './fixtures/inventory';

test('after a browser restart with the network off, the counting page opens from the service worker with its scans, which sync once back online', async ({
  browser,
  baseURL,
  launchOptions,
  locale,
  timezoneId,
}) => {
  test.setTimeout(120_000);
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const centro = manager.me.stores.find((s) => s.name === 'Loja Centro')!;
  const products = await storeProducts(manager.page.request, centro.id, 3);

  // A real browser profile on disk: closing the context quits Chromium, relaunching on the same directory is a restart.
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'mi-e2e-pwa-'));
  const launchTablet = (offline: boolean) => launchTabletProfile(userDataDir, { launchOptions, baseURL, locale, timezoneId }, offline);
  let tablet: BrowserContext | undefined;
  try {
    tablet = await launchTablet(false);
    let page = tablet.pages()[0] ?? (await tablet.newPage());
    const clerk = await apiLogin(page.request, demoUsers.clerk.email);
    const session = await openSession(manager.page.request, { storeId: centro.id, assignments: [{ userId: clerk.user.id }] });
    const countPath = `/inventory/${session.id}/count`;

    await openCounting(page, session.id);
    await expect(page.getByText(/produtos no tablet: [1-9]/)).toBeVisible();
    await waitForOfflineReady(page);

    await tablet.setOffline(true);
    await expect(page.getByTestId('network-status')).toHaveText('Offline');
    for (const product of products) await scan(page, product.ean);
    await scan(page, products[0]!.ean);
    await expect(pendingCount(page)).toHaveText(String(products.length + 1));
    await tablet.close();

    // Chromium restarts with the network already off: nothing but the service worker can serve the page. Playwright's
    // offline mode does not hold for a service worker started after the restart (its fetches reach the server), so
    // every request, the worker's included, is also failed the way a dead network fails it.
    tablet = await launchTablet(true);
    await tablet.route('**/*', (route) => route.abort('internetdisconnected'));
    page = tablet.pages()[0] ?? (await tablet.newPage());
    const response = await page.goto(countPath);
    expect(response?.fromServiceWorker(), 'the page comes from the service worker').toBe(true);
    await expect(page.getByRole('banner').getByText(demoUsers.clerk.name)).toBeVisible();
    await expect(page.getByLabel('Código de barras')).toBeEnabled();
    await expect(page.getByTestId('network-status')).toHaveText('Offline');
    await expect(pendingCount(page)).toHaveText(String(products.length + 1));
    await expect(page.getByTestId('running-counts')).toContainText(products[0]!.name);
    // Counting goes on after the restart.
    await scan(page, products[1]!.ean);
    await expect(pendingCount(page)).toHaveText(String(products.length + 2));
    await page.screenshot({ path: 'test-results/inventory-pwa-restarted-offline.png' });

    await tablet.unrouteAll();
    await tablet.setOffline(false);
    await expect(pendingCount(page)).toHaveText('0', { timeout: 60_000 });
    expect((await progressOf(manager.page.request, session.id)).totals.entries).toBe(products.length + 2);

    await trpcMutation(manager.page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
    await closeContexts(tablet, manager.context);
  } finally {
    await tablet?.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
});
