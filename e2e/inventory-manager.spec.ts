import type { APIRequestContext } from '@playwright/test';
import superjson from 'superjson';
import { trpcMutation, trpcQuery } from './fixtures/api';
import { demoUsers, expect, test } from './fixtures/auth';
import { apiLogin, cancelOpenSessions, closeContexts, openCounting, openSession, pendingCount, scan, signedInContext, storeProducts } from './fixtures/inventory';
import { device } from '../tests/helpers/devices';

type Detail = { assignments: { userId: string; zone: string }[]; recountRequests: { ean: string; recounted: boolean }[] };
const detailOf = (request: Parameters<typeof trpcQuery>[0], id: string) => trpcQuery<Detail>(request, 'inventory.byId', { id });
const entry = (ean: string, seq: number) => ({ id: crypto.randomUUID(), ean, quantity: 1, zone: '', countedAt: new Date(), seq });

/** A device's sync (countedAt is a Date: the body goes through superjson like the app's own client). */
async function syncAs(request: APIRequestContext, input: { sessionId: string; deviceId: string; entries: ReturnType<typeof entry>[] }) {
  const response = await request.post('/api/trpc/inventory.sync', { data: superjson.serialize({ sessionId: input.sessionId, entries: input.entries, ...device(input.deviceId), pendingCount: 0 }) });
  expect(response.status(), await response.text()).toBe(200);
}

test.describe.configure({ mode: 'serial' });

test('the manager picks who counts from the store’s people, with a zone, and takes them off again (touch and keyboard)', async ({ browser }) => {
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const bairro = manager.me.stores.find((s) => s.name === 'Loja Bairro')!;
  const stockistContext = await browser.newContext();
  const stockist = await apiLogin(stockistContext.request, 'estoque@demo.test');
  const session = await openSession(manager.page.request, { storeId: bairro.id, assignments: [] });
  const page = manager.page;
  await page.goto(`/inventory/${session.id}`);

  const picker = page.getByTestId('assignment-picker');
  await expect(picker.getByText('Everton Estoque')).toBeVisible();
  await expect(picker.getByText('Gilberto Gerente')).toBeVisible();
  // Camila works at Loja Centro only; buyers never count.
  await expect(picker.getByText(demoUsers.clerk.name)).toHaveCount(0);
  await expect(picker.getByText(demoUsers.buyer.name)).toHaveCount(0);
  await expect(page.getByTestId('assigned-now')).toContainText('ninguém');

  const zone = picker.getByLabel('Zona de Everton Estoque');
  await expect(zone).toBeDisabled();
  await picker.getByText('Everton Estoque').click();
  await zone.fill('Corredor 1');
  await picker.getByRole('button', { name: 'Salvar designações' }).click();
  await expect(picker.getByText('Designações salvas.')).toBeVisible();
  await expect(page.getByTestId('assigned-now')).toContainText('Everton Estoque (Corredor 1)');
  expect((await detailOf(page.request, session.id)).assignments).toEqual([{ userId: stockist.user.id, zone: 'Corredor 1', name: 'Everton Estoque' }]);
  await page.screenshot({ path: 'test-results/inventory-assignment-picker.png' });

  // Keyboard only: focus the checkbox, Space to untick, Enter on the save button.
  await picker.getByRole('checkbox', { name: /Everton Estoque/ }).focus();
  await page.keyboard.press('Space');
  await picker.getByRole('button', { name: 'Salvar designações' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('assigned-now')).toContainText('ninguém');
  expect((await detailOf(page.request, session.id)).assignments).toEqual([]);

  await trpcMutation(page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  await closeContexts(stockistContext, manager.context);
});

test('recount requests: asked and withdrawn in the review; a recount by who counted the line first is refused and the tablet says why', async ({ browser }) => {
  test.setTimeout(90_000);
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const shopping = manager.me.stores.find((s) => s.name === 'Loja Shopping')!;
  const stockist = await signedInContext(browser, 'estoque@demo.test');
  const session = await openSession(manager.page.request, { storeId: shopping.id, assignments: [{ userId: stockist.me.user.id }, { userId: manager.me.user.id }] });
  const [product] = await storeProducts(manager.page.request, shopping.id, 1);
  // The manager counted the product first (another tablet).
  await syncAs(manager.page.request, { sessionId: session.id, deviceId: 'tab-e2e-manager', entries: [entry(product!.ean, 1), entry(product!.ean, 2)] });

  const page = manager.page;
  await page.goto(`/inventory/${session.id}`);
  const row = page.getByRole('row', { name: new RegExp(product!.ean) });
  await row.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Pedir recontagem de 1 linha' }).click();
  await expect(row).toContainText('recontagem pedida');
  await row.getByRole('button', { name: `Retirar pedido de recontagem de ${product!.name}` }).click();
  await expect(row).not.toContainText('recontagem pedida');
  expect((await detailOf(page.request, session.id)).recountRequests).toEqual([]);
  await row.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Pedir recontagem de 1 linha' }).click();
  await expect(row).toContainText('recontagem pedida');
  await page.screenshot({ path: 'test-results/inventory-recount-requested.png' });

  // The clerk did not count it: the tablet offers the recount.
  const tablet = stockist.page;
  await openCounting(tablet, session.id);
  await expect(tablet.getByText(/Recontagem pedida pelo gerente/)).toContainText(product!.name);
  // Offline (so the live stream cannot tell it), the tablet takes the recount, while the same clerk counts the
  // product on another tablet, in the first count.
  await stockist.context.setOffline(true);
  await expect(tablet.getByTestId('network-status')).toHaveText('Offline');
  await tablet.getByRole('checkbox', { name: /Recontagem pedida pelo gerente/ }).check();
  await tablet.getByLabel('Código de barras').focus();
  await scan(tablet, product!.ean);
  const otherTablet = await browser.newContext();
  await apiLogin(otherTablet.request, 'estoque@demo.test');
  await syncAs(otherTablet.request, { sessionId: session.id, deviceId: 'tab-e2e-other', entries: [entry(product!.ean, 1)] });
  await otherTablet.close();
  await stockist.context.setOffline(false);
  await tablet.getByRole('button', { name: 'Sincronizar agora' }).click();
  await expect(tablet.getByTestId('rejected-scans')).toContainText('você contou este produto na primeira contagem: a recontagem deve ser feita por outro operador');
  await expect(pendingCount(tablet)).toHaveText('0');
  await tablet.screenshot({ path: 'test-results/inventory-recount-rejected.png' });
  // Opened again, the tablet knows and no longer offers that recount to this clerk.
  await tablet.reload();
  await expect(tablet.getByTestId('recount-not-mine')).toContainText(product!.name);
  await expect(tablet.getByText(/Recontagem pedida pelo gerente/)).toHaveCount(0);
  expect((await detailOf(page.request, session.id)).recountRequests).toEqual([expect.objectContaining({ ean: product!.ean, recounted: false })]);

  await trpcMutation(page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  await closeContexts(stockist.context, manager.context);
});

test.afterAll(async ({ browser }) => {
  const context = await browser.newContext();
  const me = await apiLogin(context.request, demoUsers.manager.email);
  for (const store of me.stores) await cancelOpenSessions(context.request, store.id);
  await context.close();
});
