import { expect, test } from './fixtures/auth';
import { trpcMutation } from './fixtures/api';
import { demoUsers } from './fixtures/auth';
import {
  apiLogin,
  cancelOpenSessions,
  clerkCountingAtCentro,
  closeContexts,
  countedOf,
  openCounting,
  openSession,
  pendingCount,
  progressOf,
  scan,
  scanBurst,
  signedInContext,
  storeProducts,
  waitForOfflineReady,
} from './fixtures/inventory';
import { device } from '../tests/helpers/devices';

const SCANS = 1000;
/** Scans typed key by key, like the other tests; the rest arrive as a scanner's bursts (scanBurst). */
const TYPED_SCANS = 10;

test.describe.configure({ mode: 'serial' });

test('counts offline, survives a reload offline, and the server gets every scan exactly once despite a lost sync response', async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  const { manager, clerk, session, products, page } = await clerkCountingAtCentro(browser, 5);

  await openCounting(page, session.id);
  // The products table is downloaded while online: names resolve offline.
  await expect(page.getByText(/produtos no tablet: [1-9]/)).toBeVisible();
  await page.screenshot({ path: 'test-results/inventory-counting-online.png' });
  // The reload below needs the page from the service worker, which takes over once it has precached the app.
  await waitForOfflineReady(page);

  await clerk.context.setOffline(true);
  await expect(page.getByTestId('network-status')).toHaveText('Offline');
  const codes = Array.from({ length: SCANS }, (_, i) => products[i % products.length]!.ean);
  const scanning = Date.now();
  for (const code of codes.slice(0, TYPED_SCANS)) await scan(page, code);
  await scanBurst(page, codes.slice(TYPED_SCANS));
  await expect(pendingCount(page)).toHaveText(String(SCANS), { timeout: 30_000 });
  const stored = `${SCANS} scans stored in ${Date.now() - scanning} ms`;
  testInfo.annotations.push({ type: 'offline scans', description: stored });
  console.log(`[${testInfo.project.name}] offline: ${stored}`);
  await expect(page.getByTestId('scan-feedback')).toContainText(products[(SCANS - 1) % products.length]!.name);
  await page.screenshot({ path: 'test-results/inventory-counting-offline.png' });

  // A reload with the network off: the service worker serves the page, IndexedDB still has every scan.
  await page.reload();
  await expect(page.getByLabel('Código de barras')).toBeEnabled();
  await expect(page.getByTestId('network-status')).toHaveText('Offline');
  await expect(pendingCount(page)).toHaveText(String(SCANS));
  await expect(page.getByTestId('running-counts')).toContainText(products[0]!.name);

  // The first sync reaches the server, but its answer is lost on the way back.
  let aborted = 0;
  await page.route('**/api/trpc/inventory.sync**', async (route) => {
    if (aborted === 0) {
      aborted++;
      await route.fetch();
      await route.abort('connectionreset');
      return;
    }
    await route.continue();
  });
  await clerk.context.setOffline(false);
  await expect(pendingCount(page)).toHaveText('0', { timeout: 60_000 });
  expect(aborted).toBe(1);
  await expect(page.getByTestId('sync-receipt')).toContainText(`${SCANS} leituras no servidor`);

  const progress = await progressOf(manager.page.request, session.id);
  expect(progress.totals.entries).toBe(SCANS);
  const expectedFirst = Math.ceil(SCANS / products.length);
  expect(await countedOf(manager.page.request, session.id, products[0]!.ean)).toBe(expectedFirst);

  await trpcMutation(manager.page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  await closeContexts(clerk.context, manager.context);
});

test('two devices counting the same product add up; finalize waits for a device with pending counts', async ({ browser }) => {
  test.setTimeout(120_000);
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const bairro = manager.me.stores.find((s) => s.name === 'Loja Bairro')!;
  const stockist = await signedInContext(browser, 'estoque@demo.test');
  const session = await openSession(manager.page.request, { storeId: bairro.id, assignments: [{ userId: stockist.me.user.id }, { userId: manager.me.user.id }] });
  const [product] = await storeProducts(manager.page.request, bairro.id, 1);

  const managerCounting = await manager.context.newPage();
  await openCounting(stockist.page, session.id);
  await openCounting(managerCounting, session.id);
  for (let i = 0; i < 7; i++) await scan(stockist.page, product!.ean);
  for (let i = 0; i < 5; i++) await scan(managerCounting, product!.ean);
  await stockist.page.getByRole('button', { name: 'Sincronizar agora' }).click();
  await managerCounting.getByRole('button', { name: 'Sincronizar agora' }).click();
  await expect(pendingCount(stockist.page)).toHaveText('0', { timeout: 20_000 });
  await expect(pendingCount(managerCounting)).toHaveText('0', { timeout: 20_000 });
  expect(await countedOf(manager.page.request, session.id, product!.ean)).toBe(12);

  // A device reports it still holds 3 counts it has not sent (a partial sync): finalize is refused.
  await trpcMutation(stockist.page.request, 'inventory.sync', { sessionId: session.id, ...device('tab-e2e-partial'), pendingCount: 3, entries: [] });
  await manager.page.goto(`/inventory/${session.id}`);
  await expect(manager.page.getByTestId('progress-entries')).toHaveText('12');
  // The store's other products were not counted: each time, the manager keeps their expected quantity.
  await manager.page.getByRole('button', { name: 'Finalizar', exact: true }).click();
  await manager.page.getByRole('alertdialog').getByLabel(/Manter a quantidade esperada/).check();
  await manager.page.getByRole('alertdialog').getByRole('button', { name: 'Finalizar mantendo o esperado' }).click();
  await expect(manager.page.getByTestId('finalize-refused')).toContainText(device('tab-e2e-partial').deviceId);
  await manager.page.getByRole('button', { name: 'Forçar finalização' }).click();
  await manager.page.getByRole('alertdialog').getByLabel(/Manter a quantidade esperada/).check();
  await manager.page.getByRole('alertdialog').getByRole('button', { name: 'Finalizar mantendo o esperado' }).click();
  await expect(manager.page.getByText(/Inventário finalizado/)).toBeVisible();

  await closeContexts(stockist.context, manager.context);
});

test('live progress reaches the manager without polling', async ({ browser }) => {
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const shopping = manager.me.stores.find((s) => s.name === 'Loja Shopping')!;
  const stockist = await signedInContext(browser, 'estoque@demo.test');
  const session = await openSession(manager.page.request, { storeId: shopping.id, assignments: [{ userId: stockist.me.user.id }] });
  const [product] = await storeProducts(manager.page.request, shopping.id, 1);
  await manager.page.goto(`/inventory/${session.id}`);
  await expect(manager.page.getByTestId('progress-entries')).toHaveText('0');
  await openCounting(stockist.page, session.id);
  for (let i = 0; i < 3; i++) await scan(stockist.page, product!.ean);
  await stockist.page.getByRole('button', { name: 'Sincronizar agora' }).click();
  await expect(manager.page.getByTestId('progress-entries')).toHaveText('3', { timeout: 20_000 });
  await trpcMutation(manager.page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  await closeContexts(stockist.context, manager.context);
});

test('a blind session never sends expected quantities to the counting device', async ({ browser }) => {
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const shopping = manager.me.stores.find((s) => s.name === 'Loja Shopping')!;
  const stockist = await signedInContext(browser, 'estoque@demo.test');
  const session = await openSession(manager.page.request, { storeId: shopping.id, blind: true, assignments: [{ userId: stockist.me.user.id }] });
  const [product] = await storeProducts(manager.page.request, shopping.id, 1);

  const leaks: string[] = [];
  const bodies: Promise<void>[] = [];
  stockist.page.on('response', (response) => {
    if (!response.url().includes('/api/trpc/') || response.url().includes('dashboard.live')) return;
    bodies.push(
      response
        .text()
        .then((text) => {
          if (/expected/i.test(text)) leaks.push(`${response.url()}: ${text.slice(0, 200)}`);
        })
        .catch(() => undefined),
    );
  });
  await openCounting(stockist.page, session.id);
  await expect(stockist.page.getByText(/produtos no tablet: [1-9]/)).toBeVisible();
  for (let i = 0; i < 3; i++) await scan(stockist.page, product!.ean);
  await stockist.page.getByRole('button', { name: 'Sincronizar agora' }).click();
  await expect(pendingCount(stockist.page)).toHaveText('0', { timeout: 20_000 });
  await Promise.all(bodies);
  expect(bodies.length).toBeGreaterThan(2);
  expect(leaks).toEqual([]);
  await trpcMutation(manager.page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  await closeContexts(stockist.context, manager.context);
});

test.afterAll(async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const me = await apiLogin(page.request, demoUsers.manager.email);
  for (const store of me.stores) await cancelOpenSessions(page.request, store.id);
  await context.close();
});
