import { expect, test } from './fixtures/auth';
import { clerkCountingAtCentro, closeContexts, openCounting, pendingCount, progressOf, scan } from './fixtures/inventory';

declare global {
  interface Window {
    __failIndexedDbReads?: boolean;
  }
}

test('a background read of the tablet’s IndexedDB that fails is shown, not swallowed; scans are still stored and the screen recovers', async ({ browser }) => {
  test.setTimeout(60_000);
  const { manager, clerk, session, products, page } = await clerkCountingAtCentro(browser, 2);

  await openCounting(page, session.id);
  await scan(page, products[0]!.ean);
  await expect(pendingCount(page)).toHaveText('1');

  // The browser starts failing reads of index ranges (what rereading the log and counting pending scans use);
  // single-row reads and writes still work.
  await page.evaluate(() => {
    const fail = (original: (...args: never[]) => unknown) =>
      function (this: unknown, ...args: never[]) {
        if (window.__failIndexedDbReads) throw new DOMException('simulated read failure', 'UnknownError');
        return original.apply(this, args);
      };
    IDBIndex.prototype.getAll = fail(IDBIndex.prototype.getAll) as typeof IDBIndex.prototype.getAll;
    IDBIndex.prototype.count = fail(IDBIndex.prototype.count) as typeof IDBIndex.prototype.count;
    IDBIndex.prototype.openCursor = fail(IDBIndex.prototype.openCursor) as typeof IDBIndex.prototype.openCursor;
    window.__failIndexedDbReads = true;
  });
  await page.getByRole('button', { name: 'Sincronizar agora' }).click();
  const error = page.getByTestId('storage-read-error');
  await expect(error).toContainText('Não foi possível ler as leituras guardadas neste tablet', { timeout: 15_000 });
  await expect(error).toContainText('simulated read failure');

  // Scanning still works: the write path does not read index ranges.
  await page.getByLabel('Código de barras').focus();
  await scan(page, products[1]!.ean);
  await expect(page.getByTestId('scan-feedback')).toContainText(products[1]!.name);

  // Reads work again: the next sync rereads the log, the message goes, and both scans reach the server once.
  await page.evaluate(() => {
    window.__failIndexedDbReads = false;
  });
  // A sync already failing in the background may hold the button's request until its backoff: ask until it goes.
  await expect(async () => {
    await page.getByRole('button', { name: 'Sincronizar agora' }).click();
    await expect(pendingCount(page)).toHaveText('0', { timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  await expect(error).toHaveCount(0);
  expect((await progressOf(manager.page.request, session.id)).totals.entries).toBe(2);
  await closeContexts(manager.context, clerk.context);
});
