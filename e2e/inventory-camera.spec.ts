import { chromium } from '@playwright/test';
import { expect, test } from './fixtures/auth';
import { trpcMutation } from './fixtures/api';
import { demoUsers } from './fixtures/auth';
import { countedOf, openCounting, openSession, pendingCount, progressOf, signedInContext, storeProducts } from './fixtures/inventory';
import { writeEan13Y4m } from './helpers/ean13-y4m';

/** Reads of the label after it was counted: over 3 s of the scanner's reads, so the video's gap passes at least once. */
const READS_AFTER_COUNT = 25;

test('the camera counts a product held in view exactly once', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const centro = manager.me.stores.find((s) => s.name === 'Loja Centro')!;
  const [product] = await storeProducts(manager.page.request, centro.id, 1);

  // The only stand-in: Chromium's fake camera, playing in a loop a label of this store's product held up for
  // 2.2 s, then out of sight for 0.3 s (a hand passing): to the clerk it never left, so it must count once.
  const video = writeEan13Y4m(testInfo.outputPath('camera.y4m'), product!.ean, { fps: 10, seconds: 2.5, gapFrames: 3 });
  const { launchOptions, baseURL, locale, timezoneId, viewport, hasTouch } = testInfo.project.use;
  const cameraBrowser = await chromium.launch({
    ...launchOptions,
    args: [...(launchOptions?.args ?? []), '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
  try {
    const clerk = await signedInContext(cameraBrowser, demoUsers.clerk.email, { baseURL, locale, timezoneId, viewport, hasTouch, permissions: ['camera'] });
    const session = await openSession(manager.page.request, { storeId: centro.id, assignments: [{ userId: clerk.me.user.id }] });
    const page = clerk.page;
    await openCounting(page, session.id);
    await expect(page.getByText(/produtos no tablet: [1-9]/)).toBeVisible();

    await page.getByRole('button', { name: 'Câmera' }).click();
    const scanner = page.getByTestId('camera-scanner');
    await expect(scanner).toHaveAttribute('data-reader', /^(native|zxing)$/);
    const reader = (await scanner.getAttribute('data-reader'))!;
    testInfo.annotations.push({ type: 'barcode reader', description: reader });
    console.log(`[${testInfo.project.name}] camera barcode reader: ${reader}`);

    const line = page.getByTestId('running-counts').getByRole('row').filter({ hasText: product!.ean });
    await expect(line.getByRole('cell').nth(2)).toHaveText('1', { timeout: 30_000 });
    await expect(page.getByTestId('scan-feedback')).toContainText(product!.name);

    // The label stays in front of the camera: the scanner keeps reading it, and it still counts once.
    const readsAtCount = Number(await scanner.getAttribute('data-codes-read'));
    await expect.poll(async () => Number(await scanner.getAttribute('data-codes-read')), { timeout: 30_000 }).toBeGreaterThanOrEqual(readsAtCount + READS_AFTER_COUNT);
    await expect(line.getByRole('cell').nth(2)).toHaveText('1');
    await expect(page.getByTestId('recent-scans').getByRole('listitem')).toHaveCount(1);
    await page.getByRole('button', { name: 'Fechar câmera' }).click();
    await expect(scanner).toHaveCount(0);

    await expect(pendingCount(page)).toHaveText('0', { timeout: 20_000 });
    expect(await countedOf(manager.page.request, session.id, product!.ean)).toBe(1);
    expect((await progressOf(manager.page.request, session.id)).totals.entries).toBe(1);
    await trpcMutation(manager.page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  } finally {
    await cameraBrowser.close();
  }
  await manager.context.close();
});

test('a camera the clerk refused says so in Portuguese, with what to do, and the scanner keeps working', async ({ browser }, testInfo) => {
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const centro = manager.me.stores.find((s) => s.name === 'Loja Centro')!;
  const [product] = await storeProducts(manager.page.request, centro.id, 1);
  const { launchOptions, baseURL, locale, timezoneId, viewport, hasTouch } = testInfo.project.use;
  // A fake camera exists, but the prompt is answered "block" (no --use-fake-ui-for-media-stream, no permission).
  const cameraBrowser = await chromium.launch({ ...launchOptions, args: [...(launchOptions?.args ?? []), '--use-fake-device-for-media-stream'] });
  try {
    const clerk = await signedInContext(cameraBrowser, demoUsers.clerk.email, { baseURL, locale, timezoneId, viewport, hasTouch, permissions: [] });
    const session = await openSession(manager.page.request, { storeId: centro.id, assignments: [{ userId: clerk.me.user.id }] });
    const page = clerk.page;
    await openCounting(page, session.id);
    await page.getByRole('button', { name: 'Câmera' }).click();
    const alert = page.getByTestId('camera-scanner').getByRole('alert');
    await expect(alert).toContainText('O acesso à câmera foi negado');
    await expect(alert).toContainText('Use o leitor de código de barras ou digite o código.');
    await expect(alert).not.toContainText(/Permission|denied|NotAllowed/i);
    await testInfo.attach('camera-refused', { body: await page.screenshot(), contentType: 'image/png' });

    await page.getByRole('button', { name: 'Fechar câmera' }).click();
    await page.keyboard.type(product!.ean);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('scan-feedback')).toContainText(product!.name);
    await trpcMutation(manager.page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  } finally {
    await cameraBrowser.close();
  }
  await manager.context.close();
});
