import type { APIRequestContext, Page } from '@playwright/test';
import { trpcMutation, trpcQuery } from './fixtures/api';
import { demoUsers, expect, loginAs, test } from './fixtures/auth';
import { closeContexts, openSession, pendingCount, scan, signedInContext, TABLET, waitForOfflineReady } from './fixtures/inventory';
import { offPrefillEans, offUnknownEan } from './fixtures/photos';

/**
 * Product photos where people look for products, and an EAN the catalogue lacks registered from Open Food Facts.
 * The e2e server's Open Food Facts stand-in knows `offPrefillEans` (name "Produto <ean>", brand "Marca OFF",
 * category "Mercearia", quantity "1 kg", with a photo the OpenAI stand-in approves) and not `offUnknownEan`.
 */

/** The first EAN of `eans` with no product yet: the projects share one server, and a retried test must start clean. */
async function unusedEan(request: APIRequestContext, eans: readonly string[]): Promise<string> {
  for (const ean of eans) {
    const response = await request.get(`/api/trpc/products.byEan?input=${encodeURIComponent(JSON.stringify({ json: { ean } }))}`);
    if (response.status() === 404) return ean;
  }
  throw new Error(`every EAN of ${eans.join(', ')} is in the catalogue already`);
}

const offName = (ean: string) => `Produto ${ean} 1 kg`;

/** The picture has arrived and decoded (not the initials, not a broken image). */
const loaded = (img: ReturnType<Page['locator']>) => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0);

test('an admin scans an EAN the catalogue lacks, registers it from Open Food Facts, and its photo shows once approved', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await loginAs(page, 'admin', '/purchase-requests/new');
  // Each project its own share of the EANs (one server for both).
  const ean = await unusedEan(page.request, testInfo.project.name === 'desktop' ? offPrefillEans.slice(3, 6) : offPrefillEans.slice(0, 3));

  await page.getByRole('combobox', { name: 'Loja' }).selectOption({ label: 'Loja Centro' });
  await page.getByLabel('Código de barras (EAN)').focus();
  await scan(page, ean);
  await expect(page.getByText(`Produto não encontrado: nenhum produto com o EAN ${ean} no catálogo.`)).toBeVisible();
  await page.getByRole('button', { name: 'Cadastrar pelo Open Food Facts' }).click();

  const dialog = page.getByRole('dialog', { name: 'Novo produto' });
  await expect(dialog.getByText('Dados do Open Food Facts: confira antes de salvar.')).toBeVisible();
  await expect(dialog.getByLabel('EAN (código de barras)')).toHaveValue(ean);
  // OFF's name, with its quantity added (the name lacked it).
  await expect(dialog.getByLabel('Nome')).toHaveValue(offName(ean));
  await expect(dialog.getByLabel('Marca')).toHaveValue('Marca OFF');
  await expect(dialog.getByLabel('Categoria')).toHaveValue('Mercearia');
  await dialog.getByRole('button', { name: 'Criar produto' }).click();
  await expect(dialog).toBeHidden();

  // The new product joins the request as if scanned, and the scan field is ready for the next code.
  await expect(page.getByRole('textbox', { name: `Quantidade de ${offName(ean)}` })).toHaveValue('1');
  await expect(page.getByLabel('Código de barras (EAN)')).toBeFocused();
  await page.getByRole('button', { name: 'Salvar rascunho' }).click();
  await expect(page).toHaveURL(/\/purchase-requests\/[0-9a-f-]{36}\?created=draft$/);

  // The pipeline approves its Open Food Facts photo in the background; the request's line then shows it.
  const row = page.getByRole('table', { name: /Itens da solicitação/ }).getByRole('row', { name: new RegExp(offName(ean)) });
  await expect
    .poll(
      async () => {
        await page.reload();
        await expect(row).toBeVisible();
        return (await row.locator('img').count()) === 1 && (await loaded(row.locator('img')));
      },
      { message: 'the approved photo shows on the request line', timeout: 45_000, intervals: [1_000, 2_000] },
    )
    .toBe(true);
  const product = await trpcQuery<{ photoId: string | null }>(page.request, 'products.byEan', { ean });
  expect(product.photoId).toBeTruthy();
  await expect(row.locator('img')).toHaveAttribute('src', new RegExp(`/api/images/products/[0-9a-f-]{36}/${product.photoId}/thumb$`));
  // Decorative: the name beside it says what it is.
  await expect(row.locator('img')).toHaveAttribute('alt', '');
});

test('an EAN Open Food Facts does not know opens the form with the EAN alone; a clerk gets no button', async ({ page, browser }) => {
  await loginAs(page, 'admin', '/purchase-requests/new');
  await page.getByLabel('Código de barras (EAN)').focus();
  await scan(page, offUnknownEan);
  await page.getByRole('button', { name: 'Cadastrar pelo Open Food Facts' }).click();
  const dialog = page.getByRole('dialog', { name: 'Novo produto' });
  await expect(dialog.getByText('O Open Food Facts não conhece este código; preencha à mão.')).toBeVisible();
  await expect(dialog.getByLabel('EAN (código de barras)')).toHaveValue(offUnknownEan);
  await expect(dialog.getByLabel('Nome')).toHaveValue('');
  await dialog.getByRole('button', { name: 'Cancelar' }).click();
  await expect(dialog).toBeHidden();

  const clerk = await signedInContext(browser, demoUsers.clerk.email);
  try {
    await clerk.page.goto('/purchase-requests/new');
    await clerk.page.getByLabel('Código de barras (EAN)').focus();
    await scan(clerk.page, offUnknownEan);
    await expect(clerk.page.getByText(`Produto não encontrado: nenhum produto com o EAN ${offUnknownEan} no catálogo.`)).toBeVisible();
    await expect(clerk.page.getByRole('button', { name: /Cadastrar pelo Open Food Facts/ })).toHaveCount(0);
  } finally {
    await closeContexts(clerk.context);
  }
});

test('an admin counting registers an unknown EAN from Open Food Facts; its thumbnail, once seen, shows offline from the service worker', async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'tablet', 'the offline counting device is a tablet (as in inventory-offline.spec.ts)');
  test.setTimeout(150_000);
  const admin = await signedInContext(browser, demoUsers.admin.email, TABLET);
  const { page, context } = admin;
  try {
    const shopping = admin.me.stores.find((s) => s.name === 'Loja Shopping')!;
    const session = await openSession(page.request, { storeId: shopping.id, assignments: [{ userId: admin.me.user.id }] });
    const ean = await unusedEan(page.request, offPrefillEans.slice(6));

    await page.goto(`/inventory/${session.id}/count`);
    await expect(page.getByLabel('Código de barras')).toBeEnabled();
    await expect(page.getByText(/produtos no tablet: [1-9]/)).toBeVisible();
    await scan(page, ean);
    await expect(page.getByTestId('scan-feedback')).toContainText(`EAN ${ean} fora da lista do tablet (registrado)`);
    await page.getByTestId('scan-register').getByRole('button', { name: 'Cadastrar pelo Open Food Facts' }).click();
    const dialog = page.getByRole('dialog', { name: 'Novo produto' });
    await expect(dialog.getByLabel('Nome')).toHaveValue(offName(ean));
    await expect(dialog.getByLabel('Marca')).toHaveValue('Marca OFF');
    await dialog.getByRole('button', { name: 'Criar produto' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('scan-feedback')).toContainText(`Produto ${offName(ean)} criado.`);
    // The tablet's table is read again: the scan already made gets the product's name.
    await expect(page.getByTestId('running-counts')).toContainText(offName(ean));
    await expect(pendingCount(page)).toHaveText('0', { timeout: 20_000 });

    // The pipeline approves the photo; the next download of the tablet's table carries it.
    await expect
      .poll(async () => (await trpcQuery<{ photoId: string | null }>(page.request, 'products.byEan', { ean })).photoId, { timeout: 45_000 })
      .toBeTruthy();
    await page.reload();
    await expect(page.getByLabel('Código de barras')).toBeEnabled();
    await waitForOfflineReady(page);
    const feedbackPhoto = page.getByTestId('scan-feedback').locator('img');
    // A scan shows the thumbnail once the table has been downloaded again (each try counts one more: harmless).
    await expect
      .poll(
        async () => {
          await scan(page, ean);
          await expect(page.getByTestId('scan-feedback')).toContainText(offName(ean));
          return (await feedbackPhoto.count()) === 1 && (await loaded(feedbackPhoto));
        },
        { message: 'the scan shows the product photo', timeout: 30_000, intervals: [1_000] },
      )
      .toBe(true);
    const photoPath = new URL((await feedbackPhoto.getAttribute('src'))!, page.url()).pathname;
    await expect
      .poll(() => page.evaluate(async (path) => Boolean(await (await caches.open('mi-photos-v1')).match(path)), photoPath), { message: 'the service worker kept the photo' })
      .toBe(true);

    // Never a refusal: a photo that is not there (404) is not kept.
    const missing = `/api/images/products/${crypto.randomUUID()}/${crypto.randomUUID()}/thumb`;
    expect(await page.evaluate(async (path) => (await fetch(path)).status, missing)).toBe(404);
    expect(await page.evaluate(async (path) => Boolean(await (await caches.open('mi-photos-v1')).match(path)), missing)).toBe(false);

    // Offline, with the browser's own HTTP cache emptied: only the service worker can still answer.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByLabel('Código de barras')).toBeEnabled();
    await expect(page.getByTestId('network-status')).toHaveText('Offline');
    await scan(page, ean);
    await expect(page.getByTestId('scan-feedback')).toContainText(offName(ean));
    await expect.poll(() => loaded(feedbackPhoto), { message: 'the thumbnail shows offline' }).toBe(true);
    const offline = await page.evaluate(async (path) => {
      const response = await fetch(path);
      return { status: response.status, type: response.headers.get('content-type') };
    }, photoPath);
    expect(offline).toEqual({ status: 200, type: 'image/webp' });

    await context.setOffline(false);
    await trpcMutation(page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  } finally {
    await closeContexts(context);
  }
});
