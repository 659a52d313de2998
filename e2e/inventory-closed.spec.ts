import { trpcMutation } from './fixtures/api';
import { expect, test } from './fixtures/auth';
import { clerkCountingAtCentro, closeContexts, openCounting, pendingCount, progressOf, scan, wedgeScan } from './fixtures/inventory';

test.describe.configure({ mode: 'serial' });

test('a count finalized while the tablet is online closes its screen at once, and the next scan is refused, not counted', async ({ browser }) => {
  const { manager, clerk, session, products, page } = await clerkCountingAtCentro(browser, 2);
  // This tablet's storage is nearly full (the browser's own estimate says 95 % of the quota): that is said first.
  await page.addInitScript(() => {
    Object.defineProperty(navigator.storage, 'estimate', { value: async () => ({ usage: 95, quota: 100 }) });
  });
  await openCounting(page, session.id);
  await expect(page.getByTestId('storage-warning')).toContainText('quase cheio');
  await scan(page, products[0]!.ean);
  // Stored on the server before the close (the pending count can read 0 a moment before the scan is pending).
  await expect.poll(async () => (await progressOf(manager.page.request, session.id)).totals.entries, { timeout: 20_000 }).toBe(1);

  // The manager finalizes on another device (the other products keep their stock).
  await trpcMutation(manager.page.request, 'inventory.finalize', { sessionId: session.id, uncounted: 'kept' });
  const closed = page.getByTestId('session-closed');
  // Pushed to the tablet: no scan, reload or sync needed to learn it.
  await expect(closed).toContainText('Inventário finalizado: não recebe mais leituras', { timeout: 15_000 });

  // A keyboard-wedge scanner still types into the page: the scan is refused on the spot, nothing is stored.
  await wedgeScan(page, products[1]!.ean);
  const feedback = page.getByTestId('scan-feedback');
  await expect(feedback).toContainText('Leitura não registrada: este inventário foi finalizado');
  await expect(feedback).not.toContainText('+1');
  await expect(page.getByTestId('recent-scans').getByRole('listitem')).toHaveCount(1);
  await expect(pendingCount(page)).toHaveText('0');
  expect((await progressOf(manager.page.request, session.id)).totals.entries).toBe(1);
  await page.screenshot({ path: 'test-results/inventory-closed-online.png' });
  await closeContexts(clerk.context, manager.context);
});

test('scans made offline after the count was cancelled are shown as not counted when the tablet syncs, never dropped', async ({ browser }) => {
  const { manager, clerk, session, products, page } = await clerkCountingAtCentro(browser, 2);
  await openCounting(page, session.id);
  await scan(page, products[0]!.ean);
  // Stored on the server before the close (the pending count can read 0 a moment before the scan is pending).
  await expect.poll(async () => (await progressOf(manager.page.request, session.id)).totals.entries, { timeout: 20_000 }).toBe(1);
  // Online with nothing at risk: no storage warning, even where the browser refuses persistent storage.
  await expect(page.getByTestId('storage-warning')).toHaveCount(0);

  await clerk.context.setOffline(true);
  await expect(page.getByTestId('network-status')).toHaveText('Offline');
  await trpcMutation(manager.page.request, 'inventory.cancel', { sessionId: session.id, reason: 'Contagem refeita amanhã' });
  // The tablet cannot know yet: it keeps counting.
  await scan(page, products[0]!.ean);
  await scan(page, products[1]!.ean);
  await expect(pendingCount(page)).toHaveText('2');
  // Scans that exist on this tablet alone, in a browser that may evict them: now the warning matters.
  await expect(page.getByTestId('storage-warning')).toContainText('As 2 leituras pendentes estão só neste tablet');

  await clerk.context.setOffline(false);
  const closed = page.getByTestId('session-closed');
  await expect(closed).toContainText('Inventário cancelado: não recebe mais leituras', { timeout: 20_000 });
  await expect(closed).toContainText('Motivo: Contagem refeita amanhã');
  await expect(closed).toContainText('2 leituras feitas depois do encerramento não entraram na contagem');
  // The "+1" of the last scan is gone: it did not count.
  await expect(page.getByTestId('scan-feedback')).toHaveText('Inventário cancelado: nenhuma leitura é registrada.');
  const notCounted = page.getByTestId('rejected-scans');
  await expect(notCounted).toContainText('2 leituras recusadas');
  await expect(notCounted).toContainText(products[1]!.name);
  await expect(notCounted).toContainText('o inventário já estava encerrado');
  await expect(pendingCount(page)).toHaveText('0');
  await expect(page.getByTestId('storage-warning')).toHaveCount(0);
  // The scan stored before the close is still the only one the server has.
  expect((await progressOf(manager.page.request, session.id)).totals.entries).toBe(1);
  await page.screenshot({ path: 'test-results/inventory-closed-after-sync.png' });
  await closeContexts(clerk.context, manager.context);
});
