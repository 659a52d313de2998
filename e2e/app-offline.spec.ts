import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { withCheckDigit } from '../src/lib/ean';
import { trpcMutation, trpcQuery, uniqueTag } from './fixtures/api';
import { demoUsers, expect, test } from './fixtures/auth';
import { apiLogin, launchTabletProfile, signedInContext } from './fixtures/inventory';

/**
 * The whole app offline-first: React Query's answers and the changes made offline kept in IndexedDB, the store's
 * pages kept by the service worker. A real Chromium profile on disk: closing the context quits Chromium, relaunching
 * it on the same directory with the network off is the clerk opening the app from the home screen the next day.
 */

type RequestRow = { id: string; note: string | null; status: string; itemCount: number };

const freshEan = () => withCheckDigit(`789${String(Date.now()).slice(-7)}${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`);

/** The kept cache of the signed-in user, as IndexedDB holds it: how many answers and waiting changes, and its size. */
const keptCache = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ queries: number; mutations: number; bytes: number; keys: string[]; savedAt: number }>((resolve) => {
        const open = indexedDB.open('myinventory-queries');
        open.onerror = () => resolve({ queries: 0, mutations: 0, bytes: 0, keys: [], savedAt: 0 });
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('clients')) return resolve({ queries: 0, mutations: 0, bytes: 0, keys: [], savedAt: 0 });
          const all = db.transaction('clients').objectStore('clients').getAll();
          all.onsuccess = () => {
            const rows = all.result as { savedAt: number; client: { clientState: { queries: { queryHash: string }[]; mutations: unknown[] } } }[];
            const row = rows[0];
            resolve({
              queries: row?.client.clientState.queries.length ?? 0,
              mutations: row?.client.clientState.mutations.length ?? 0,
              bytes: row ? new Blob([JSON.stringify(row.client)]).size : 0,
              keys: row?.client.clientState.queries.map((q) => q.queryHash) ?? [],
              savedAt: row?.savedAt ?? 0,
            });
          };
        };
      }),
  );

/** Waits until IndexedDB keeps an answer whose query key contains `text`. */
const waitForKept = (page: Page, text: string) =>
  expect.poll(async () => (await keptCache(page)).keys.some((k) => k.includes(text)), { message: `an answer for ${text} is kept in IndexedDB` }).toBe(true);

/** The service worker controls the page and keeps these pages. */
async function waitForKeptPages(page: Page, paths: string[]) {
  const missing = () =>
    page.evaluate(async (wanted) => {
      if (!navigator.serviceWorker.controller) return ['(no service worker yet)'];
      const absent: string[] = [];
      for (const p of wanted) if (!(await caches.match(p))) absent.push(p);
      return absent;
    }, paths);
  await expect.poll(missing, { message: 'the service worker keeps the pages', timeout: 30_000 }).toEqual([]);
}

test.describe('the app offline', () => {
  let userDataDir: string;
  let tablet: BrowserContext | undefined;
  test.beforeEach(async () => {
    userDataDir = await mkdtemp(path.join(tmpdir(), 'mi-e2e-app-offline-'));
  });
  test.afterEach(async () => {
    await tablet?.close();
    tablet = undefined;
  });

  test("opens from the home screen offline with yesterday's data; a request made offline reaches the buyer once, after a reload", async ({
    browser,
    baseURL,
    launchOptions,
    locale,
    timezoneId,
  }) => {
    test.setTimeout(150_000);
    const launch = async (offline: boolean) => {
      tablet = await launchTabletProfile(userDataDir, { launchOptions, baseURL, locale, timezoneId }, offline);
      return tablet.pages()[0] ?? (await tablet.newPage());
    };

    // Two products of the demo buyer, in a category of their own (so the buyer's inbox is read for them alone).
    const tag = uniqueTag();
    const category = `Offline ${tag}`;
    const buyer = await signedInContext(browser, demoUsers.buyer.email);
    const admin = await signedInContext(browser, demoUsers.admin.email);
    const [first, second] = await Promise.all(
      ['A', 'B'].map((letter) =>
        trpcMutation<{ id: string; ean: string; name: string }>(admin.page.request, 'products.create', {
          ean: freshEan(),
          name: `Estoque offline ${letter} ${tag}`,
          category,
          referencePrice: 4.5,
          buyerId: buyer.me.user.id,
        }),
      ),
    );
    await admin.context.close();

    // Yesterday, online: the clerk made a request (answered since), opened the requests and found the products in
    // the catalogue.
    let page = await launch(false);
    const clerk = await apiLogin(page.request, demoUsers.clerk.email);
    const store = clerk.stores[0]!;
    const yesterdayNote = `Ontem ${uniqueTag()}`;
    await trpcMutation(page.request, 'purchaseRequests.create', { id: randomUUID(), storeId: store.id, note: yesterdayNote, items: [{ productId: first!.id, quantity: 2 }], submit: true });

    await page.goto('/');
    await expect(page.getByRole('banner').getByText(demoUsers.clerk.name)).toBeVisible();
    await waitForKeptPages(page, ['/']);
    await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Solicitações' }).click();
    await expect(page.getByText(yesterdayNote)).toBeVisible();
    await waitForKept(page, '"purchaseRequests","list"');
    await page.goto('/catalogue');
    await page.getByLabel('Buscar por nome ou EAN').fill(tag);
    await expect(page.getByText(second!.name).first()).toBeVisible();
    await waitForKept(page, tag);
    await page.goto('/purchase-requests/new');
    await expect(page.getByLabel('Código de barras (EAN)')).toBeVisible();
    await waitForKeptPages(page, ['/', '/purchase-requests', '/catalogue', '/purchase-requests/new']);
    await waitForKept(page, '"purchaseRequests","list"');
    await waitForKept(page, tag);
    const kept = await keptCache(page);
    await tablet!.close();

    // Today, in the stockroom without Wi-Fi: the app opens from its home-screen address.
    const opening = Date.now();
    page = await launch(true);
    await page.goto('/?origem=tela-inicial');
    await expect(page.getByRole('banner').getByText(demoUsers.clerk.name)).toBeVisible();
    await expect(page.getByTestId('offline-banner')).toContainText(/Sem conexão\. Mostrando os dados salvos neste tablet, de (hoje|ontem) às \d\d:\d\d/);
    await page.goto('/purchase-requests');
    await expect(page.getByText(yesterdayNote)).toBeVisible();
    const firstUsefulPaintMs = Date.now() - opening;

    // A new request, scanned from the kept catalogue and sent while offline: it waits on the tablet.
    await page.goto('/purchase-requests/new');
    const todayNote = `Hoje offline ${uniqueTag()}`;
    for (const product of [first!, second!]) {
      await page.getByLabel('Código de barras (EAN)').fill(product.ean);
      await page.getByLabel('Código de barras (EAN)').press('Enter');
      await expect(page.getByRole('list', { name: 'Produtos da solicitação' }).getByText(product.name, { exact: true })).toBeVisible();
    }
    await page.getByLabel('Observação da solicitação').fill(todayNote);
    await page.getByRole('button', { name: 'Enviar para aprovação' }).click();
    await expect(page.getByText(/A solicitação ficou guardada neste tablet/)).toBeVisible();
    await expect(page.getByTestId('pending-changes')).toContainText('1 alteração pendente');

    // The tablet reloads (still offline): the request is still waiting, listed with the requests.
    await page.reload();
    await expect(page.getByTestId('pending-changes')).toContainText('1 alteração pendente');
    await page.goto('/purchase-requests');
    await expect(page.getByTestId('queued-requests')).toContainText('Enviar solicitação de compra (2 produtos)');
    await page.getByTestId('pending-changes').locator('summary').click();
    await expect(page.getByTestId('pending-changes')).toContainText('Aguardando conexão');

    // Back online: it goes, once, and reaches the buyer's inbox.
    await tablet!.setOffline(false);
    await expect(page.getByTestId('pending-changes')).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByText(todayNote)).toBeVisible({ timeout: 15_000 });
    const mine = await trpcQuery<{ items: RequestRow[] }>(page.request, 'purchaseRequests.list', { limit: 50, mine: true });
    expect(mine.items.filter((r) => r.note === todayNote)).toHaveLength(1);
    expect(mine.items.find((r) => r.note === todayNote)).toMatchObject({ status: 'pending', itemCount: 2 });
    const inbox = await trpcQuery<{ items: { requestId: string; productName: string }[] }>(buyer.page.request, 'purchaseRequests.inbox', { limit: 100, category });
    const today = mine.items.find((r) => r.note === todayNote)!;
    expect(inbox.items.filter((i) => i.requestId === today.id).map((i) => i.productName).sort()).toEqual([first!.name, second!.name]);
    await buyer.context.close();

    console.info(
      `offline app: kept cache ${kept.queries} answers, ${Math.round(kept.bytes / 1024)} KiB (JSON) for a clerk at scale 1; first useful paint offline (request list with data) ${firstUsefulPaintMs} ms from launch`,
    );
  });

  test('a change refused on arrival is shown with the reason and what to do, never dropped', async ({ browser, baseURL, launchOptions, locale, timezoneId }) => {
    test.setTimeout(120_000);
    const manager = await signedInContext(browser, demoUsers.admin.email);
    const buyer = await signedInContext(browser, demoUsers.buyer.email);
    const buyerId = buyer.me.user.id;
    await buyer.context.close();
    const product = await trpcMutation<{ id: string; ean: string; name: string }>(manager.page.request, 'products.create', { ean: freshEan(), name: `Sai de linha ${uniqueTag()}`, buyerId });

    tablet = await launchTabletProfile(userDataDir, { launchOptions, baseURL, locale, timezoneId });
    const page = tablet.pages()[0] ?? (await tablet.newPage());
    await apiLogin(page.request, demoUsers.clerk.email);
    await page.goto('/purchase-requests/new');
    // Online, the product is looked up (and so kept); then the connection goes.
    await page.getByLabel('Código de barras (EAN)').fill(product.ean);
    await page.getByLabel('Código de barras (EAN)').press('Enter');
    await expect(page.getByRole('list', { name: 'Produtos da solicitação' }).getByText(product.name, { exact: true })).toBeVisible();
    await tablet.setOffline(true);
    await page.getByRole('button', { name: 'Enviar para aprovação' }).click();
    await expect(page.getByTestId('pending-changes')).toContainText('1 alteração pendente');

    // Meanwhile the catalogue takes the product out of line.
    await trpcMutation(manager.page.request, 'products.deactivate', { id: product.id });
    await manager.context.close();

    await tablet.setOffline(false);
    const pending = page.getByTestId('pending-changes');
    await expect(pending).toContainText('1 alteração recusada', { timeout: 20_000 });
    await pending.locator('summary').click();
    await expect(pending).toContainText(`Recusada pelo servidor: `);
    await expect(pending).toContainText(product.name);
    await expect(pending).toContainText('Confira os produtos e crie a solicitação de novo');
    // Kept across a reload until the person dismisses it.
    await page.reload();
    await expect(pending).toContainText('1 alteração recusada');
    await pending.locator('summary').click();
    await pending.getByRole('button', { name: 'Descartar' }).click();
    await expect(pending).toHaveCount(0);
  });

  test('a request queued in one tab is kept when another tab of the same user writes its cache, and lands once', async ({ browser, baseURL, launchOptions, locale, timezoneId }) => {
    test.setTimeout(120_000);
    const admin = await signedInContext(browser, demoUsers.admin.email);
    const buyer = await signedInContext(browser, demoUsers.buyer.email);
    const product = await trpcMutation<{ id: string; ean: string; name: string }>(admin.page.request, 'products.create', {
      ean: freshEan(),
      name: `Duas abas ${uniqueTag()}`,
      buyerId: buyer.me.user.id,
    });
    await Promise.all([admin.context.close(), buyer.context.close()]);

    tablet = await launchTabletProfile(userDataDir, { launchOptions, baseURL, locale, timezoneId });
    const list = tablet.pages()[0] ?? (await tablet.newPage());
    await apiLogin(list.request, demoUsers.clerk.email);
    await list.goto('/purchase-requests');
    await expect(list.getByRole('heading', { name: 'Solicitações de compra' })).toBeVisible();
    await waitForKeptPages(list, ['/purchase-requests']);
    // A second tab (a notification opened in a new one, say): the request is made there.
    const editor = await tablet.newPage();
    await editor.goto('/purchase-requests/new');
    await editor.getByLabel('Código de barras (EAN)').fill(product.ean);
    await editor.getByLabel('Código de barras (EAN)').press('Enter');
    await expect(editor.getByRole('list', { name: 'Produtos da solicitação' }).getByText(product.name, { exact: true })).toBeVisible();
    const note = `Duas abas ${uniqueTag()}`;
    await editor.getByLabel('Observação da solicitação').fill(note);
    await tablet.setOffline(true);
    await editor.getByRole('button', { name: 'Enviar para aprovação' }).click();
    await expect(editor.getByTestId('pending-changes')).toContainText('1 alteração pendente');
    await expect.poll(async () => (await keptCache(editor)).mutations, { message: 'the queued request is kept' }).toBe(1);

    // The first tab, which never saw that request, changes its own answers and writes its cache: the request stays.
    await list.bringToFront();
    const before = (await keptCache(list)).savedAt;
    await list.getByLabel('Número').fill('123');
    await expect.poll(async () => (await keptCache(list)).savedAt, { message: 'the first tab wrote its cache' }).toBeGreaterThan(before);
    expect((await keptCache(list)).mutations).toBe(1);

    // The second tab goes (a tablet discards background tabs); the first, reloaded, has the request and sends it.
    await editor.close();
    await list.reload();
    await expect(list.getByTestId('pending-changes')).toContainText('1 alteração pendente');
    await tablet.setOffline(false);
    await expect(list.getByTestId('pending-changes')).toHaveCount(0, { timeout: 20_000 });
    const mine = await trpcQuery<{ items: RequestRow[] }>(list.request, 'purchaseRequests.list', { limit: 50, mine: true });
    expect(mine.items.filter((r) => r.note === note)).toHaveLength(1);
  });
});
